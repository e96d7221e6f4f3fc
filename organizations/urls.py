from django.urls import path, re_path

from organizations import logo, views
from organizations.configuration import urls as configuration_urls
from organizations.platform import urls as platform_urls

urlpatterns = [
    # The organisation's logo, for its pages and its emails alike (public: mail clients fetch it
    # signed out; content-addressed: cached for a year).
    re_path(logo.URL_PATTERN, logo.organization_logo, name="organization_logo"),
    path("o/<slug:org_slug>/members/", views.member_list, name="member_list"),
    path("o/<slug:org_slug>/members/<id:pk>/role/", views.member_role, name="member_role"),
    path(
        "o/<slug:org_slug>/members/<id:pk>/programs/",
        views.member_programs,
        name="member_programs",
    ),
    path("o/<slug:org_slug>/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org_slug>/invitations/", views.invitation_list, name="invitation_list"),
    path(
        "o/<slug:org_slug>/invitations/<id:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "o/<slug:org_slug>/invitations/<id:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path("o/<slug:org_slug>/audit-log/", views.audit_log, name="audit_log"),
    path("o/<slug:org_slug>/api-tokens/", views.api_tokens, name="api_tokens"),
    path(
        "o/<slug:org_slug>/api-tokens/<id:pk>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
    ),
    path(
        "invitations/<slug:org_slug>/<str:token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    # The organisation's own settings and brand (organizations/configuration/).
    *configuration_urls.urlpatterns,
    # The platform operators' pages, outside any organisation.
    *platform_urls.urlpatterns,
]
