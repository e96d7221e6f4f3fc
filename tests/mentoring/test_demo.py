from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.test import Client
from django.utils.timezone import localtime

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
from programs.lifecycle import program_today, program_zone
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


def _engagement_rows(html: str) -> dict[int, dict[str, str]]:
    """The engagement page's pair rows: reasons, the last session column and the scored-on day."""
    rows = {}
    for match in re.finditer(
        r'<tr>\s*<th scope="row"><a href="[^"]*/review/pairs/(\d+)/">.*?</tr>', html, re.S
    ):
        cells = re.findall(r"<td>(.*?)</td>", match.group(0), re.S)
        rows[int(match.group(1))] = {
            "reasons": " | ".join(text.strip() for text in re.findall(r"<li>([^<]*)", cells[2])),
            "last_session": cells[3].strip(),
            "scored_on": cells[5].strip(),
        }
    return rows


def _day(text: str) -> date:
    return datetime.strptime(text, "%d %b %Y").date()


def test_demo_engagement_page_figures_agree_with_each_other_on_every_pair(db: None) -> None:
    """Days since the last session and its date, "started N days ago" and the pair's publication,
    the share of the term gone and the program's dates: each pair's row on the engagement page
    agrees with itself and with the facts, and the scores are the day's (computed by the load)."""
    seed_demo()
    demo = Organization.objects.get(slug="demo")
    with tenant_scope(demo):
        active = Program.objects.get(status=ProgramStatus.ACTIVE)
        assert active.start_date is not None
        assert active.end_date is not None
        today = program_today(active)
        zone = program_zone(active)
        pairs = {
            pair.pk: pair
            for pair in Pair.objects.filter(program=active).select_related("source_round")
        }
        for pair in pairs.values():
            assert pair.activated_at is not None
            published = pair.source_round.published_at if pair.source_round else None
            assert published is not None
            # Published, created and started the same morning, on the program's first day.
            assert localtime(published, zone).date() == active.start_date
            assert pair.created_at == pair.activated_at == published
            for held_on in SessionLog.objects.filter(pair=pair).values_list("held_on", flat=True):
                assert active.start_date <= held_on <= today
            for check_in in CheckIn.objects.filter(pair=pair).exclude(status="cancelled"):
                assert check_in.due_on > active.start_date
                if check_in.sent_at is not None:
                    assert check_in.sent_at >= pair.activated_at
                    assert localtime(check_in.sent_at, zone).date() == check_in.due_on
                if check_in.answered_at is not None:
                    assert check_in.sent_at is not None
                    assert check_in.answered_at > check_in.sent_at
    client = Client()
    client.force_login(User.objects.get(email="coordinator@demo.flipside.test"))
    html = client.get(f"/o/demo/programs/{active.pk}/engagement/").content.decode()
    rows = _engagement_rows(html)
    assert set(rows) == set(pairs)
    term_gone = round(
        100 * (today - active.start_date).days / (active.end_date - active.start_date).days
    )
    seen = set()
    for pair_id, row in rows.items():
        reasons = row["reasons"]
        assert _day(row["scored_on"]) == today, reasons
        since = re.search(r"(?:Last session|No session for) (\d+) days?", reasons)
        never = re.search(
            r"(?:the pair started (\d+) days? ago|in the (\d+) days? since the pair started)",
            reasons,
        )
        if since:
            seen.add("since")
            last = _day(row["last_session"])
            assert last + timedelta(days=int(since.group(1))) == today, (pair_id, row)
        else:
            assert never is not None, reasons
            seen.add("never")
            assert row["last_session"] == "None yet"
            days = int(never.group(1) or never.group(2))
            assert active.start_date + timedelta(days=days) == today, (pair_id, row)
        for share in re.findall(r"(\d+)% of the term gone", reasons):
            seen.add("term")
            assert int(share) == term_gone, (pair_id, row)
    assert seen == {"since", "never", "term"}
    assert 0 < term_gone < 100
