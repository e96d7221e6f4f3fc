from __future__ import annotations

from django.test import Client

from accounts.models import User
from feedback.models import (
    Action,
    ActionStatus,
    CheckIn,
    CheckInStatus,
    EngagementLevel,
    EngagementSnapshot,
    Goal,
    SessionLog,
    SessionStatus,
    SuccessStory,
)
from matching.models import MatchingRound, Pair, PairStatus, RoundStatus
from mentoring.demo import seed_demo
from organizations.models import AuditEntry, Organization
from organizations.scope import tenant_scope
from participants.models import Enrollment, EnrollmentStatus, Person
from programs.models import Program, ProgramStatus
from surveys.models import ObjectiveAnchor, Survey, SurveyResponse


def test_demo_loads_once_with_programs_in_several_states(db: None) -> None:
    assert seed_demo() is True
    assert seed_demo() is False
    demo = Organization.objects.get(slug="demo")
    with tenant_scope(demo):
        statuses = set(Program.objects.values_list("status", flat=True))
        assert {
            ProgramStatus.DRAFT,
            ProgramStatus.ENROLLING,
            ProgramStatus.ACTIVE,
            ProgramStatus.CLOSED,
        } <= statuses
        assert Person.objects.count() >= 60
        assert Enrollment.objects.filter(status=EnrollmentStatus.ACCEPTED).count() >= 20
        member_invitation = Enrollment.objects.get(
            person__user__email="member@demo.flipside.test", status=EnrollmentStatus.INVITED
        )
        assert member_invitation.program.status == ProgramStatus.ENROLLING
        assert AuditEntry.objects.filter(action="enrollment.invited").exists()


def test_demo_member_sees_the_invitation_on_my_programs(db: None) -> None:
    seed_demo()
    client = Client()
    client.force_login(User.objects.get(email="member@demo.flipside.test"))
    html = client.get("/o/demo/me/programs/").content.decode()
    assert "Next-Gen Workplace" in html


def test_demo_active_program_has_pairs_a_few_weeks_in(db: None) -> None:
    seed_demo()
    demo = Organization.objects.get(slug="demo")
    with tenant_scope(demo):
        active = Program.objects.get(status=ProgramStatus.ACTIVE)
        pairs = Pair.objects.filter(program=active)
        assert pairs.count() >= 5
        assert set(pairs.values_list("status", flat=True)) == {PairStatus.ACTIVE}
        mine = pairs.get(mentor__person__user__email="member@demo.flipside.test")
        assert SessionLog.objects.filter(pair=mine, status=SessionStatus.AWAITING).exists()
        assert SessionLog.objects.filter(status=SessionStatus.CONFIRMED).count() >= 5
        assert Goal.objects.filter(pair__program=active).exists()
        assert CheckIn.objects.filter(status=CheckInStatus.ANSWERED, wants_contact=True).exists()
        assert CheckIn.objects.filter(status=CheckInStatus.PLANNED).exists()
        levels = set(EngagementSnapshot.objects.values_list("level", flat=True))
        assert EngagementLevel.AT_RISK in levels
        matching = Program.objects.get(status=ProgramStatus.MATCHING)
        assert MatchingRound.objects.get(program=matching).status == RoundStatus.PROPOSED
    client = Client()
    client.force_login(User.objects.get(email="member@demo.flipside.test"))
    assert client.get(f"/o/demo/pairs/{mine.pk}/").status_code == 200


def test_demo_closed_program_shows_outcomes_and_what_changed(db: None) -> None:
    """The closed program ran every wave (the post one anonymous): the coordinator sees response
    rates and the paired change of its objectives, and what the executives changed."""
    seed_demo()
    demo = Organization.objects.get(slug="demo")
    with tenant_scope(demo):
        closed = Program.objects.get(status=ProgramStatus.CLOSED)
        surveys = {s.wave: s for s in Survey.objects.filter(program=closed)}
        assert set(surveys) == {"pre", "mid", "post", "follow_up"}
        assert surveys["post"].anonymous
        anonymous = SurveyResponse.objects.filter(survey=surveys["post"])
        assert anonymous.count() >= 10
        assert not anonymous.filter(respondent__isnull=False).exists()
        assert not anonymous.filter(submitted_at__isnull=False).exists()
        assert ObjectiveAnchor.objects.filter(objective__program=closed).count() == 2
        assert Action.objects.filter(
            pair__program=closed, status=ActionStatus.IMPLEMENTED, shared_at__isnull=False
        ).exists()
        assert SuccessStory.objects.filter(
            pair__program=closed, mentor_agreed_at__isnull=False, mentee_agreed_at__isnull=False
        ).exists()
        active = Program.objects.get(status=ProgramStatus.ACTIVE)
        assert SurveyResponse.objects.filter(survey__program=active, survey__wave="pre").exists()
    client = Client()
    client.force_login(User.objects.get(email="coordinator@demo.flipside.test"))
    page = client.get(f"/o/demo/programs/{closed.pk}/outcomes/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Executives feel confident using collaboration and analytics tools" in html
    assert "95 % CI" in html or "95% CI" in html
    changed = client.get(f"/o/demo/programs/{closed.pk}/what-changed/").content.decode()
    assert "The travel policy FAQ they rewrote" in changed
