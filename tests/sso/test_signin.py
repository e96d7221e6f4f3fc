"""Signing in through an organisation's OpenID Connect provider (a real one on 127.0.0.1)."""

from __future__ import annotations

import jwt
import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User
from organizations.models import AuditEntry, Membership, Role
from participants import directory
from participants.models import Person
from privacy.erasure.services import person_erase
from sso.models import OidcIdentity, OidcProvider
from tests.accounts.conftest import signed_in_user_id
from tests.conftest import Tenant
from tests.factories import make_member, make_user
from tests.sso.conftest import BOLT_CLIENT, BOLT_SECRET, configure
from tests.sso.idp import FakeIdp, follow_to_idp, new_key, sign_in

pytestmark = pytest.mark.django_db


def test_first_sign_in_makes_the_account_and_membership_just_in_time(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    client = Client()

    response = sign_in(client, org_a.slug)

    assert response.status_code == 302
    assert response.url == f"/o/{org_a.slug}/"
    user = User.objects.get(email="new.person@acme.test")
    assert user.full_name == "Nia New"
    assert not user.has_usable_password()
    assert signed_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists()
    with org_a.scope():
        assert Membership.objects.get(user=user).role == Role.MEMBER
        assert OidcIdentity.objects.get(user=user).subject == "subject-1"
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"account.created_by_sso", "sso.identity_linked", "membership.joined"} <= actions
    assert client.get(response.url).status_code == 200


