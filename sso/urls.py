from django.urls import path

from sso import views

urlpatterns = [
    path("o/<slug:org_slug>/settings/sso/", views.sso_settings, name="sso_settings"),
    # Outside /o/: the person signing in is not signed in yet (as for invitation links).
    path("sso/<slug:org_slug>/login/", views.sso_login, name="sso_login"),
    path("sso/<slug:org_slug>/callback/", views.sso_callback, name="sso_callback"),
    path("sso/<slug:org_slug>/saml/login/", views.saml_login, name="sso_saml_login"),
    path("sso/<slug:org_slug>/saml/acs/", views.saml_acs, name="sso_saml_acs"),
    path("sso/<slug:org_slug>/saml/metadata/", views.saml_metadata, name="sso_saml_metadata"),
]
