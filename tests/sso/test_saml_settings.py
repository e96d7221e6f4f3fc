"""SAML settings on the admins' SSO page and in the API (both kinds), "SSO required" with SAML, and the
sign-in page's offers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from organizations.models import AuditEntry
from sso import sealing
from sso.models import OidcProvider, SamlProvider
from tests.accounts.conftest import post_login, signed_in_user_id
from tests.conftest import Tenant, login
from tests.factories import PASSWORD
from tests.sso.conftest import ACME_CLIENT, ACME_SECRET, configure_saml
from tests.sso.idp import FakeIdp
from tests.sso.saml_idp import SamlIdp, serving

pytestmark = pytest.mark.django_db


def _page(tenant: Tenant) -> str:
    return f"/o/{tenant.slug}/settings/sso/"


def _api(tenant: Tenant, kind: str) -> str:
    return f"/api/v1/o/{tenant.slug}/settings/sso/{kind}/"


def _saml_form(**values: str) -> dict[str, str]:
    return {"kind": "saml", "saml-is_enabled": "on", **{f"saml-{k}": v for k, v in values.items()}}


def _errors(response: Any) -> dict[str, Any]:
    return dict(response.context["saml_form"].errors)


def test_admin_pastes_metadata_xml_and_sees_the_sp_values(org_a: Tenant, saml_idp: SamlIdp) -> None:
    client = login(Client(), org_a.admin.user)

    response = client.post(
        _page(org_a), _saml_form(metadata_xml=saml_idp.metadata(), sso_required="on")
    )

    assert response.status_code == 302, response.content
    with org_a.scope():
        provider = SamlProvider.objects.get()
        entry = AuditEntry.objects.get(action="sso.saml_provider_created")
    assert provider.idp_entity_id == saml_idp.entity_id
    assert provider.sso_url == saml_idp.sso_url  # the HTTP-Redirect one, not the POST one
    assert saml_idp.certificate_body[:60] in provider.idp_certificates.replace("\n", "")
    assert provider.sso_required
    assert provider.is_enabled
    assert provider.updated_by == org_a.admin.user
    assert entry.data["source"] == "metadata_xml"
    page = client.get(_page(org_a))
    for path in ("saml/acs/", "saml/metadata/", "saml/login/"):
        assert f"http://testserver/sso/{org_a.slug}/{path}" in page.text
    assert saml_idp.entity_id in page.text


def test_admin_gives_a_metadata_url_read_on_save(org_a: Tenant, saml_idp: SamlIdp) -> None:
    client = login(Client(), org_a.admin.user)

    with serving(saml_idp.metadata().encode()) as url:
        response = client.post(_page(org_a), _saml_form(metadata_url=url))

    assert response.status_code == 302
    with org_a.scope():
        provider = SamlProvider.objects.get()
    assert provider.metadata_url == url
    assert provider.idp_entity_id == saml_idp.entity_id


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"<html>not metadata</html>", 200, "describes no identity provider"),
        (b"not xml at all <", 200, "not SAML metadata XML"),
        (b"gone", 404, "answered with an error (404)"),
        (b"x" * 1_000_001, 200, "too large"),
    ],
)
def test_bad_metadata_at_the_url_is_a_field_error(
    org_a: Tenant, body: bytes, status: int, message: str
) -> None:
    client = login(Client(), org_a.admin.user)

    with serving(body, status=status) as url:
        response = client.post(_page(org_a), _saml_form(metadata_url=url))

    assert response.status_code == 400
    assert message in " ".join(_errors(response)["metadata_url"])
    with org_a.scope():
        assert not SamlProvider.objects.exists()


def test_an_unreachable_or_plain_http_metadata_url_is_a_field_error(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    with serving(b"") as url:
        pass  # the server is gone

    gone = client.post(_page(org_a), _saml_form(metadata_url=url))
    plain = client.post(_page(org_a), _saml_form(metadata_url="http://idp.example.test/md"))

    assert gone.status_code == 400
    assert "could not be reached" in " ".join(_errors(gone)["metadata_url"])
    assert plain.status_code == 400
    assert "https" in " ".join(_errors(plain)["metadata_url"])


def test_metadata_without_a_signing_certificate_is_refused(
    org_a: Tenant, saml_idp: SamlIdp
) -> None:
    client = login(Client(), org_a.admin.user)
    xml = saml_idp.metadata().split("<md:KeyDescriptor")[0] + (
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{saml_idp.sso_url}"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )

    response = client.post(_page(org_a), _saml_form(metadata_xml=xml))

    assert response.status_code == 400
    assert "no signing certificate" in " ".join(_errors(response)["metadata_xml"])


def test_fields_by_hand_are_checked(org_a: Tenant, saml_idp: SamlIdp) -> None:
    client = login(Client(), org_a.admin.user)

    empty = client.post(_page(org_a), _saml_form())
    bad = client.post(
        _page(org_a),
        _saml_form(
            idp_entity_id="https://idp.acme.test/saml",
            sso_url="http://idp.acme.test/sso",
            idp_certificates="-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----",
        ),
    )
    good = client.post(
        _page(org_a),
        _saml_form(
            idp_entity_id=saml_idp.entity_id,
            sso_url=saml_idp.sso_url,
            idp_certificates=saml_idp.certificate,
            email_attribute="mail",
        ),
    )

    assert empty.status_code == 400
    assert {"idp_entity_id", "sso_url", "idp_certificates"} <= set(_errors(empty))
    assert bad.status_code == 400
    assert {"sso_url", "idp_certificates"} <= set(_errors(bad))
    assert good.status_code == 302
    with org_a.scope():
        assert SamlProvider.objects.get().email_attribute == "mail"


def test_saving_saml_leaves_the_oidc_form_alone(org_a: Tenant, saml_idp: SamlIdp) -> None:
    client = login(Client(), org_a.admin.user)

    response = client.post(_page(org_a), _saml_form(metadata_xml="<bad"))

    assert response.status_code == 400
    assert not response.context["form"].is_bound
    assert "metadata_xml" in _errors(response)


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_only_admins_change_saml(org_a: Tenant, saml_idp: SamlIdp, role: str) -> None:
    client = login(Client(), getattr(org_a, role).user)

    response = client.post(_page(org_a), _saml_form(metadata_xml=saml_idp.metadata()))

    assert response.status_code == 403
    with org_a.scope():
        assert not SamlProvider.objects.exists()


def test_another_organisations_admin_gets_404(
    org_a: Tenant, org_b: Tenant, saml_idp: SamlIdp
) -> None:
    client = login(Client(), org_b.admin.user)

    response = client.post(_page(org_a), _saml_form(metadata_xml=saml_idp.metadata()))

    assert response.status_code == 404
    assert client.get(_api(org_a, "saml")).status_code == 404
    with org_a.scope():
        assert not SamlProvider.objects.exists()


# SSO required, with SAML.


def test_sso_required_with_saml_sends_a_password_sign_in_there(
    org_a: Tenant, saml_idp: SamlIdp
) -> None:
    configure_saml(org_a, saml_idp, required=True)
    client = Client()

    response = post_login(client, org_a.member.user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("sso_saml_login", kwargs={"org_slug": org_a.slug})
    assert signed_in_user_id(client) is None
    assert client.get(response.url).url.startswith(saml_idp.sso_url)


def test_sso_required_with_saml_keeps_the_break_glass(org_a: Tenant, saml_idp: SamlIdp) -> None:
    configure_saml(org_a, saml_idp, required=True)
    TOTP.activate(org_a.admin.user, generate_totp_secret())

    response = post_login(Client(), org_a.admin.user.email, PASSWORD)

    assert response.url == reverse("mfa_authenticate")


def test_saml_without_sso_required_keeps_the_password(org_a: Tenant, saml_idp: SamlIdp) -> None:
    configure_saml(org_a, saml_idp)
    client = Client()

    post_login(client, org_a.member.user.email, PASSWORD)

    assert signed_in_user_id(client) == str(org_a.member.user.pk)


def test_the_sign_in_page_offers_each_enabled_kind(
    org_a: Tenant, org_b: Tenant, saml_idp: SamlIdp, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    configure_saml(org_a, saml_idp)
    configure_saml(org_b, saml_idp)
    with org_b.scope():
        SamlProvider.objects.update(is_enabled=False)

    page = Client().get(reverse("account_login") + f"?next=/o/{org_a.slug}/")
    elsewhere = Client().get(reverse("account_login") + f"?next=/o/{org_b.slug}/")

    assert f"/sso/{org_a.slug}/login/?next=" in page.text
    assert f"/sso/{org_a.slug}/saml/login/?next=" in page.text
    assert "/sso/" not in elsewhere.text


# The API.


def _json(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


def test_api_puts_a_saml_provider_and_answers_the_sp_values(
    org_a: Tenant, saml_idp: SamlIdp
) -> None:
    client = login(Client(), org_a.admin.user)
    assert client.get(_api(org_a, "saml")).status_code == 404

    response = _json(client, "PUT", _api(org_a, "saml"), {"metadata_xml": saml_idp.metadata()})

    assert response.status_code == 200, response.content
    body = response.json()
    assert "metadata_xml" not in body
    assert body["idp_entity_id"] == saml_idp.entity_id
    assert body["acs_url"] == f"http://testserver/sso/{org_a.slug}/saml/acs/"
    assert body["sp_entity_id"] == body["sp_metadata_url"]
    assert body["is_enabled"] is True
    assert body["sso_required"] is False
    assert client.get(_api(org_a, "saml")).json() == body


def test_api_patch_changes_one_saml_setting(org_a: Tenant, saml_idp: SamlIdp) -> None:
    configure_saml(org_a, saml_idp)
    client = login(Client(), org_a.admin.user)

    response = _json(client, "PATCH", _api(org_a, "saml"), {"sso_required": True})

    assert response.status_code == 200
    with org_a.scope():
        provider = SamlProvider.objects.get()
        assert AuditEntry.objects.filter(action="sso.saml_provider_changed").exists()
    assert provider.sso_required
    assert provider.idp_entity_id == saml_idp.entity_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metadata_xml": "<nope"}, "metadata_xml"),
        ({"metadata_url": "http://idp.example.test/md"}, "metadata_url"),
        ({"metadata_url": "not a url"}, "metadata_url"),
        (
            {"idp_entity_id": "x", "sso_url": "https://idp.test/sso", "idp_certificates": "no"},
            "idp_certificates",
        ),
        ({"is_enabled": "perhaps"}, "is_enabled"),
        ({"email_attribute": "a\nb"}, "email_attribute"),
    ],
)
def test_api_bad_saml_settings_are_400s_with_field_messages(
    org_a: Tenant, body: dict[str, Any], field: str
) -> None:
    client = login(Client(), org_a.admin.user)

    response = _json(client, "PUT", _api(org_a, "saml"), body)

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    with org_a.scope():
        assert not SamlProvider.objects.exists()


def test_api_oidc_secret_is_write_only_and_kept_on_patch(org_a: Tenant, idp: FakeIdp) -> None:
    client = login(Client(), org_a.admin.user)
    body = {"issuer": idp.issuer, "client_id": ACME_CLIENT, "client_secret": ACME_SECRET}

    created = _json(client, "PUT", _api(org_a, "oidc"), body)
    patched = _json(client, "PATCH", _api(org_a, "oidc"), {"name_claim": "given_name"})

    assert created.status_code == 200, created.content
    assert ACME_SECRET not in created.text
    assert created.json()["has_client_secret"] is True
    assert patched.status_code == 200
    assert patched.json()["name_claim"] == "given_name"
    with org_a.scope():
        provider = OidcProvider.objects.get()
    assert sealing.reveal(provider.client_secret_encrypted) == ACME_SECRET


def test_api_oidc_without_a_secret_or_with_a_bad_issuer_is_a_400(
    org_a: Tenant, idp: FakeIdp
) -> None:
    client = login(Client(), org_a.admin.user)

    no_secret = _json(client, "PUT", _api(org_a, "oidc"), {"issuer": idp.issuer, "client_id": "c"})
    bad_issuer = _json(
        client,
        "PUT",
        _api(org_a, "oidc"),
        {"issuer": "http://idp.example.test", "client_id": "c", "client_secret": "s"},
    )

    assert no_secret.status_code == 400
    assert "client_secret" in no_secret.json()["fields"]
    assert bad_issuer.status_code == 400
    assert "issuer" in bad_issuer.json()["fields"]


@pytest.mark.parametrize("role", ["coordinator", "member"])
@pytest.mark.parametrize("kind", ["oidc", "saml"])
def test_api_is_for_admins_only(org_a: Tenant, saml_idp: SamlIdp, role: str, kind: str) -> None:
    client = login(Client(), getattr(org_a, role).user)

    assert client.get(_api(org_a, kind)).status_code == 403
    response = _json(client, "PUT", _api(org_a, kind), {"metadata_xml": saml_idp.metadata()})
    assert response.status_code == 403
