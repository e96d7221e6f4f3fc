from django.urls import path

from organizations.configuration import api, views

urlpatterns = [
    path("o/<slug:org_slug>/settings/", views.organization_settings, name="organization_settings"),
    path(
        "o/<slug:org_slug>/brand.css", views.organization_brand_css, name="organization_brand_css"
    ),
]

# Mounted under /api/v1/o/<slug>/ by organizations/api/urls.py.
api_urlpatterns = [
    path("settings/", api.SettingsView.as_view(), name="api-organization-settings"),
    path("settings/logo/", api.LogoView.as_view(), name="api-organization-logo"),
]
