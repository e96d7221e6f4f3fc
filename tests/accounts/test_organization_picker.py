"""After signing in, ``/`` picks the organisation: straight in with one, a choice with several."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from organizations.models import Role
from tests.accounts.conftest import post_login
from tests.conftest import Tenant
from tests.factories import PASSWORD, make_member, make_user

pytestmark = pytest.mark.django_db


def test_a_person_in_two_organisations_chooses_between_them(
    org_a: Tenant, org_b: Tenant, client_for: Callable[[User], Client]
) -> None:
    make_member(org_b.organization, user=org_a.member.user, role=Role.COORDINATOR)

    page = client_for(org_a.member.user).get(reverse("home"))

    assert page.status_code == 200
    assert [(c.organization.slug, c.role) for c in page.context["choices"]] == [
        (org_a.slug, Role.MEMBER),
        (org_b.slug, Role.COORDINATOR),
    ]
    assert f'href="/o/{org_a.slug}/"' in page.text
    assert f'href="/o/{org_b.slug}/"' in page.text
    assert org_a.organization.name in page.text
    assert org_b.organization.name in page.text


def test_a_person_in_one_organisation_goes_straight_in(
    org_a: Tenant, org_b: Tenant, client_for: Callable[[User], Client]
) -> None:
    response = client_for(org_a.member.user).get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"/o/{org_a.slug}/"


def test_sign_in_lands_a_one_organisation_person_on_its_home(org_a: Tenant) -> None:
    client = Client()

    response = client.get(post_login(client, org_a.admin.user.email, PASSWORD).url, follow=True)

    assert response.redirect_chain == [(f"/o/{org_a.slug}/", 302)]
    assert response.context["organization"] == org_a.organization
    assert f"<h1>{org_a.organization.name}</h1>" in response.text


def test_a_person_in_one_organisation_can_still_open_the_list(
    org_a: Tenant, client_for: Callable[[User], Client]
) -> None:
    page = client_for(org_a.member.user).get(reverse("home") + "?pick=1")

    assert page.status_code == 200
    assert [c.organization for c in page.context["choices"]] == [org_a.organization]


def test_a_person_in_no_organisation_sees_the_empty_state(
    org_a: Tenant, client_for: Callable[[User], Client]
) -> None:
    page = client_for(make_user("lonely@example.test")).get(reverse("home"))

    assert page.status_code == 200
    assert page.context["choices"] == []
    assert "You are not in an organisation yet" in page.text
    assert org_a.organization.name not in page.text


def test_an_inactive_organisation_is_not_offered(
    org_a: Tenant, org_b: Tenant, client_for: Callable[[User], Client]
) -> None:
    make_member(org_b.organization, user=org_a.member.user)
    org_b.organization.is_active = False
    org_b.organization.save(update_fields=["is_active"])

    response = client_for(org_a.member.user).get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"/o/{org_a.slug}/"


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    response = Client().get(reverse("home"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next=/"
