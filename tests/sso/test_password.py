""" "SSO required": password sign-in of the organisation's people is sent to the provider; admins with
a second factor keep the password as the break-glass way in."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from organizations.models import Role
from sso.models import OidcProvider
from tests.accounts.conftest import post_login, signed_in_user_id
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_member, make_user
from tests.sso.conftest import ACME_CLIENT, ACME_SECRET, configure
from tests.sso.idp import FakeIdp

pytestmark = pytest.mark.django_db


@pytest.fixture
def required(org_a: Tenant, idp: FakeIdp) -> OidcProvider:
    return configure(org_a, idp, ACME_CLIENT, ACME_SECRET, required=True)


def test_sso_required_sends_a_member_password_sign_in_to_the_provider(
    org_a: Tenant, required: OidcProvider
) -> None:
    client = Client()

    response = post_login(client, org_a.member.user.email, PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("sso_login", kwargs={"org_slug": org_a.slug})
    assert signed_in_user_id(client) is None
    assert client.get(response.url).url.startswith(required.authorization_endpoint)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_staff_without_a_second_factor_are_sent_to_the_provider_too(
    org_a: Tenant, required: OidcProvider, role: str
) -> None:
    client = Client()

    response = post_login(client, getattr(org_a, role).user.email, PASSWORD)

    assert response.url == reverse("sso_login", kwargs={"org_slug": org_a.slug})
    assert signed_in_user_id(client) is None


def test_an_admin_with_a_second_factor_may_use_the_password(
    org_a: Tenant, required: OidcProvider
) -> None:
    TOTP.activate(org_a.admin.user, generate_totp_secret())
    client = Client()

    response = post_login(client, org_a.admin.user.email, PASSWORD)

    # The password is accepted; allauth asks for the second factor next.
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")


def test_a_coordinator_with_a_second_factor_is_still_sent_to_the_provider(
    org_a: Tenant, required: OidcProvider
) -> None:
    TOTP.activate(org_a.coordinator.user, generate_totp_secret())

    response = post_login(Client(), org_a.coordinator.user.email, PASSWORD)

    assert response.url == reverse("sso_login", kwargs={"org_slug": org_a.slug})


def test_without_sso_required_the_password_works(
    org_a: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    client = Client()

    post_login(client, org_a.member.user.email, PASSWORD)

    assert signed_in_user_id(client) == str(org_a.member.user.pk)


def test_a_disabled_provider_requires_nothing(org_a: Tenant, required: OidcProvider) -> None:
    with org_a.scope():
        OidcProvider.objects.update(is_enabled=False)
    client = Client()

    post_login(client, org_a.member.user.email, PASSWORD)

    assert signed_in_user_id(client) == str(org_a.member.user.pk)


def test_other_organisations_are_not_affected(
    org_a: Tenant, org_b: Tenant, required: OidcProvider
) -> None:
    client = Client()

    post_login(client, org_b.member.user.email, PASSWORD)

    assert signed_in_user_id(client) == str(org_b.member.user.pk)


def test_a_person_of_two_organisations_keeps_the_password(
    org_a: Tenant, org_b: Tenant, required: OidcProvider
) -> None:
    both = make_user("both@acme.test")
    make_member(org_a.organization, user=both, role=Role.MEMBER)
    make_member(org_b.organization, user=both, role=Role.MEMBER)
    client = Client()

    post_login(client, both.email, PASSWORD)

    assert signed_in_user_id(client) == str(both.pk)


def test_the_sign_in_page_offers_sso_for_a_page_of_that_organisation(
    org_a: Tenant, org_b: Tenant, idp: FakeIdp, acme_sso: OidcProvider
) -> None:
    page = Client().get(reverse("account_login") + f"?next=/o/{org_a.slug}/me/data/")
    elsewhere = Client().get(reverse("account_login") + f"?next=/o/{org_b.slug}/")
    plain = Client().get(reverse("account_login"))

    assert f"/sso/{org_a.slug}/login/?next=%2Fo%2F{org_a.slug}%2Fme%2Fdata%2F" in page.text
    assert "/sso/" not in elsewhere.text
    assert "/sso/" not in plain.text