def test_the_next_page_of_the_organisation_is_where_they_land(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    response = sign_in(Client(), org_a.slug, next_url=f"/o/{org_a.slug}/me/data/")

    assert response.url == f"/o/{org_a.slug}/me/data/"


def test_a_next_page_elsewhere_is_ignored(
    org_a: Tenant, org_b: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    response = sign_in(Client(), org_a.slug, next_url="https://evil.test/o/acme/")

    assert response.url == f"/o/{org_a.slug}/"


def test_an_existing_directory_person_is_matched_by_address(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    with org_a.scope():
        person = directory.person_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            email="Dana.Directory@acme.test",
            full_name="Dana Directory",
        )
    idp.claims = {"email": "dana.directory@ACME.test", "sub": "dana", "name": "Dana D."}

    response = sign_in(Client(), org_a.slug)

    assert response.status_code == 302
    user = User.objects.get(email="dana.directory@acme.test")
    with org_a.scope():
        assert Person.objects.get(pk=person.pk).user_id == user.pk
        assert Membership.objects.filter(user=user, role=Role.MEMBER).exists()


def test_an_existing_member_keeps_their_account_and_role(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.claims = {"email": org_a.coordinator.user.email, "sub": "casey"}
    client = Client()

    response = sign_in(client, org_a.slug)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(org_a.coordinator.user.pk)
    with org_a.scope():
        assert Membership.objects.get(user=org_a.coordinator.user).role == Role.COORDINATOR


def test_later_sign_ins_find_the_account_by_subject_when_the_address_changed(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    sign_in(Client(), org_a.slug)
    idp.claims = {"email": "nia.married@acme.test"}
    client = Client()

    sign_in(client, org_a.slug)

    assert signed_in_user_id(client) == str(User.objects.get(email="new.person@acme.test").pk)
    assert not User.objects.filter(email="nia.married@acme.test").exists()


def test_a_bad_signature_is_refused(org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider) -> None:
    idp.sign_with = new_key()
    client = Client()

    response = sign_in(client, org_a.slug)

    assert response.status_code == 403
    assert "signature does not verify" in response.text
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="new.person@acme.test").exists()


def test_a_token_for_another_audience_is_refused(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.audience = "someone-elses-client"

    response = sign_in(Client(), org_a.slug)

    assert response.status_code == 403
    assert "issued for another application" in response.text


def test_an_expired_token_is_refused(org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider) -> None:
    idp.lifetime = -600

    response = sign_in(Client(), org_a.slug)

    assert response.status_code == 403
    assert "expired" in response.text


def test_a_token_from_another_issuer_is_refused(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.issuer_override = "https://other-idp.test"

    response = sign_in(Client(), org_a.slug)

    assert response.status_code == 403
    assert "another identity provider" in response.text


def test_an_unverified_address_is_refused(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.claims = {"email_verified": False}

    assert sign_in(Client(), org_a.slug).status_code == 403
    assert not User.objects.filter(email="new.person@acme.test").exists()


def test_a_replayed_state_is_refused(org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider) -> None:
    client = Client()
    first = sign_in(client, org_a.slug)
    assert first.status_code == 302

    replay = client.get(first.callback)

    assert replay.status_code == 400
    assert "already used" in replay.text


def test_an_unknown_state_is_refused(org_a: Tenant, acme_sso: OidcProvider) -> None:
    response = Client().get(f"/sso/{org_a.slug}/callback/?code=abc&state=made-up")

    assert response.status_code == 400


def test_the_state_of_another_browser_is_refused(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    victim = Client()
    start = victim.get(f"/sso/{org_a.slug}/login/")
    callback = follow_to_idp(start.url)
    attacker = Client()

    assert attacker.get(callback).status_code == 400
    assert signed_in_user_id(attacker) is None


def test_the_provider_saying_no_is_a_clear_refusal(org_a: Tenant, acme_sso: OidcProvider) -> None:
    client = Client()
    start = client.get(f"/sso/{org_a.slug}/login/")
    state = dict(p.split("=", 1) for p in start.url.split("?", 1)[1].split("&"))["state"]

    response = client.get(
        f"/sso/{org_a.slug}/callback/?error=access_denied&error_description=Not+allowed&state={state}"
    )

    assert response.status_code == 403
    assert "Not allowed" in response.text


def test_an_unreachable_provider_is_a_502(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    client = Client()
    start = client.get(f"/sso/{org_a.slug}/login/")
    callback = follow_to_idp(start.url)
    assert idp.server is not None
    idp.server.shutdown()
    idp.server.server_close()

    response = client.get(callback)

    assert response.status_code == 502
    assert "could not be reached" in response.text


def test_org_a_provider_cannot_sign_into_org_b(
    org_a: Tenant, org_b: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    configure(org_b, idp, BOLT_CLIENT, BOLT_SECRET)
    client = Client()
    start = client.get(f"/sso/{org_a.slug}/login/")
    callback_a = follow_to_idp(start.url)

    # org A's state and code, presented at org B's callback: the state is org A's.
    response = client.get(callback_a.replace(f"/sso/{org_a.slug}/", f"/sso/{org_b.slug}/"))

    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="new.person@acme.test").exists()


def test_org_a_provider_cannot_open_an_account_of_org_b(
    org_a: Tenant, org_b: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.claims = {"email": org_b.admin.user.email, "sub": "impostor"}
    client = Client()

    response = sign_in(client, org_a.slug)

    assert response.status_code == 403
    assert "another organisation" in response.text
    assert signed_in_user_id(client) is None
    with org_a.scope():
        assert not Membership.objects.filter(user=org_b.admin.user).exists()


def test_a_person_in_two_organisations_is_refused_by_sso(
    org_a: Tenant, org_b: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    both = make_user("both@acme.test")
    make_member(org_a.organization, user=both)
    make_member(org_b.organization, user=both)
    idp.claims = {"email": both.email, "sub": "both"}

    assert sign_in(Client(), org_a.slug).status_code == 403


def test_an_organisation_without_sso_has_no_sign_in_address(org_b: Tenant) -> None:
    assert Client().get(f"/sso/{org_b.slug}/login/").status_code == 404
    assert Client().get(f"/sso/{org_b.slug}/callback/?state=x").status_code == 404
    assert Client().get("/sso/nope/login/").status_code == 404


def test_a_disabled_provider_has_no_sign_in_address(org_a: Tenant, acme_sso: OidcProvider) -> None:
    with org_a.scope():
        OidcProvider.objects.update(is_enabled=False)

    assert Client().get(f"/sso/{org_a.slug}/login/").status_code == 404


def test_the_authorisation_request_carries_state_nonce_and_pkce(
    org_a: Tenant, acme_sso: OidcProvider
) -> None:
    start = Client().get(f"/sso/{org_a.slug}/login/")

    query = dict(p.split("=", 1) for p in start.url.split("?", 1)[1].split("&"))
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43
    assert len(query["nonce"]) >= 43
    assert query["state"] != query["nonce"]
    assert query["client_id"] == "acme-client"


def test_erasure_forgets_the_providers_subject(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    with org_a.scope():
        person = directory.person_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            email="new.person@acme.test",
            full_name="Nia New",
        )
    sign_in(Client(), org_a.slug)
    with org_a.scope():
        assert OidcIdentity.objects.exists()
        report = person_erase(
            organization=org_a.organization,
            actor=org_a.admin.user,
            person=Person.objects.get(pk=person.pk),
            confirm_name="Nia New",
        )
        assert not OidcIdentity.objects.exists()
        assert not Membership.objects.filter(user__email="new.person@acme.test").exists()
    assert report.counts["sso.oidcidentity"] == 1


@pytest.mark.parametrize(
    ("raw", "status"),
    [("not-a-jwt", 403), ("", 403), ("a.b.c", 403)],
)
def test_an_unreadable_id_token_is_refused(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider, raw: str, status: int
) -> None:
    idp.raw_id_token = raw

    assert sign_in(Client(), org_a.slug).status_code == status


def test_an_unsigned_id_token_is_refused(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.raw_id_token = jwt.encode({"sub": "x", "aud": "acme-client"}, None, algorithm="none")

    response = sign_in(Client(), org_a.slug)

    assert response.status_code == 403
    assert "algorithm we refuse" in response.text


def test_a_failing_token_endpoint_is_a_502(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.token_status = 503

    assert sign_in(Client(), org_a.slug).status_code == 502


def test_a_token_endpoint_refusing_the_code_is_a_403(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    idp.token_status = 400

    assert sign_in(Client(), org_a.slug).status_code == 403


def test_a_callback_without_a_code_is_a_400(org_a: Tenant, acme_sso: OidcProvider) -> None:
    client = Client()
    start = client.get(f"/sso/{org_a.slug}/login/")
    state = dict(p.split("=", 1) for p in start.url.split("?", 1)[1].split("&"))["state"]

    assert client.get(f"/sso/{org_a.slug}/callback/?state={state}").status_code == 400
    assert client.get(f"/sso/{org_a.slug}/callback/?state={'x' * 5000}").status_code == 400
