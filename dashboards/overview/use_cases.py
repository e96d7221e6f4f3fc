"""The organisation overview, one read for the page and the API. Admins only: a coordinator or a
member is refused (403, like the audit log), whatever they ask."""

from __future__ import annotations

from core.access import Forbidden
from dashboards.overview.selectors import Overview, organization_overview
from organizations.models import Membership, Organization
from surveys import privacy

REFUSAL = "Only an admin sees the organisation overview."


def organization_overview_for(*, membership: Membership, organization: Organization) -> Overview:
    if not membership.is_admin:
        raise Forbidden(REFUSAL)
    return organization_overview(k=privacy.floor_of(organization))
