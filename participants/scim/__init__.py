"""SCIM 2.0 (RFC 7643/7644) provisioning of the organisation's directory by its identity provider.

``/api/v1/o/<slug>/scim/v2/Users`` (and ``ServiceProviderConfig``, ``ResourceTypes``,
``Schemas``), authenticated by a per-organisation bearer token (``ScimToken``, made and revoked by
the organisation's admins on the provisioning page). A SCIM User is a directory ``Person``; writes
go through the directory's services, so the same field rules, uniqueness and audit apply as on the
people pages. Deactivating (``active: false`` or DELETE) is the directory's deactivation: the
person's open pairs end (partners told, staff offered a re-match) and their enrolments are
withdrawn. Errors use SCIM's error body (``urn:ietf:params:scim:api:messages:2.0:Error``).
"""
