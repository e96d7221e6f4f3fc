"""The admins' single sign-on settings page: discovery on save, the secret never shown again,
audit entries, and refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from organizations.models import AuditEntry
from sso import sealing
from sso.models import OidcProvider
from tests.conftest import Tenant, login
from tests.sso.conftest import ACME_CLIENT, ACME_SECRET
from tests.sso.idp import FakeIdp, running_idp

pytestmark = pytest.mark.django_db


def _url(tenant: Tenant) -> str:
    return f"/o/{tenant.slug}/settings/sso/"


def _form(idp: FakeIdp, **changes: object) -> dict[str, object]:
    return {
        "issuer": idp.issuer,
        "client_id": ACME_CLIENT,
        "client_secret": ACME_SECRET,
        "email_claim": "email",
        "name_claim": "name",
        "is_enabled": "on",
        **changes,
    }


def test_admin_connects_a_provider_and_the_secret_is_never_shown_again(
    org_a: Tenant, idp: FakeIdp
) -> None:
    client = login(Client(), org_a.admin.user)

    response = client.post(_url(org_a), _form(idp, sso_required="on"))

    assert response.status_code == 302
    with org_a.scope():
        provider = OidcProvider.objects.get()
        entry = AuditEntry.objects.get(action="sso.provider_created")
    assert provider.token_endpoint == f"{idp.issuer}/token"
    assert provider.jwks_uri == f"{idp.issuer}/jwks"
    assert provider.sso_required
    assert ACME_SECRET not in provider.client_secret_encrypted
    assert sealing.reveal(provider.client_secret_encrypted) == ACME_SECRET
    assert ACME_SECRET not in str(entry.data)
    page = client.get(_url(org_a))
    assert page.status_code == 200
    assert ACME_SECRET not in page.text
    assert f"/sso/{org_a.slug}/callback/" in page.text


def test_saving_without_a_secret_keeps_the_stored_one(org_a: Tenant, idp: FakeIdp) -> None:
    client = login(Client(), org_a.admin.user)
    client.post(_url(org_a), _form(idp))

    response = client.post(_url(org_a), _form(idp, client_secret="", name_claim="given_name"))

    assert response.status_code == 302
    with org_a.scope():
        provider = OidcProvider.objects.get()
        entry = AuditEntry.objects.get(action="sso.provider_changed")
    assert provider.name_claim == "given_name"
    assert sealing.reveal(provider.client_secret_encrypted) == ACME_SECRET
    assert entry.data["changed"] == ["name_claim"]
    assert entry.data["client_secret_replaced"] is False


def test_the_first_save_needs_a_secret(org_a: Tenant, idp: FakeIdp) -> None:
    client = login(Client(), org_a.admin.user)

    response = client.post(_url(org_a), _form(idp, client_secret=""))

    assert response.status_code == 400
    assert response.context["form"].errors["client_secret"] == ["Give the client secret."]


def test_an_issuer_that_cannot_be_reached_is_a_field_error(org_a: Tenant) -> None:
    with running_idp() as gone:
        issuer = gone.issuer
    client = login(Client(), org_a.admin.user)

    response = client.post(_url(org_a), {**_form_for(issuer)})

    assert response.status_code == 400
    assert "could not be reached" in response.context["form"].errors["issuer"][0]
    with org_a.scope():
        assert not OidcProvider.objects.exists()


def test_a_plain_http_issuer_elsewhere_is_refused(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)

    response = client.post(_url(org_a), _form_for("http://idp.example.test"))

    assert response.status_code == 400
    assert "issuer" in response.context["form"].errors


def _form_for(issuer: str) -> dict[str, object]:
    return {
        "issuer": issuer,
        "client_id": ACME_CLIENT,
        "client_secret": ACME_SECRET,
        "email_claim": "email",
        "name_claim": "name",
    }


@pytest.mark.parametrize("role", ["coordinator", "member"])
def test_only_admins_see_or_change_the_settings(org_a: Tenant, idp: FakeIdp, role: str) -> None:
    client = login(Client(), getattr(org_a, role).user)

    assert client.get(_url(org_a)).status_code == 403
    assert client.post(_url(org_a), _form(idp)).status_code == 403
    with org_a.scope():
        assert not OidcProvider.objects.exists()


def test_another_organisations_admin_gets_404(org_a: Tenant, org_b: Tenant, idp: FakeIdp) -> None:
    client = login(Client(), org_b.admin.user)

    assert client.get(_url(org_a)).status_code == 404
    assert client.post(_url(org_a), _form(idp)).status_code == 404
