"""Cohort encoding: availability in UTC, reporting chains, capacities, vocabularies, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import (
    EmptyCohortError,
    HardRules,
    MatchingError,
    MatchingQuestion,
    Scorer,
    ScoringConfig,
    run_round,
)
from matching.engine.profiles import availability_slots, reporting_ancestors
from tests.matching.helpers import cohort, person


def slots(windows, offset=0) -> list[int]:
    return np.flatnonzero(availability_slots(windows, offset)).tolist()


def test_availability_keeps_fully_covered_half_hours_in_utc():
    assert slots([{"weekday": 0, "start": "09:00", "end": "10:00"}]) == [18, 19]
    assert slots([{"weekday": 0, "start": "09:15", "end": "10:20"}]) == [19]
    assert slots([{"weekday": 1, "start": "09:00", "end": "10:00"}], offset=120) == [
        48 + 14,
        48 + 15,
    ]
    # Nepal (+05:45): 09:00-10:00 local is 03:15-04:15 UTC, covering 03:30-04:00 only.
    assert slots([{"weekday": 0, "start": "09:00", "end": "10:00"}], offset=345) == [7]


def test_availability_wraps_from_monday_back_to_sunday():
    assert slots([{"weekday": 0, "start": "00:00", "end": "01:00"}], offset=60) == [334, 335]


def test_bad_weekday_is_refused():
    with pytest.raises(MatchingError, match="weekday 7"):
        availability_slots([{"weekday": 7, "start": "09:00", "end": "10:00"}], 0)


def test_reporting_ancestors_nearest_first_padded_and_cycle_safe():
    chains = reporting_ancestors([1, 2, 5], {1: 2, 2: 3, 3: None, 5: 6, 6: 5})
    assert chains.tolist() == [[2, 3], [3, -1], [6, -1]]


def test_mentor_capacity_is_their_own_limit_capped_by_the_program():
    mentors = [person("Own 1", max_mentees=1), person("Default"), person("Own 5", max_mentees=5)]
    assert cohort(mentors, [person("E")], max_mentees=3).mentors.capacity.tolist() == [1, 3, 3]


def test_program_capacity_out_of_range_is_refused():
    with pytest.raises(MatchingError, match="between 1 and 10"):
        cohort([person("M")], [person("E")], max_mentees=0)


def test_skill_level_out_of_range_is_refused():
    with pytest.raises(MatchingError, match="Ann: skill level 6 is not between 1 and 5"):
        cohort([person("Ann", skills={1: 6})], [person("E")])


def test_unknown_meeting_format_is_refused():
    with pytest.raises(MatchingError, match="unknown meeting format 'phone'"):
        cohort([person("Ann", meeting_format="phone")], [person("E")])


def test_question_that_cannot_be_matched_is_refused():
    with pytest.raises(MatchingError, match="cannot be matched"):
        MatchingQuestion(1, "Bio", "short_text", "similar")  # type: ignore[arg-type]


def test_topics_outside_the_vocabulary_get_a_placeholder_name():
    pair = cohort([person("M", skills={42: 3})], [person("E")])
    assert pair.topic_names[list(pair.topic_ids).index(42)] == "topic 42"


@pytest.mark.parametrize(
    ("mentors", "mentees", "message"),
    [
        ([], [], "The round has no mentors and no mentees: accept enrolments first."),
        ([], ["E"], "The round has no mentors: accept at least one mentor enrolment."),
        (["M"], [], "The round has no mentees: accept at least one mentee enrolment."),
    ],
)
def test_empty_cohort_is_a_clear_error(mentors, mentees, message):
    empty = cohort([person(n) for n in mentors], [person(n) for n in mentees])
    with pytest.raises(EmptyCohortError) as error:
        run_round(empty, config=ScoringConfig(weights={"language": 1}), rules=HardRules())
    assert str(error.value) == message
    with pytest.raises(EmptyCohortError):
        Scorer(empty, ScoringConfig(weights={"language": 1}))


@pytest.mark.parametrize("seed", range(8))
def test_reporting_ancestors_match_a_walk_up_each_chain(seed):
    import random

    from matching.engine.profiles import MAX_CHAIN_DEPTH

    rng = random.Random(seed)
    people = list(range(1, 200))
    # Managers inside and outside the list, people without one, cycles, and long chains.
    manager_of: dict[int, int | None] = {
        p: rng.choice([None, rng.randint(1, 260), p + 1, p - 1 if p > 1 else None])
        for p in range(1, 261)
    }
    chains = reporting_ancestors(people, manager_of)
    for row, someone in enumerate(people):
        chain: list[int] = []
        seen = {someone}
        manager = manager_of.get(someone)
        while manager is not None and manager not in seen and len(chain) < MAX_CHAIN_DEPTH:
            chain.append(manager)
            seen.add(manager)
            manager = manager_of.get(manager)
        assert chains[row].tolist() == chain + [-1] * (chains.shape[1] - len(chain))
    assert chains.shape[1] == max(1, max((chains >= 0).sum(axis=1)))
