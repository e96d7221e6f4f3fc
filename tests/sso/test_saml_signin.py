"""Signing in through an organisation's SAML 2.0 identity provider (a local one: key, certificate
and signed responses made in the test, posted to the ACS as the IdP's page would)."""

from __future__ import annotations

import base64
import time

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User
from organizations.models import AuditEntry, Membership, Role
from participants import directory
from participants.models import Person
from privacy.erasure.services import person_erase
from sso.models import SamlAssertionUse, SamlIdentity, SamlProvider
from tests.accounts.conftest import signed_in_user_id
from tests.conftest import Tenant
from tests.factories import make_member, make_user
from tests.sso.conftest import configure_saml
from tests.sso.saml_idp import (
    PERSISTENT,
    TRANSIENT,
    SamlIdp,
    new_identity,
    post_to_acs,
    saml_sign_in,
    sp_urls,
    start,
)

pytestmark = pytest.mark.django_db


def _refused(response: object, text: str) -> None:
    assert response.status_code == 400, response.status_code  # type: ignore[attr-defined]
    assert text in response.text, response.text  # type: ignore[attr-defined]


def test_first_sign_in_makes_the_account_and_membership_just_in_time(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()

    response = saml_sign_in(client, org_a.slug, saml_idp)

    assert response.status_code == 302, response.content
    assert response.url == f"/o/{org_a.slug}/"
    user = User.objects.get(email="new.person@acme.test")
    assert user.full_name == "Nia New"
    assert not user.has_usable_password()
    assert signed_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.filter(user=user, verified=True).exists()
    with org_a.scope():
        assert Membership.objects.get(user=user).role == Role.MEMBER
        assert SamlIdentity.objects.get(user=user).subject == "new.person@acme.test"
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"account.created_by_sso", "sso.identity_linked", "membership.joined"} <= actions
    assert client.get(response.url).status_code == 200


