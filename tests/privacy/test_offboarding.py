"""Offboarding an organisation deletes every row it owns, in every tenant table, and nothing else.

The organisation is the role matrix's world (``tests/access/world.py``: a program with its pair and
everything around it, every area's objects) plus one row of each tenant model the world does not
make. ``test_the_full_organisation_has_a_row_in_every_tenant_table`` fails when a tenant model is
added without a row here: add one to ``_complete`` so offboarding is proven for it too.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from feedback.models import (
    EmailPreferences,
    Goal,
    GoalUpdate,
    PlannedSession,
    SessionLog,
    SessionTopic,
)
from matching.models import MatchingRound, UnmatchedEntry
from organizations.models import IdempotencyRecord, Organization, OrganizationLogo
from organizations.scope import dangerously_unscoped
from organizations.tenancy import tenant_models
from participants.models import (
    DirectoryGroup,
    DirectoryGroupMember,
    Enrollment,
    InvitationsKeptOpen,
    TrainingCompletion,
)
from privacy.models import ErasedPairing, RetentionPolicy
from programs.models import Program, ProgramTopic, Topic, TrainingResource
from sso.models import SamlAssertionUse, SamlIdentity, SamlProvider
from tests.access.world import World, build

pytestmark = pytest.mark.django_db


def _complete(world: World) -> None:
    """One row of each tenant model the world leaves empty."""
    tenant, ids = world.org_a, world.ids
    with tenant.scope():
        program = Program.objects.get(pk=ids["pg_program"])
        topic = Topic.objects.get(pk=ids["pg_topic"])
        ProgramTopic.objects.get_or_create(program=program, topic=topic)
        TrainingCompletion.objects.create(
            enrollment=Enrollment.objects.get(pk=ids["own_enrollment"]),
            resource=TrainingResource.objects.get(pk=ids["pg_training"]),
        )
        InvitationsKeptOpen.objects.create(program=program, open_count=1)
        UnmatchedEntry.objects.create(
            round=MatchingRound.objects.get(pk=ids["matching_round"]),
            enrollment=Enrollment.objects.get(pk=ids["applicant_enrollment"]),
            reason_code="capacity",
            reason="No mentor place left",
        )
        SessionTopic.objects.get_or_create(
            session=SessionLog.objects.get(pk=ids["relationship_session"]), topic=topic
        )
        GoalUpdate.objects.create(
            goal=Goal.objects.get(pk=ids["relationship_goal"]), progress=40, comment="Halfway"
        )
        EmailPreferences.objects.create(user=tenant.member.user, partner_activity=False)
        session = SessionLog.objects.get(pk=ids["relationship_session"])
        PlannedSession.objects.create(
            pair_id=session.pair_id,
            planned_by_id=session.logged_by_id,
            starts_on=session.held_on,
        )
        RetentionPolicy.objects.create(audit_months=24)
        ErasedPairing.objects.create(pair_key="0" * 64)
        OrganizationLogo.objects.get_or_create(
            defaults={"content": b"\x89PNG\r\n\x1a\n", "content_type": "image/png"}
        )
        IdempotencyRecord.objects.create(caller="user:1", key="k", fingerprint="0" * 64)
        group, _created = DirectoryGroup.objects.get_or_create(display_name="Executives")
        DirectoryGroupMember.objects.create(
            group=group, person=Enrollment.objects.get(pk=ids["own_enrollment"]).person
        )
        SamlProvider.objects.get_or_create(
            defaults={
                "idp_entity_id": "https://idp.acme.test",
                "sso_url": "https://idp.acme.test/sso",
                "idp_certificates": "MIIB",
            }
        )
        SamlIdentity.objects.get_or_create(subject="acme-7", user=tenant.member.user)
        SamlAssertionUse.objects.create(
            assertion_id="_a1", expires_at=session.created_at + timedelta(minutes=5)
        )


def _counts(organization_id: int) -> dict[str, int]:
    with dangerously_unscoped():
        return {
            model._meta.label: model.dangerously_unscoped_objects.filter(
                organization_id=organization_id
            ).count()
            for model in tenant_models()
        }


@pytest.fixture
def world() -> World:
    built = build()
    _complete(built)
    return built


def test_the_full_organisation_has_a_row_in_every_tenant_table(world: World) -> None:
    empty = [label for label, count in _counts(world.org_a.organization.pk).items() if not count]
    assert empty == [], (
        f"Add a row of {empty} to the organisation of tests/privacy/test_offboarding.py, so that "
        "offboarding is proven to delete it."
    )


def test_offboarding_deletes_every_row_of_the_organisation_and_nothing_else(world: World) -> None:
    org_a, org_b = world.org_a.organization, world.org_b.organization
    before_b = _counts(org_b.pk)
    assert sum(before_b.values()) > 0
    users_a = [user.pk for user in world.users.values() if user is not None]
    users_b = list(User.objects.filter(email__endswith="@bolt.test").values_list("id", flat=True))

    call_command("offboard_organization", org_a.slug, confirm=org_a.slug, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys, checked now

    after_a = _counts(org_a.pk)
    assert {label: count for label, count in after_a.items() if count} == {}
    assert _counts(org_b.pk) == before_b
    assert not Organization.objects.filter(pk=org_a.pk).exists()
    assert Organization.objects.filter(pk=org_b.pk).exists()
    # Accounts that belonged to org A alone are gone; org B's stay.
    assert not User.objects.filter(pk__in=users_a).exists()
    assert User.objects.filter(pk__in=users_b).count() == len(users_b) > 0


def test_the_dry_run_counts_and_deletes_nothing(world: World) -> None:
    org_a = world.org_a.organization
    before = _counts(org_a.pk)
    out = StringIO()
    call_command("offboard_organization", org_a.slug, dry_run=True, stdout=out)
    assert _counts(org_a.pk) == before
    text = out.getvalue()
    assert f"rows in all: {sum(before.values())}" in text
    assert f"participants.Person: {before['participants.Person']}" in text


def test_an_unconfirmed_or_unknown_organisation_is_refused(world: World) -> None:
    org_a = world.org_a.organization
    before = _counts(org_a.pk)
    with pytest.raises(CommandError):
        call_command("offboard_organization", org_a.slug, confirm="bolt", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("offboard_organization", "no-such-org", dry_run=True, stdout=StringIO())
    assert _counts(org_a.pk) == before
