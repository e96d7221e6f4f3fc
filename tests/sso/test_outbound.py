"""Identity providers' addresses cannot point the server into its own network: in production
(``FLIPSIDE_SSO_ALLOW_PRIVATE`` off) discovery and SAML metadata go over https to public addresses
only, resolved once and connected to as checked (``core.outbound``)."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from core import outbound
from sso.models import OidcProvider, SamlProvider
from tests.conftest import Tenant, login
from tests.sso.conftest import ACME_CLIENT, ACME_SECRET
from tests.sso.idp import running_idp

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.FLIPSIDE_SSO_ALLOW_PRIVATE = False
    # DNS is outside our control: these names answer what an attacker's DNS would.
    answers = {
        "idp.internal.test": ["10.0.0.5"],
        "metadata.cloud.test": ["169.254.169.254"],
        "mixed.test": ["93.184.216.34", "127.0.0.1"],
    }
    monkeypatch.setattr(outbound, "resolve", lambda host, port: answers.get(host, ["127.0.0.1"]))


@pytest.mark.usefixtures("production")
@pytest.mark.parametrize(
    "issuer", ["https://idp.internal.test", "https://metadata.cloud.test", "https://mixed.test"]
)
def test_an_issuer_on_a_private_address_is_refused(org_a: Tenant, issuer: str) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/o/{org_a.slug}/settings/sso/",
        {
            "issuer": issuer,
            "client_id": ACME_CLIENT,
            "client_secret": ACME_SECRET,
            "email_claim": "email",
            "name_claim": "name",
        },
    )
    assert response.status_code == 400
    assert "not reachable from the internet" in response.context["form"].errors["issuer"][0]
    with org_a.scope():
        assert not OidcProvider.objects.exists()


@pytest.mark.usefixtures("production")
def test_a_local_provider_over_plain_http_is_refused_in_production(org_a: Tenant) -> None:
    with running_idp() as idp:
        client = login(Client(), org_a.admin.user)
        response = client.post(
            f"/o/{org_a.slug}/settings/sso/",
            {
                "issuer": idp.issuer,
                "client_id": ACME_CLIENT,
                "client_secret": ACME_SECRET,
                "email_claim": "email",
                "name_claim": "name",
            },
        )
    assert response.status_code == 400
    with org_a.scope():
        assert not OidcProvider.objects.exists()


@pytest.mark.usefixtures("production")
def test_a_metadata_url_on_a_private_address_is_refused(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/o/{org_a.slug}/settings/sso/",
        {
            "kind": "saml",
            "saml-is_enabled": "on",
            "saml-metadata_url": "https://metadata.cloud.test/latest/meta-data/",
        },
    )
    with org_a.scope():
        assert not SamlProvider.objects.exists()
    assert response.status_code == 400
    errors = " ".join(response.context["saml_form"].errors["metadata_url"])
    assert "not reachable from the internet" in errors


def test_fetch_connects_to_the_checked_address_and_follows_no_redirect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name is resolved once; the connection goes to that address whatever DNS says next;
    a 3xx is the answer."""
    with running_idp() as idp:
        port = idp.server.server_address[1]
        answers = iter([["127.0.0.1"], ["10.9.9.9"]])
        monkeypatch.setattr(outbound, "resolve", lambda host, port: next(answers))
        reply = outbound.fetch(
            f"http://provider.example.test:{port}/.well-known/openid-configuration",
            allow_private=True,
        )
    assert reply.status in (200, 404)  # reached the local server, by the first answer


def test_fetch_refuses_what_it_may_not_ask() -> None:
    for url, allow_private in (
        ("http://example.com/", False),
        ("ftp://example.com/", True),
        ("https://user:pw@example.com/", True),
        ("https://example.com:99999/", True),
    ):
        with pytest.raises(outbound.OutboundRefusedError):
            outbound.fetch(url, allow_private=allow_private)
