"""The pair page's leaner reads give what the general ones give: the charter and training facts of
a paired enrolment, the sessions waiting for the viewer (from the page's list or from their own
query) and the blank forms' choices (read once for two forms, or taken from the page's list)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.actions.context import action_form
from feedback.actions.forms import ActionForm
from feedback.models import SessionLog
from feedback.pairs.context import (
    SESSIONS_PER_PAGE,
    _read_choices_once,
    _sessions,
    _to_confirm,
    pair_facts,
)
from feedback.sessions import services as sessions
from feedback.sessions.forms import SessionLogForm
from feedback.visibility import PairAccess
from matching.models import Pair
from organizations.scope import ScopeError
from participants.models import CharterAcceptance, Enrollment, TrainingCompletion
from participants.next_step import enrollment_steps, paired_facts, participant_facts
from programs.lifecycle import program_today
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import make_charter, make_training


@pytest.fixture
def live(org_a: Tenant, org_b: Tenant) -> LivePair:
    live_pair(org_b)
    return live_pair(org_a)


def _log(tenant: Tenant, live: LivePair, count: int) -> None:
    """``count`` sessions, taking turns: every other one waits for the mentee's confirmation."""
    with tenant.scope():
        _log_in_scope(live, count)


def _log_in_scope(live: LivePair, count: int) -> None:
    today = program_today(live.program)
    for k in range(count):
        by = live.mentor if k % 2 else live.mentee
        sessions.session_log(
            pair=live.pair,
            by=by,
            actor=None,
            held_on=today - timedelta(days=1 + k),
            duration_minutes=30,
        )


def _access(live: LivePair, viewer: Enrollment) -> PairAccess:
    """One side's access, the pair loaded with its people as the page loads it."""
    pair = Pair.objects.select_related("program", "mentor__person", "mentee__person").get(
        pk=live.pair.pk
    )
    return PairAccess(pair, pair.mentor if viewer.pk == pair.mentor_id else pair.mentee, False)


def _mentee_access(live: LivePair) -> PairAccess:
    return _access(live, live.mentee)


def test_paired_facts_give_the_steps_participant_facts_give(org_a: Tenant, live: LivePair) -> None:
    """Version 1 accepted by both (the builder), version 2 published since; required training
    for both roles and for mentors only, one item done by the mentor."""
    program = live.program
    with org_a.scope():
        make_charter(program, 2)
        CharterAcceptance.objects.create(
            organization=org_a.organization,
            enrollment=live.mentee,
            charter_version=program.charter_versions.get(version=2),
        )
        done = make_training(program, "Listening well", required=True)
        make_training(program, "Mentoring juniors", required=True, audience="mentors")
        make_training(program, "Optional reading", required=False)
        TrainingCompletion.objects.create(
            organization=org_a.organization, enrollment=live.mentor, resource=done
        )
        general = participant_facts([live.mentor, live.mentee])
        today = program_today(program)
        codes = {}
        for enrollment in (live.mentor, live.mentee):
            facts = pair_facts(_access(live, enrollment), today)
            assert facts.training_left is not None
            lean = paired_facts(enrollment, facts.charter.state(enrollment), facts.training_left)
            assert lean.charter == general[enrollment.pk].charter
            assert lean.required_training_left == general[enrollment.pk].required_training_left
            steps = enrollment_steps(enrollment, lean, paired=True)
            assert steps == enrollment_steps(enrollment, general[enrollment.pk], paired=True)
            codes[enrollment.role] = [(step.code, step.text) for step in steps]
    assert facts.charter.current is not None
    assert facts.charter.current.version == 2
    assert not facts.charter.accepted(live.mentor)
    assert facts.charter.accepted(live.mentee)
    # The mentor: version 2 to accept, the mentors' item left (the common one done); the
    # mentee: the common item left; the optional one counts for nobody.
    assert codes == {
        "mentor": [
            ("accept_charter", "Read and accept version 2 of the charter."),
            ("finish_training", "1 required training item left."),
        ],
        "mentee": [("finish_training", "1 required training item left.")],
    }