def test_the_next_page_of_the_organisation_is_where_they_land(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(Client(), org_a.slug, saml_idp, next_url=f"/o/{org_a.slug}/me/data/")

    assert response.url == f"/o/{org_a.slug}/me/data/"


def test_a_directory_person_is_linked_and_lands_in_their_program(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    with org_a.scope():
        person = directory.person_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            email="Dana.Directory@acme.test",
            full_name="Dana Directory",
        )
    client = Client()

    response = saml_sign_in(
        client,
        org_a.slug,
        saml_idp,
        name_id="dana-0001",
        name_id_format=PERSISTENT,
        attributes={"mail": "dana.directory@ACME.test", "displayName": "Dana D."},
    )

    assert response.status_code == 302
    user = User.objects.get(email="dana.directory@acme.test")
    assert user.full_name == "Dana D."
    with org_a.scope():
        assert Person.objects.get(pk=person.pk).user_id == user.pk
        assert SamlIdentity.objects.get(user=user).subject == "dana-0001"
    assert client.get(f"/o/{org_a.slug}/").status_code == 200


def test_an_existing_member_keeps_their_account_and_role(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()

    response = saml_sign_in(
        client, org_a.slug, saml_idp, name_id=org_a.coordinator.user.email.upper()
    )

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(org_a.coordinator.user.pk)
    with org_a.scope():
        assert Membership.objects.get(user=org_a.coordinator.user).role == Role.COORDINATOR


def test_later_sign_ins_find_the_account_by_persistent_name_id(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    first = {"name_id": "p-42", "name_id_format": PERSISTENT}
    saml_sign_in(Client(), org_a.slug, saml_idp, attributes={"email": "nia@acme.test"}, **first)
    client = Client()

    saml_sign_in(client, org_a.slug, saml_idp, attributes={"email": "nia.w@acme.test"}, **first)

    assert signed_in_user_id(client) == str(User.objects.get(email="nia@acme.test").pk)
    assert not User.objects.filter(email="nia.w@acme.test").exists()


def test_a_transient_name_id_is_not_kept(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(
        Client(),
        org_a.slug,
        saml_idp,
        name_id="_t8d9f",
        name_id_format=TRANSIENT,
        attributes={
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": "t@acme.test"
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="t@acme.test").exists()
    with org_a.scope():
        assert not SamlIdentity.objects.exists()


def test_the_mapped_attributes_are_used(org_a: Tenant, saml_idp: SamlIdp) -> None:
    configure_saml(org_a, saml_idp, email_attribute="workEmail", name_attributes="givenName, sn")

    response = saml_sign_in(
        Client(),
        org_a.slug,
        saml_idp,
        name_id="u-1",
        name_id_format=PERSISTENT,
        attributes={
            "workEmail": "mapped@acme.test",
            "givenName": "Mo",
            "sn": "Mapped",
            "email": "x@acme.test",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="mapped@acme.test").full_name == "Mo Mapped"


def test_no_address_is_a_clear_refusal(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(
        Client(), org_a.slug, saml_idp, name_id="u-2", name_id_format=PERSISTENT, attributes={}
    )

    assert response.status_code == 403
    assert "attribute mapping" in response.text


def test_a_signed_response_around_an_unsigned_assertion_is_accepted(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(
        Client(), org_a.slug, saml_idp, sign_assertion=False, sign_response=True
    )

    assert response.status_code == 302


def test_a_bad_signature_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()

    response = saml_sign_in(client, org_a.slug, saml_idp, signing_identity=new_identity())

    _refused(response, "signature does not verify")
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="new.person@acme.test").exists()
    with org_a.scope():
        assert AuditEntry.objects.filter(action="sso.saml_refused").exists()


def test_a_tampered_assertion_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(
        Client(), org_a.slug, saml_idp, tamper={"new.person@acme.test": "ceo@acme.test"}
    )

    _refused(response, "signature does not verify")
    assert not User.objects.filter(email="ceo@acme.test").exists()


def test_an_unsigned_response_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    _refused(saml_sign_in(Client(), org_a.slug, saml_idp, sign_assertion=False), "not signed")


def test_a_second_certificate_verifies_during_a_rollover(org_a: Tenant, saml_idp: SamlIdp) -> None:
    old = SamlIdp()
    configure_saml(
        org_a,
        saml_idp,
        metadata_xml=saml_idp.metadata(
            certificates=[old.certificate_body, saml_idp.certificate_body]
        ),
    )

    assert saml_sign_in(Client(), org_a.slug, saml_idp).status_code == 302
    assert saml_sign_in(Client(), org_a.slug, old, signing_identity=old.identity).status_code == 302


def test_another_audience_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(
        Client(), org_a.slug, saml_idp, audience="https://other-sp.test/metadata/"
    )

    _refused(response, "another application")


def test_an_expired_assertion_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    _refused(saml_sign_in(Client(), org_a.slug, saml_idp, lifetime=-900), "expired")


def test_another_destination_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = saml_sign_in(
        Client(), org_a.slug, saml_idp, destination="https://elsewhere.test/acs/"
    )

    _refused(response, "another address")


def test_a_replayed_assertion_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()
    first = saml_sign_in(client, org_a.slug, saml_idp, assertion_id="_once")
    assert first.status_code == 302

    # The same response again, then the same assertion ID answering a fresh request.
    again = post_to_acs(client, org_a.slug, first.saml_response)
    fresh = saml_sign_in(Client(), org_a.slug, saml_idp, assertion_id="_once")

    assert again.status_code == 400
    _refused(fresh, "already used")
    with org_a.scope():
        assert SamlAssertionUse.objects.filter(assertion_id="_once").count() == 1


def test_another_in_response_to_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()
    start(client, org_a.slug)
    body = saml_idp.response(request_id="_not-ours", **sp_urls(org_a.slug))

    _refused(post_to_acs(client, org_a.slug, body), "does not belong to a sign-in")
    assert signed_in_user_id(client) is None


def test_an_idp_initiated_response_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()
    start(client, org_a.slug)
    body = saml_idp.response(request_id=None, **sp_urls(org_a.slug))

    response = client.post(f"/sso/{org_a.slug}/saml/acs/", {"SAMLResponse": body})

    _refused(response, "started at the identity provider")
    assert signed_in_user_id(client) is None
    with org_a.scope():
        assert AuditEntry.objects.filter(action="sso.saml_refused").exists()


def test_a_response_for_another_browser_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    request_id = start(Client(), org_a.slug)
    attacker = Client()
    body = saml_idp.response(request_id=request_id, **sp_urls(org_a.slug))

    _refused(post_to_acs(attacker, org_a.slug, body), "does not belong to a sign-in")
    assert signed_in_user_id(attacker) is None


def test_signature_wrapping_with_a_second_assertion_is_refused(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()
    request_id = start(client, org_a.slug)
    evil = saml_idp.unsigned_assertion(
        request_id=request_id, name_id="ceo@acme.test", **sp_urls(org_a.slug)
    )
    body = saml_idp.response(request_id=request_id, wrapped=evil, **sp_urls(org_a.slug))

    _refused(post_to_acs(client, org_a.slug, body), "exactly one assertion")
    assert not User.objects.filter(email="ceo@acme.test").exists()


@pytest.mark.parametrize(
    "body", ["", "not base64 at all", base64.b64encode(b"<x>").decode(), "A" * 2_000_001]
)
def test_unreadable_answers_are_a_400(org_a: Tenant, acme_saml: SamlProvider, body: str) -> None:
    client = Client()
    start(client, org_a.slug)
    posted = Client().post(f"/sso/{org_a.slug}/saml/acs/", {"SAMLResponse": body})
    if posted.status_code == 303:
        posted = client.get(posted.url)

    assert posted.status_code == 400


def test_a_made_up_or_used_key_is_a_400(org_a: Tenant, acme_saml: SamlProvider) -> None:
    assert Client().get(f"/sso/{org_a.slug}/saml/acs/").status_code == 400
    assert Client().get(f"/sso/{org_a.slug}/saml/acs/?r={'x' * 43}").status_code == 400
    assert Client().get(f"/sso/{org_a.slug}/saml/acs/?r=<script>").status_code == 400


def test_org_a_response_cannot_sign_into_org_b(
    org_a: Tenant, org_b: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    configure_saml(org_b, saml_idp)
    client = Client()
    request_id = start(client, org_a.slug)
    body = saml_idp.response(request_id=request_id, **sp_urls(org_a.slug))

    response = post_to_acs(client, org_b.slug, body)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_org_a_provider_cannot_open_an_account_of_org_b(
    org_a: Tenant, org_b: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    client = Client()

    response = saml_sign_in(client, org_a.slug, saml_idp, name_id=org_b.admin.user.email)

    assert response.status_code == 403
    assert "another organisation" in response.text
    assert signed_in_user_id(client) is None
    with org_a.scope():
        assert not Membership.objects.filter(user=org_b.admin.user).exists()


def test_a_person_in_two_organisations_is_refused(
    org_a: Tenant, org_b: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    both = make_user("both@acme.test")
    make_member(org_a.organization, user=both)
    make_member(org_b.organization, user=both)

    assert saml_sign_in(Client(), org_a.slug, saml_idp, name_id=both.email).status_code == 403


def test_an_organisation_without_saml_has_no_saml_addresses(org_b: Tenant) -> None:
    for path in ("login/", "acs/", "metadata/"):
        assert Client().get(f"/sso/{org_b.slug}/saml/{path}").status_code == 404
    assert Client().post(f"/sso/{org_b.slug}/saml/acs/", {"SAMLResponse": "x"}).status_code == 404
    assert Client().get("/sso/nope/saml/login/").status_code == 404


def test_a_disabled_provider_signs_nobody_in_but_keeps_its_metadata(
    org_a: Tenant, acme_saml: SamlProvider
) -> None:
    with org_a.scope():
        SamlProvider.objects.update(is_enabled=False)

    assert Client().get(f"/sso/{org_a.slug}/saml/login/").status_code == 404
    assert Client().get(f"/sso/{org_a.slug}/saml/metadata/").status_code == 200


def test_the_sp_metadata_names_our_entity_id_and_acs(
    org_a: Tenant, acme_saml: SamlProvider
) -> None:
    response = Client().get(f"/sso/{org_a.slug}/saml/metadata/")

    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    urls = sp_urls(org_a.slug)
    assert f'entityID="{urls["audience"]}"' in response.text
    assert f'Location="{urls["acs_url"]}"' in response.text
    assert 'WantAssertionsSigned="true"' in response.text


def test_the_authn_request_goes_to_the_idp_with_our_acs(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    response = Client().get(f"/sso/{org_a.slug}/saml/login/")

    assert response.url.startswith(saml_idp.sso_url + "?SAMLRequest=")
    assert "RelayState=" in response.url


def test_erasure_forgets_the_idps_name_id(
    org_a: Tenant, saml_idp: SamlIdp, acme_saml: SamlProvider
) -> None:
    with org_a.scope():
        person = directory.person_create(
            organization=org_a.organization,
            actor=org_a.admin.user,
            email="new.person@acme.test",
            full_name="Nia New",
        )
    saml_sign_in(Client(), org_a.slug, saml_idp)
    with org_a.scope():
        assert SamlIdentity.objects.exists()
        report = person_erase(
            organization=org_a.organization,
            actor=org_a.admin.user,
            person=Person.objects.get(pk=person.pk),
            confirm_name="Nia New",
        )
        assert not SamlIdentity.objects.exists()
    assert report.counts["sso.samlidentity"] == 1


def test_posts_to_the_acs_count_against_their_address(
    org_a: Tenant, acme_saml: SamlProvider
) -> None:
    """Anyone may post to the ACS and each post may park half a megabyte: an address that posts
    more than the sign-in bound in a minute is refused (429) before anything is parked."""
    from accounts import signin_limits

    # The bound counts per minute of the clock: start well inside one, or the post could land in
    # the next minute, whose count starts afresh (this failed once in CI).
    into = time.time() % signin_limits.ATTEMPTS.window
    if into > signin_limits.ATTEMPTS.window - 10:
        time.sleep(signin_limits.ATTEMPTS.window - into + 0.5)
    for _ in range(signin_limits.ATTEMPTS.failures):
        assert signin_limits.count_attempt("127.0.0.1") is None
    refused = Client().post(f"/sso/{org_a.slug}/saml/acs/", {"SAMLResponse": "x" * 100})
    assert refused.status_code == 429
    assert b"Too many sign-in attempts" in refused.content
    other = Client(REMOTE_ADDR="10.1.2.3").post(
        f"/sso/{org_a.slug}/saml/acs/", {"SAMLResponse": "not base64 at all"}
    )
    assert other.status_code == 400  # another address is not concerned
