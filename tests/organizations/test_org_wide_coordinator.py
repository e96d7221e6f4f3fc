"""An org-wide coordinator (``Membership.all_programs``) coordinates every program of the
organisation; a coordinator of one program sees only theirs (the rule: ``programs.access``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.access import Forbidden
from organizations import services
from organizations.models import AuditEntry, Membership, Role
from programs import services as programs
from programs.access import managed_programs
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import make_program

pytestmark = pytest.mark.django_db


def _two_programs(org_a: Tenant) -> tuple[Any, Any]:
    mine, theirs = make_program(org_a, name="Mine"), make_program(org_a, name="Theirs")
    with org_a.scope():
        programs.coordinator_assign(
            actor=org_a.admin.user, program=mine, user=org_a.coordinator.user
        )
    return mine, theirs


def _org_wide(org_a: Tenant) -> Membership:
    with org_a.scope():
        return services.membership_set_all_programs(
            actor=org_a.admin.user, membership=org_a.coordinator, all_programs=True
        )


def test_a_per_program_coordinator_sees_only_their_program(org_a: Tenant, client_for: Any) -> None:
    mine, theirs = _two_programs(org_a)
    with org_a.scope():
        assert set(managed_programs(org_a.coordinator)) == {mine}
    client = client_for(org_a.coordinator.user)
    page = client.get(reverse("program_list", kwargs={"org_slug": org_a.slug})).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page
    detail = reverse("program_detail", kwargs={"org_slug": org_a.slug, "pk": theirs.pk})
    assert client.get(detail).status_code == 404


def test_an_org_wide_coordinator_sees_and_coordinates_every_program(
    org_a: Tenant, org_b: Tenant, client_for: Any
) -> None:
    mine, theirs = _two_programs(org_a)
    foreign = make_program(org_b, name="Foreign")
    _org_wide(org_a)
    with org_a.scope():
        org_a.coordinator.refresh_from_db()
        assert set(managed_programs(org_a.coordinator)) == {mine, theirs}
    client = client_for(org_a.coordinator.user)
    page = client.get(reverse("program_list", kwargs={"org_slug": org_a.slug})).content.decode()
    assert "Mine" in page
    assert "Theirs" in page
    assert "Foreign" not in page
    detail = reverse("program_detail", kwargs={"org_slug": org_a.slug, "pk": theirs.pk})
    assert client.get(detail).status_code == 200
    edit = reverse("program_edit", kwargs={"org_slug": org_a.slug, "pk": theirs.pk})
    assert client.get(edit).status_code == 200
    # Another organisation's program stays out of reach.
    other = reverse("program_detail", kwargs={"org_slug": org_a.slug, "pk": foreign.pk})
    assert client.get(other).status_code == 404


def test_setting_it_is_audited_with_before_and_after(org_a: Tenant) -> None:
    _org_wide(org_a)
    with org_a.scope():
        entry = AuditEntry.objects.get(action="membership.all_programs_changed")
        assert entry.actor == org_a.admin.user
        assert entry.data == {"from": False, "to": True}
        services.membership_set_all_programs(
            actor=org_a.admin.user, membership=org_a.coordinator, all_programs=False
        )
        assert not Membership.objects.get(pk=org_a.coordinator.pk).all_programs


def test_only_an_admin_sets_it(org_a: Tenant) -> None:
    with org_a.scope(), pytest.raises(Forbidden):
        services.membership_set_all_programs(
            actor=org_a.coordinator.user, membership=org_a.coordinator, all_programs=True
        )


def test_only_a_coordinator_can_be_org_wide(org_a: Tenant) -> None:
    with org_a.scope(), pytest.raises(ValidationError) as error:
        services.membership_set_all_programs(
            actor=org_a.admin.user, membership=org_a.member, all_programs=True
        )
    assert "all_programs" in error.value.message_dict


def test_a_role_change_away_from_coordinator_clears_it(org_a: Tenant) -> None:
    _org_wide(org_a)
    with org_a.scope():
        membership = Membership.objects.get(pk=org_a.coordinator.pk)
        services.membership_change_role(
            actor=org_a.admin.user, membership=membership, role="member"
        )
        services.membership_change_role(
            actor=org_a.admin.user, membership=membership, role=Role.COORDINATOR
        )
        assert not Membership.objects.get(pk=membership.pk).all_programs


def test_the_members_page_sets_it(org_a: Tenant, client_for: Any) -> None:
    client = client_for(org_a.admin.user)
    members = reverse("member_list", kwargs={"org_slug": org_a.slug})
    assert 'name="all_programs"' in client.get(members).content.decode()
    url = reverse("member_programs", kwargs={"org_slug": org_a.slug, "pk": org_a.coordinator.pk})
    response = client.post(url, {"all_programs": "on"})
    assert response.status_code == 302
    with org_a.scope():
        assert Membership.objects.get(pk=org_a.coordinator.pk).all_programs
    # A coordinator cannot make themselves org-wide.
    response = client_for(org_a.coordinator.user).post(url, {})
    assert response.status_code == 403


def test_the_api_sets_it_and_refuses_it_for_a_member(org_a: Tenant, client_for: Any) -> None:
    client = client_for(org_a.admin.user)

    def url(pk: int) -> str:
        return reverse("api-member-detail", kwargs={"org_slug": org_a.slug, "pk": pk})

    response = client.patch(
        url(org_a.coordinator.pk), {"all_programs": True}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["all_programs"] is True
    response = client.patch(
        url(org_a.member.pk), {"all_programs": True}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "all_programs" in response.json()["fields"]
    response = client.patch(url(org_a.member.pk), {}, content_type="application/json")
    assert response.status_code == 400