def test_no_charter_yet_is_nothing_to_accept(org_a: Tenant, live: LivePair) -> None:
    with org_a.scope():
        live.program.charter_versions.all().delete()
        charter = pair_facts(_access(live, live.mentor), program_today(live.program)).charter
    assert charter.current is None
    assert not charter.state(live.mentor).needs_acceptance
    assert not charter.accepted(live.mentor)


@pytest.mark.parametrize("count", [3, SESSIONS_PER_PAGE + 3])
def test_sessions_to_confirm_are_the_same_from_the_list_and_from_their_query(
    org_a: Tenant, live: LivePair, count: int
) -> None:
    _log(org_a, live, count)
    with org_a.scope():
        access = _mentee_access(live)
        hours = sessions.pair_hours(live.pair)
        every: list[SessionLog] = list(_sessions(access))
        from_list = _to_confirm(access, live.mentee, hours, every)
        from_query = _to_confirm(access, live.mentee, hours, None)
        assert [s.pk for s in from_list] == [s.pk for s in from_query]
        assert from_list
        assert all(s.logged_by_id == live.mentor.pk for s in from_list)
        # Who logged it comes from the pair, not from another read.
        assert from_query[0].logged_by is access.pair.mentor


def _rendered_choices(field: object) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in field.choices]  # type: ignore[attr-defined]


def test_blank_forms_list_the_choices_their_querysets_give(org_a: Tenant, live: LivePair) -> None:
    _log(org_a, live, 3)
    with org_a.scope():
        access = _mentee_access(live)
        topics = sessions.session_topics(live.program)
        every = list(_sessions(access))
        expected_session = SessionLogForm(topics=topics)
        expected_action = action_form(access)
        session_form = SessionLogForm(topics=topics)
        lean_action = action_form(access)
        _read_choices_once(access, session_form, lean_action, every)
        assert isinstance(lean_action, ActionForm)
        for name, form, expected in (
            ("topics", session_form, expected_session),
            ("topic", lean_action, expected_action),
            ("session", lean_action, expected_action),
        ):
            lean = _rendered_choices(form.fields[name])
            assert lean == _rendered_choices(expected.fields[name]), name
        assert len(_rendered_choices(lean_action.fields["session"])) == 4  # "No session" + 3


def test_the_facts_statement_refuses_to_run_outside_the_pairs_scope(
    org_a: Tenant, org_b: Tenant, live: LivePair
) -> None:
    """Written as SQL, it still refuses as a tenant manager does (row-level security would
    return nothing of the pair anyway)."""
    with org_a.scope():
        access = _access(live, live.mentor)
        today = program_today(live.program)
    with pytest.raises(ScopeError):
        pair_facts(access, today)
    with org_b.scope(), pytest.raises(ScopeError):
        pair_facts(access, today)


def test_the_facts_count_the_hours_pair_hours_counts(org_a: Tenant, live: LivePair) -> None:
    """None yet, then confirmed, awaiting and draft sessions (the newest a draft, which the last
    session's day leaves out), all counted as the services count them."""
    with org_a.scope():
        access = _access(live, live.mentor)
        today = program_today(live.program)
        none = pair_facts(access, today).hours
        assert none == sessions.pair_hours(live.pair) == sessions.Hours(0, 0, 0, 0)
        assert none.last_held_on is None
        _log_in_scope(live, 3)
        waiting = live.pair.sessions.filter(logged_by=live.mentor).first()
        assert waiting is not None
        sessions.session_confirm(session=waiting, by=live.mentee, actor=None)
        sessions.session_we_met(pair=live.pair, by=live.mentee, held_on=today)
        counted = pair_facts(access, today).hours
        expected = sessions.pair_hours(live.pair)
        staff = PairAccess(access.pair, None, True)
        assert pair_facts(staff, today).hours == expected
    assert counted == expected
    assert (counted.sessions, counted.awaiting, counted.drafts) == (4, 2, 1)
    assert counted.confirmed_minutes == 30
    assert counted.last_held_on == expected.last_held_on == today - timedelta(days=1)
