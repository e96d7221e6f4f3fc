"""Ending pairs and re-matching: a round in a running program matches only who is still free."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from matching import pairs, services
from matching.loading import load_cohort
from matching.models import MatchingRound, Pair, PairStatus, ProposedPair, RoundStatus
from organizations.models import AuditEntry
from participants.models import EnrollmentRole
from programs.models import ProgramStatus
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import (
    Cohort,
    add_person,
    matching_cohort,
    proposed_round,
)


def _published(tenant: Tenant, cohort: Cohort) -> list[Pair]:
    matching_round = proposed_round(tenant, cohort)
    with tenant.scope():
        published = services.round_publish(matching_round=matching_round, actor=tenant.admin.user)
        cohort.program.status = ProgramStatus.ACTIVE
        cohort.program.save(update_fields=["status"])
    return published


def _pair_of(tenant: Tenant, cohort: Cohort, mentee_index: int) -> Pair:
    with tenant.scope():
        return Pair.objects.select_related("program").get(
            mentee=cohort.mentees[mentee_index], status=PairStatus.ACTIVE
        )


def _run(tenant: Tenant, matching_round: MatchingRound) -> MatchingRound:
    with tenant.scope():
        assert services.run_round(round_id=matching_round.pk) == "proposed"
        matching_round.refresh_from_db()
    return matching_round


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Say why"), ("   ", "Say why"), ("x" * 301, "300 characters")],
)
def test_ending_a_pair_needs_a_reason(org_a: Tenant, reason: str, message: str) -> None:
    cohort = matching_cohort(org_a, 1)
    _published(org_a, cohort)
    pair = _pair_of(org_a, cohort, 0)
    with org_a.scope():
        with pytest.raises(ValidationError, match=message) as caught:
            pairs.pair_end(pair=pair, actor=org_a.admin.user, reason=reason)
        assert "reason" in caught.value.message_dict
        pair.refresh_from_db()
    assert pair.status == PairStatus.ACTIVE


def test_ending_a_pair_records_who_why_when_audits_and_tells_both(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    cohort = matching_cohort(org_a, 1)
    _published(org_a, cohort)
    pair = _pair_of(org_a, cohort, 0)
    mail.outbox.clear()
    with org_a.scope(), django_capture_on_commit_callbacks(execute=True):
        ended = pairs.pair_end(
            pair=pair, actor=org_a.admin.user, reason="Schedules <b>never</b> met"
        )
    assert ended.status == PairStatus.ENDED
    assert ended.ended_reason == "Schedules <b>never</b> met"
    assert ended.ended_by == org_a.admin.user
    assert ended.ended_at is not None
    with org_a.scope():
        assert AuditEntry.objects.filter(
            action="matching.pair_end", object_id=str(pair.pk)
        ).exists()
        assert not pairs.open_pairs(cohort.mentees[0]).exists()
        addresses = {cohort.mentors[0].person.email, cohort.mentees[0].person.email}
    assert {address for message in mail.outbox for address in message.to} == addresses
    assert all("Schedules <b>never</b> met" in message.body for message in mail.outbox)
    # Essential mail of organizations.mail: a branded HTML copy, the reason escaped in it.
    for message in mail.outbox:
        [(html, kind)] = message.alternatives
        assert kind == "text/html"
        assert org_a.organization.name in str(html)
        assert "Schedules &lt;b&gt;never&lt;/b&gt; met" in str(html)
        assert "List-Unsubscribe" not in message.extra_headers
    program_page = f"{settings.SITE_URL}/o/{org_a.slug}/me/programs/{pair.program_id}/"
    assert all(program_page in message.body for message in mail.outbox)
    with org_a.scope(), pytest.raises(ValidationError, match="already ended"):
        pairs.pair_end(pair=pair, actor=org_a.admin.user, reason="again")


def test_rematch_is_a_small_round_over_the_freed_mentee_and_free_mentors(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    _published(org_a, cohort)
    pair = _pair_of(org_a, cohort, 0)
    with org_a.scope():
        pairs.pair_end(pair=pair, actor=org_a.admin.user, reason="Moved team")
        matching_round = pairs.rematch_start(enrollment=cohort.mentees[0], actor=org_a.admin.user)
    assert matching_round.status == RoundStatus.QUEUED
    assert matching_round.rematch_for_id == cohort.mentees[0].pk
    _run(org_a, matching_round)
    with org_a.scope():
        proposals = list(ProposedPair.objects.filter(round=matching_round))
    # The only free mentor place is the one the ended pair gave back; rotation keeps the same
    # mentor away, so the round explains why nobody fits rather than re-pairing them.
    assert all(p.mentee_id == cohort.mentees[0].pk for p in proposals)
    assert all(p.mentor_id != pair.mentor_id for p in proposals)


def test_rematch_can_reuse_a_mentor_with_a_free_place(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    with org_a.scope():
        cohort.program.max_mentees_per_mentor = 2
        cohort.program.save(update_fields=["max_mentees_per_mentor"])
    _published(org_a, cohort)
    pair = _pair_of(org_a, cohort, 0)
    with org_a.scope():
        pairs.pair_end(pair=pair, actor=org_a.admin.user, reason="Moved team")
        loaded = load_cohort(cohort.program, rematch_for=cohort.mentees[0])
    assert list(loaded.cohort.mentees.ids) == [cohort.mentees[0].pk]
    # Two places each: the ended pair's mentor has both free again, the other one of two.
    assert loaded.cohort.mentors.size == 2
    assert loaded.cohort.mentors.capacity.tolist() == [2, 1]
    with org_a.scope():
        matching_round = pairs.rematch_start(enrollment=cohort.mentees[0], actor=org_a.admin.user)
    _run(org_a, matching_round)
    with org_a.scope():
        proposal = ProposedPair.objects.get(round=matching_round)
        assert proposal.mentee_id == cohort.mentees[0].pk
        assert proposal.mentor_id == cohort.mentors[1].pk  # rotation: not the ended partner
        services.round_publish(matching_round=matching_round, actor=org_a.admin.user)
        assert pairs.open_pairs(cohort.mentees[0]).get().mentor_id == cohort.mentors[1].pk
        assert pairs.open_pairs(cohort.mentors[1]).count() == 2


def test_rematch_is_refused_with_a_reason(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    _published(org_a, cohort)
    with org_a.scope():
        with pytest.raises(ValidationError, match="has an open pair"):
            pairs.rematch_start(enrollment=cohort.mentees[0], actor=org_a.admin.user)
        with pytest.raises(ValidationError, match="no free place"):
            pairs.rematch_start(enrollment=cohort.mentors[0], actor=org_a.admin.user)
    pair = _pair_of(org_a, cohort, 0)
    with org_a.scope():
        pairs.pair_end(pair=pair, actor=org_a.admin.user, reason="Left the company")
        # The mentee is free, and so is the mentor they had: a re-match is possible for both.
        first = pairs.rematch_start(enrollment=cohort.mentees[0], actor=org_a.admin.user)
        with pytest.raises(ValidationError, match="already queued or running"):
            pairs.rematch_start(enrollment=cohort.mentors[0], actor=org_a.admin.user)
        assert MatchingRound.objects.filter(rematch_for__isnull=False).count() == 1
        assert first.rematch_for_id == cohort.mentees[0].pk


def test_rematch_when_no_mentor_is_free(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    extra = add_person(
        org_a, cohort.program, EnrollmentRole.MENTEE, topics=cohort.topics, levels={0: 3}
    )
    _published(org_a, cohort)  # two mentors with one place each: the third mentee waits
    with org_a.scope():
        assert not pairs.open_pairs(extra).exists()
        with pytest.raises(ValidationError, match="No mentor has a free place") as missing:
            pairs.rematch_start(enrollment=extra, actor=org_a.admin.user)
        assert not MatchingRound.objects.filter(rematch_for=extra).exists()
    assert "enrollment" in missing.value.message_dict


def test_a_round_in_a_running_program_matches_only_the_rest(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    _published(org_a, cohort)
    with org_a.scope():
        with pytest.raises(ValidationError, match="already has an open pair"):
            services.round_create(
                program=cohort.program, actor=org_a.admin.user, weights={"complementarity": 1}
            )
        Pair.objects.filter(mentee=cohort.mentees[2]).update(status=PairStatus.ENDED)
    rest = proposed_round(org_a, cohort, rules={"rotation": False})
    with org_a.scope():
        proposals = list(ProposedPair.objects.filter(round=rest))
    assert [(p.mentor_id, p.mentee_id) for p in proposals] == [
        (cohort.mentors[2].pk, cohort.mentees[2].pk)
    ]


def test_publish_refuses_people_paired_since_the_round_ran(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    first = proposed_round(org_a, cohort)
    second = proposed_round(org_a, cohort, weights={"time_zone": 1})
    with org_a.scope():
        services.round_publish(matching_round=first, actor=org_a.admin.user)
        with pytest.raises(ValidationError, match="open pair since this round ran"):
            services.round_publish(matching_round=second, actor=org_a.admin.user)
        second.refresh_from_db()
        assert second.status == RoundStatus.PROPOSED
        assert Pair.objects.count() == 2


def test_pin_refuses_people_already_paired(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    _published(org_a, cohort)
    with org_a.scope():
        with pytest.raises(ValidationError) as caught:
            services.pin_create(
                program=cohort.program,
                actor=org_a.admin.user,
                mentor=cohort.mentors[1],
                mentee=cohort.mentees[0],
            )
        assert "already has an open pair" in caught.value.message_dict["mentee"][0]
        Pair.objects.filter(mentee=cohort.mentees[0]).update(status=PairStatus.ENDED)
        with pytest.raises(ValidationError) as caught:
            services.pin_create(
                program=cohort.program,
                actor=org_a.admin.user,
                mentor=cohort.mentors[1],
                mentee=cohort.mentees[0],
            )
        assert "no free place" in caught.value.message_dict["mentor"][0]
