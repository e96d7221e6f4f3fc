"""The large tenant's seed (bench/large_tenant.py) at a tiny scale: it runs, refuses a second run on
its slug, and writes the promised shape with counts proportional to the scale, so the dashboards
bench cannot rot. No timing here (the bench prints timings, never a test)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from bench import large_tenant
from feedback.models import CheckIn, CheckInStatus, EngagementLevel, EngagementSnapshot, SessionLog
from matching.models import Pair, PairStatus
from organizations.models import Organization
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.models import ProgramStatus
from surveys.models import SurveyAnswer, SurveyResponse, Wave

SCALE = 0.04

pytestmark = pytest.mark.django_db


def approx(expected: float, tolerance: float = 0.25) -> object:
    return pytest.approx(expected, rel=tolerance)


def test_the_seed_writes_the_promised_shape_in_proportion_to_its_scale() -> None:
    seeded = large_tenant.seed(slug="huge", scale=SCALE, analyze=False)

    with tenant_scope(seeded.organization):
        closed, largest, other = seeded.programs
        assert [p.status for p in seeded.programs] == [
            ProgramStatus.CLOSED,
            ProgramStatus.ACTIVE,
            ProgramStatus.ACTIVE,
        ]
        assert seeded.largest_program == largest
        assert Pair.objects.count() == round(2500 * SCALE) == seeded.counts["pairs"]
        assert Person.objects.count() == round(5000 * SCALE)
        assert SessionLog.objects.count() == round(60_000 * SCALE)
        assert CheckIn.objects.count() == round(20_000 * SCALE)
        assert SurveyAnswer.objects.count() == approx(20_000 * SCALE)

        # Enrolments in every status (the active programs), pairs in every state.
        assert set(
            Enrollment.objects.filter(program=largest).values_list("status", flat=True)
        ) == set(EnrollmentStatus.values)
        assert set(Pair.objects.filter(program=largest).values_list("status", flat=True)) == {
            PairStatus.ACTIVE,
            PairStatus.PAUSED,
            PairStatus.ENDED,
            PairStatus.PENDING,
        }
        assert set(Pair.objects.filter(program=closed).values_list("status", flat=True)) == {
            PairStatus.COMPLETED,
            PairStatus.ENDED,
        }
        assert EngagementSnapshot.objects.filter(level=EngagementLevel.AT_RISK).exists()
        statuses = set(CheckIn.objects.values_list("status", flat=True))
        assert {CheckInStatus.ANSWERED, CheckInStatus.SENT} <= statuses
        assert CheckIn.objects.filter(wants_contact=True).exists()
        # The closed program's pre and post surveys are answered by the same pseudonyms.
        pre = set(
            SurveyResponse.objects.filter(
                survey__program=closed, survey__wave=Wave.PRE
            ).values_list("pseudonym", flat=True)
        )
        post = set(
            SurveyResponse.objects.filter(
                survey__program=closed, survey__wave=Wave.POST
            ).values_list("pseudonym", flat=True)
        )
        assert len(pre & post) >= 5
        # The participant is a mentee of the largest program with an active pair.
        mine = Person.objects.get(user=seeded.participant)
        assert Pair.objects.filter(
            program=largest, mentee__person=mine, status=PairStatus.ACTIVE
        ).exists()
        # Mentors of the closed program enrolled again later (mentor retention has a figure).
        assert Enrollment.objects.filter(
            program__in=(largest, other), person__enrollments__program=closed
        ).exists()

    assert seeded.counts["small_tenants"] == large_tenant.SMALL_TENANTS
    assert Organization.objects.filter(slug__startswith="huge-small-").count() == 50

    # The pages the bench drives answer on it.
    client = Client()
    client.force_login(seeded.admin)
    for path in (
        reverse("program_dashboard", args=("huge", largest.pk)),
        reverse("api-program-dashboard", args=("huge", largest.pk)),
        reverse("organization_home", args=("huge",)),
        reverse("organization_overview", args=("huge",)),
    ):
        assert client.get(path).status_code == 200, path
    client.force_login(seeded.participant)
    assert client.get(reverse("organization_home", args=("huge",))).status_code == 200


def test_the_command_refuses_to_seed_the_same_slug_twice() -> None:
    call_command("seed_large_tenant", "--scale", "0.01", "--slug", "twice", stdout=None)
    assert Organization.objects.filter(slug="twice").exists()
    with pytest.raises(CommandError, match="exists already"):
        call_command("seed_large_tenant", "--scale", "0.01", "--slug", "twice")


def test_the_command_names_the_same_default_slug_as_the_seed() -> None:
    from bench import large_tenant
    from mentoring.management.commands import seed_large_tenant

    assert seed_large_tenant.DEFAULT_SLUG == large_tenant.DEFAULT_SLUG
