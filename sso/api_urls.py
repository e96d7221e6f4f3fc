"""The single sign-on settings API, mounted under /api/v1/o/<slug>/ (``sso.api``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from sso import api

urlpatterns: list[URLPattern] = [
    path("settings/sso/oidc/", api.OidcSettingsView.as_view(), name="api-sso-oidc"),
    path("settings/sso/saml/", api.SamlSettingsView.as_view(), name="api-sso-saml"),
]
