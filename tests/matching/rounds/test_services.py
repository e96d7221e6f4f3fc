"""Round services: config validation, queueing, the round task, pins, swaps, publishing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from matching import tasks
from matching.loading import load_cohort
from matching.models import (
    MatchingBlock,
    MatchingRound,
    Pair,
    ProposedPair,
    RoundStatus,
    UnmatchedEntry,
)
from matching.rounds.compare import round_compare
from matching.rounds.config import round_create
from matching.rounds.editing import block_create, pin_create, pin_delete, swap
from matching.rounds.publish import round_publish
from matching.rounds.run import STALE_RUN_AFTER, round_start, run_round
from organizations.models import AuditEntry
from participants.models import EnrollmentRole
from programs.models import ProgramStatus
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import (
    WEIGHTS,
    add_person,
    matching_cohort,
    proposed_round,
)
from tests.participants.test_enrollment_builders import make_program


def _create(tenant: Tenant, program: Any, **config: Any) -> MatchingRound:
    config.setdefault("weights", WEIGHTS)
    with tenant.scope():
        return round_create(program=program, actor=tenant.admin.user, **config)


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"weights": {"complementarity": 11}}, "weights"),
        ({"weights": {"charm": 1}}, "weights"),
        ({"weights": {"complementarity": 0}}, "weights"),
        ({"rules": {"level_gap": -1}}, "rules"),
        ({"rules": {"junior_mentor": "yes"}}, "rules"),
        ({"rules": {"astrology": True}}, "rules"),
        ({"mode": "greedy"}, "mode"),
    ],
)
def test_round_config_is_validated_with_field_messages(
    org_a: Tenant, config: dict[str, Any], field: str
) -> None:
    cohort = matching_cohort(org_a, 2)
    with pytest.raises(ValidationError) as raised:
        _create(org_a, cohort.program, **config)
    assert field in raised.value.message_dict
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_round_needs_the_matching_phase_and_people(org_a: Tenant) -> None:
    enrolling = make_program(org_a)
    with pytest.raises(ValidationError) as raised:
        _create(org_a, enrolling)
    assert "program" in raised.value.message_dict
    empty = make_program(org_a, status=ProgramStatus.MATCHING)
    with pytest.raises(ValidationError, match="no accepted mentors or mentees"):
        _create(org_a, empty)
    cohort = matching_cohort(org_a, 1)
    with org_a.scope():
        cohort.mentees[0].delete()
    with pytest.raises(ValidationError, match="no accepted mentees"):
        _create(org_a, cohort.program)


def test_round_create_keeps_its_config_and_is_audited(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = _create(
        org_a, cohort.program, rules={"level_gap": 2}, mode="max_matched_first"
    )
    assert matching_round.status == RoundStatus.DRAFT
    assert matching_round.weights["complementarity"] == 5.0
    assert matching_round.weights["questions"] == 0.0
    assert matching_round.rules["level_gap"] == 2
    assert matching_round.rules["junior_mentor"] is True
    with org_a.scope():
        assert AuditEntry.objects.filter(
            action="matching.round_create", object_id=str(matching_round.pk)
        ).exists()


def test_second_round_of_a_program_cannot_start_while_one_is_queued(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    first = _create(org_a, cohort.program)
    second = _create(org_a, cohort.program)
    with org_a.scope():
        round_start(matching_round=first, actor=org_a.admin.user)
        assert first.status == RoundStatus.QUEUED
        with pytest.raises(ValidationError, match="already queued or running"):
            round_start(matching_round=second, actor=org_a.admin.user)
        second.refresh_from_db()
        assert second.status == RoundStatus.DRAFT


def test_round_cannot_start_once_the_program_left_matching(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = _create(org_a, cohort.program)
    with org_a.scope():
        cohort.program.status = ProgramStatus.CLOSING
        cohort.program.save(update_fields=["status"])
        with pytest.raises(ValidationError, match="no longer matching or active"):
            round_start(matching_round=matching_round, actor=org_a.admin.user)


def test_database_refuses_two_running_rounds_of_one_program(org_a: Tenant) -> None:
    from django.db import IntegrityError, transaction

    cohort = matching_cohort(org_a, 1)
    first = _create(org_a, cohort.program)
    second = _create(org_a, cohort.program)
    with org_a.scope():
        MatchingRound.objects.filter(pk=first.pk).update(status=RoundStatus.RUNNING)
        with pytest.raises(IntegrityError), transaction.atomic():
            MatchingRound.objects.filter(pk=second.pk).update(status=RoundStatus.QUEUED)


def test_round_task_is_idempotent(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = _create(org_a, cohort.program)
    with org_a.scope():
        round_start(matching_round=matching_round, actor=org_a.admin.user)
    kwargs = {"organization_id": org_a.organization.pk, "round_id": matching_round.pk}
    assert tasks.run_round.apply(kwargs=kwargs).get() == "proposed"
    assert tasks.run_round.apply(kwargs=kwargs).get() == "skipped"
    with org_a.scope():
        matching_round.refresh_from_db()
        proposals = list(ProposedPair.objects.filter(round=matching_round))
    assert matching_round.status == RoundStatus.PROPOSED
    assert matching_round.progress == 100
    assert len(proposals) == 3
    # Mentor k teaches topic k best and mentee k wants it: the optimum pairs them.
    assert {(p.mentor_id, p.mentee_id) for p in proposals} == {
        (mentor.pk, mentee.pk)
        for mentor, mentee in zip(cohort.mentors, cohort.mentees, strict=True)
    }
    assert matching_round.stats["matched"] == 3
    assert matching_round.stats["total"] == pytest.approx(sum(p.score for p in proposals))
    assert all(p.rationale and p.breakdown for p in proposals)
    with org_a.scope():
        assert AuditEntry.objects.filter(action="matching.round_proposed").count() == 1


def test_round_left_running_by_a_dead_worker_is_claimed_again(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = _create(org_a, cohort.program)
    with org_a.scope():
        round_start(matching_round=matching_round, actor=org_a.admin.user)
        recent = timezone.now() - timedelta(minutes=5)
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            status=RoundStatus.RUNNING, started_at=recent
        )
        assert run_round(round_id=matching_round.pk) == "skipped"
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            started_at=recent - STALE_RUN_AFTER
        )
        assert run_round(round_id=matching_round.pk) == "proposed"
        assert ProposedPair.objects.filter(round=matching_round).count() == 2


def test_round_of_another_organisation_is_not_run(org_a: Tenant, org_b: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = _create(org_a, cohort.program)
    with org_a.scope():
        round_start(matching_round=matching_round, actor=org_a.admin.user)
    kwargs = {"organization_id": org_b.organization.pk, "round_id": matching_round.pk}
    assert tasks.run_round.apply(kwargs=kwargs).get() == "skipped"


def test_unmatched_people_are_explained(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    # A mentee more junior than the only mentor: the junior-mentor rule excludes every mentor.
    junior = add_person(
        org_a, cohort.program, EnrollmentRole.MENTEE, topics=cohort.topics, levels={0: 3}, level=1
    )
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        entry = UnmatchedEntry.objects.get(round=matching_round)
    assert entry.enrollment_id == junior.pk
    assert entry.reason


def test_failed_round_keeps_the_engine_message(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = _create(org_a, cohort.program)
    with org_a.scope():
        round_start(matching_round=matching_round, actor=org_a.admin.user)
        cohort.mentors[0].delete()
        assert run_round(round_id=matching_round.pk) == "failed"
        matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.FAILED
    assert "no mentors" in matching_round.error


def test_swap_reports_the_change_in_total_score_and_applies_it(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        pair_a, pair_b = ProposedPair.objects.filter(round=matching_round).order_by("id")[:2]
        before = matching_round.stats["total"]
        preview = swap(
            matching_round=matching_round,
            pair_a=pair_a,
            pair_b=pair_b,
            actor=org_a.admin.user,
            apply=False,
        )
        assert ProposedPair.objects.get(pk=pair_a.pk).mentor_id == pair_a.mentor_id
        mentors = (pair_a.mentor_id, pair_b.mentor_id)
        old_scores = pair_a.score + pair_b.score
        delta = swap(
            matching_round=matching_round, pair_a=pair_a, pair_b=pair_b, actor=org_a.admin.user
        )
        matching_round.refresh_from_db()
        swapped_a = ProposedPair.objects.get(pk=pair_a.pk)
        swapped_b = ProposedPair.objects.get(pk=pair_b.pk)
        assert AuditEntry.objects.filter(action="matching.swap").exists()
    # Leaving the optimum costs score.
    assert delta == pytest.approx(preview)
    assert delta < 0
    assert matching_round.stats["total"] == pytest.approx(before + delta)
    assert (swapped_a.mentor_id, swapped_b.mentor_id) == (mentors[1], mentors[0])
    assert swapped_a.score + swapped_b.score == pytest.approx(old_scores + delta)
    # Runner-ups follow the swap: a mentee's list names other mentors than the new one (the old
    # mentor among them, as the best allowed alternative), and a mentor's list leaves out the
    # mentee the round now gives them.
    for swapped, old_mentor in ((swapped_a, mentors[0]), (swapped_b, mentors[1])):
        mentee_alternatives = [a["enrollment_id"] for a in swapped.alternatives["mentee"]]
        assert swapped.mentor_id not in mentee_alternatives
        assert mentee_alternatives[0] == old_mentor
        scores = [a["score"] for a in swapped.alternatives["mentee"]]
        assert scores == sorted(scores, reverse=True)
        mentor_alternatives = [a["enrollment_id"] for a in swapped.alternatives["mentor"]]
        assert swapped.mentee_id not in mentor_alternatives


def test_swap_that_breaks_a_hard_rule_is_refused(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        pair_a, pair_b = ProposedPair.objects.filter(round=matching_round).order_by("id")
        MatchingBlock.objects.create(
            organization=org_a.organization,
            program=cohort.program,
            mentor_id=pair_b.mentor_id,
            mentee_id=pair_a.mentee_id,
        )
        with pytest.raises(ValidationError, match="hard rule"):
            swap(
                matching_round=matching_round,
                pair_a=pair_a,
                pair_b=pair_b,
                actor=org_a.admin.user,
            )
        assert ProposedPair.objects.get(pk=pair_a.pk).mentor_id == pair_a.mentor_id


def test_pin_that_breaks_a_hard_rule_is_refused(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    senior_mentor = add_person(
        org_a, cohort.program, EnrollmentRole.MENTOR, topics=cohort.topics, levels={0: 5}, level=9
    )
    with org_a.scope():
        with pytest.raises(ValidationError, match="hard rule"):
            pin_create(
                program=cohort.program,
                actor=org_a.admin.user,
                mentor=senior_mentor,
                mentee=cohort.mentees[0],
            )
        pin = pin_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[0],
            mentee=cohort.mentees[0],
        )
        assert AuditEntry.objects.filter(action="matching.pin_create").count() == 1
        with pytest.raises(ValidationError, match="pinned"):
            block_create(
                program=cohort.program,
                actor=org_a.admin.user,
                mentor=cohort.mentors[0],
                mentee=cohort.mentees[0],
            )
        pin_delete(pin=pin, actor=org_a.admin.user)


def test_pinned_pair_is_proposed_and_blocked_pair_is_not(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    with org_a.scope():
        pin_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[1],
            mentee=cohort.mentees[0],
        )
        block_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[1],
            mentee=cohort.mentees[1],
        )
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        pairs = {
            (p.mentor_id, p.mentee_id, p.pinned)
            for p in ProposedPair.objects.filter(round=matching_round)
        }
    assert (cohort.mentors[1].pk, cohort.mentees[0].pk, True) in pairs
    assert all(not (m == cohort.mentors[1].pk and e == cohort.mentees[1].pk) for m, e, _ in pairs)


def test_publish_creates_pairs_emails_both_people_and_is_audited(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        pairs = round_publish(matching_round=matching_round, actor=org_a.admin.user)
    assert matching_round.status == RoundStatus.PUBLISHED
    assert len(pairs) == 2
    with org_a.scope():
        stored = list(Pair.objects.filter(source_round=matching_round))
        assert AuditEntry.objects.filter(
            action="matching.round_publish", object_id=str(matching_round.pk)
        ).exists()
        emails = {cohort.mentors[0].person.email, cohort.mentees[0].person.email}
    assert len(stored) == 2
    assert all(p.rationale for p in stored)
    assert len(mail.outbox) == 4
    assert emails <= {address for message in mail.outbox for address in message.to}
    assert all("Why we paired you" in m.body and "charter" in m.body for m in mail.outbox)
    # Each email links straight to its pair's page, absolute.
    pages = {f"{settings.SITE_URL}/o/{org_a.slug}/pairs/{p.pk}/" for p in stored}
    assert {line for m in mail.outbox for line in m.body.splitlines() if "/pairs/" in line} == pages
    with org_a.scope(), pytest.raises(ValidationError, match="already published"):
        round_publish(matching_round=matching_round, actor=org_a.admin.user)
    with org_a.scope():
        assert Pair.objects.count() == 2


def test_next_round_does_not_repeat_published_pairs(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    first = proposed_round(org_a, cohort)
    with org_a.scope():
        round_publish(matching_round=first, actor=org_a.admin.user)
        before = set(ProposedPair.objects.filter(round=first).values_list("mentor_id", "mentee_id"))
        Pair.objects.update(status="ended")
    second = proposed_round(org_a, cohort)
    with org_a.scope():
        after = set(ProposedPair.objects.filter(round=second).values_list("mentor_id", "mentee_id"))
    assert after
    assert not before & after


def test_compare_shows_figures_and_changed_pairs(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    first = proposed_round(org_a, cohort)
    second = proposed_round(org_a, cohort, weights={"time_zone": 1})
    with org_a.scope():
        comparison = round_compare(round_a=first, round_b=second)
        same = round_compare(round_a=first, round_b=first)
    assert comparison.before.matched == 3
    assert comparison.before.total == pytest.approx(first.stats["total"])
    assert comparison.after.total == pytest.approx(second.stats["total"])
    assert same.changes == ()
    assert same.unchanged == 3


def test_loader_query_count_does_not_grow_with_the_cohort(
    org_a: Tenant, django_assert_num_queries: Any
) -> None:
    small = matching_cohort(org_a, 2)
    large = matching_cohort(org_a, 8)
    # 11 of matching's own, and 1 for the rotation history of erased people (privacy.rotation).
    with org_a.scope():
        with django_assert_num_queries(12):
            loaded = load_cohort(small.program)
        assert loaded.cohort.mentors.size == 2
        with django_assert_num_queries(12):
            loaded = load_cohort(large.program)
        assert loaded.cohort.mentees.size == 8
