"""Scores: weights validation, each criterion, sparse profiles, exact decomposition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matching.engine import CRITERIA, ConfigError, MatchingQuestion, Scorer, ScoringConfig
from matching.engine.scoring import breakdown_totals
from tests.matching.helpers import cohort, person, random_cohort


def score(mentor, mentee, weights, **kwargs) -> float:
    pair = cohort([mentor], [mentee], **kwargs)
    return float(Scorer(pair, ScoringConfig(weights=weights)).matrix()[0, 0])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"language": 11}, "The weight of “language” must be from 0 to 10 (got 11)."),
        ({"language": -1}, "The weight of “language” must be from 0 to 10 (got -1)."),
        ({"language": math.nan}, "The weight of “language” must be from 0 to 10"),
        ({"language": "5"}, "The weight of “language” must be a number from 0 to 10."),
        ({"language": True}, "The weight of “language” must be a number from 0 to 10."),
        ({"charisma": 3}, "Unknown criterion “charisma”"),
        ({"language": 0, "interests": 0}, "Give at least one criterion a weight above 0."),
        ({}, "Give at least one criterion a weight above 0."),
    ],
)
def test_invalid_weights_are_refused_with_a_clear_message(weights, message):
    with pytest.raises(ConfigError) as error:
        ScoringConfig(weights=weights)
    assert str(error.value).startswith(message)


def test_weights_at_the_bounds_are_accepted():
    config = ScoringConfig(weights={"language": 10, "interests": 0, "focus": 0.5})
    assert config.clean_weights["language"] == 10.0
    assert config.clean_weights["time_zone"] == 0.0


def test_a_criterion_that_does_not_apply_is_left_out_of_the_scale():
    # No focus topics in the program: the focus weight is ignored instead of capping scores.
    mentor, mentee = person("Ann", skills={1: 5}), person("Bo", skills={1: 3})
    assert score(mentor, mentee, {"language": 5, "focus": 5}) == 100.0
    with pytest.raises(ConfigError, match="None of the weighted criteria applies"):
        score(mentor, mentee, {"focus": 5})


def test_complementarity_weights_topics_by_the_level_wanted():
    mentee = person("Exec", skills={1: 4, 2: 2, 3: 2})  # Σ L = 8, three topics: full confidence
    covers_main = person("A", skills={1: 5})  # min(5, 4) = 4 -> 4/8
    covers_minor = person("B", skills={2: 5, 3: 1})  # 2 + 1 = 3 -> 3/8
    weights = {"complementarity": 1}
    assert score(covers_main, mentee, weights) == pytest.approx(50.0)
    assert score(covers_minor, mentee, weights) == pytest.approx(37.5)


def test_a_sparse_profile_does_not_outrank_a_detailed_one():
    mentor = person("Mentor", skills={1: 5, 2: 5, 3: 5})
    sparse = person("Sparse", skills={1: 3})  # fully covered, but one wish only
    detailed = person("Detailed", skills={1: 3, 2: 3, 3: 3, 4: 3})  # 3 of 4 covered
    pair = cohort([mentor], [sparse, detailed])
    scores = Scorer(pair, ScoringConfig(weights={"complementarity": 1, "interests": 1})).matrix()
    assert scores[1, 0] > scores[0, 0]


def test_shared_interests_are_shrunk_jaccard():
    weights = {"interests": 1}
    one_of_one = score(person("A", interests={1}), person("B", interests={1}), weights)
    three_of_four = score(
        person("A", interests={1, 2, 3}), person("B", interests={1, 2, 3, 4}), weights
    )
    assert one_of_one == pytest.approx(50.0)  # 1 / (1 + 1)
    assert three_of_four == pytest.approx(60.0)  # 3 / (4 + 1)
    assert score(person("A"), person("B"), weights) == 0.0


def test_focus_fit_is_the_share_of_the_overlap_in_focus_topics():
    mentor = person("A", skills={1: 5, 2: 5})
    mentee = person("B", skills={1: 3, 2: 3})  # overlap 6, of which 3 on focus topic 1
    assert score(mentor, mentee, {"focus": 1}, focus=[1]) == pytest.approx(50.0)
    tiny = person("C", skills={1: 1})  # overlap 1, all in focus, but below the floor of 3
    assert score(mentor, tiny, {"focus": 1}, focus=[1]) == pytest.approx(100 / 3)


def test_availability_is_compared_in_utc():
    paris = person(
        "P", utc_offset_minutes=60, availability=[{"weekday": 0, "start": "10:00", "end": "12:00"}]
    )
    london = person(
        "L", utc_offset_minutes=0, availability=[{"weekday": 0, "start": "09:00", "end": "10:00"}]
    )
    # Paris 10-12 is 09-11 UTC; London 09-10 UTC: 2 shared half hours of a target of 4.
    assert score(paris, london, {"availability": 1}) == pytest.approx(50.0)
    tokyo = person(
        "T", utc_offset_minutes=540, availability=[{"weekday": 0, "start": "09:00", "end": "10:00"}]
    )
    assert score(tokyo, london, {"availability": 1}) == 0.0


def test_availability_wraps_around_the_week():
    sunday_night_la = person(
        "LA",
        utc_offset_minutes=-480,
        availability=[{"weekday": 6, "start": "20:00", "end": "22:00"}],
    )  # Monday 04:00-06:00 UTC
    monday_early = person("M", availability=[{"weekday": 0, "start": "04:00", "end": "06:00"}])
    assert score(sunday_night_la, monday_early, {"availability": 1}) == 100.0


@pytest.mark.parametrize(
    ("hours", "expected"), [(0, 100.0), (6, 50.0), (12, 0.0), (-9, 14.64466), (23, 98.29629)]
)
def test_time_zone_distance_is_a_smooth_circular_penalty(hours, expected):
    a, b = person("A"), person("B", utc_offset_minutes=hours * 60)
    assert score(a, b, {"time_zone": 1}) == pytest.approx(expected, abs=1e-4)


def test_language_counts_when_at_least_one_is_shared_ignoring_case():
    weights = {"language": 1}
    assert (
        score(
            person("A", languages=["French", "english"]),
            person("B", languages=["English"]),
            weights,
        )
        == 100.0
    )
    assert (
        score(person("A", languages=["French"]), person("B", languages=["German"]), weights) == 0.0
    )
    assert score(person("A", languages=[]), person("B", languages=[]), weights) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("in_person", "video", 0.0), ("in_person", "either", 100.0), ("video", "video", 100.0)],
)
def test_meeting_formats(a, b, expected):
    assert (
        score(person("A", meeting_format=a), person("B", meeting_format=b), {"meeting_format": 1})
        == expected
    )


def test_diversity_rewards_bridging_generations_and_departments():
    mentor = person("A", generation="Gen Z", department="IT")
    weights = {"diversity": 1}
    assert score(mentor, person("B", generation="Gen X", department="Sales"), weights) == 100.0
    assert score(mentor, person("B", generation="Gen X", department="it"), weights) == 50.0
    assert score(mentor, person("B", generation="", department=""), weights) == 0.0
    only_departments = ScoringConfig(weights=weights, diversity_generation=0)
    pair = cohort([mentor], [person("B", generation="Gen X", department="IT")])
    assert Scorer(pair, only_departments).matrix()[0, 0] == 0.0


def test_custom_questions_similar_and_different():
    questions = (
        MatchingQuestion(1, "Style", "single_choice", "similar", ("A", "B")),
        MatchingQuestion(2, "Risk", "scale", "different", scale_min=1, scale_max=5),
    )
    weights = {"questions": 1}
    same_style_far_risk = score(
        person("A", answers={"1": "A", "2": 1}),
        person("B", answers={1: "A", "2": 5}),
        weights,
        questions=questions,
    )
    assert same_style_far_risk == 100.0
    other_style_same_risk = score(
        person("A", answers={"1": "A", "2": 3}),
        person("B", answers={"1": "B", "2": 3}),
        weights,
        questions=questions,
    )
    assert other_style_same_risk == 0.0
    unanswered = score(
        person("A"), person("B", answers={"1": "A", "2": 2}), weights, questions=questions
    )
    assert unanswered == 0.0


def test_multiple_choice_answers_use_jaccard():
    question = MatchingQuestion(
        1, "Channels", "multiple_choice", "similar", ("Mail", "Chat", "Call")
    )
    a = person("A", answers={"1": ["Mail", "Chat"]})
    b = person("B", answers={"1": ["Chat", "Call"]})
    assert score(a, b, {"questions": 1}, questions=(question,)) == pytest.approx(100 / 3)


@pytest.mark.parametrize("seed", range(5))
def test_breakdown_adds_up_to_the_matrix_value(seed):
    pair = random_cohort(seed, 9, 11)
    weights = {name: (k % 4) + 1 for k, name in enumerate(CRITERIA)}
    scorer = Scorer(pair, ScoringConfig(weights=weights))
    scores = scorer.matrix()
    mentees, mentors = np.indices(scores.shape).reshape(2, -1)
    contributions = scorer.breakdown(mentees, mentors)
    assert np.allclose(breakdown_totals(contributions), scores[mentees, mentors], rtol=0, atol=1e-9)
    assert (contributions >= 0).all()
    assert scores.max() <= 100 + 1e-9
    # Each criterion's points never exceed its share of the 100-point scale.
    assert (contributions <= scorer.coefficients + 1e-9).all()


def test_breakdown_isolates_each_criterion():
    mentor = person("A", languages=["English"], meeting_format="in_person")
    mentee = person("B", languages=["English"], meeting_format="video")
    scorer = Scorer(
        cohort([mentor], [mentee]), ScoringConfig(weights={"language": 3, "meeting_format": 1})
    )
    contributions = dict(
        zip(CRITERIA, scorer.breakdown(np.asarray([0]), np.asarray([0]))[0], strict=True)
    )
    assert contributions["language"] == 75.0
    assert contributions["meeting_format"] == 0.0
    assert sum(contributions.values()) == scorer.matrix()[0, 0] == 75.0


def test_row_blocks_and_threads_give_the_same_matrix():
    pair = random_cohort(3, 13, 17)
    scorer = Scorer(pair, ScoringConfig(weights=dict.fromkeys(CRITERIA, 1)))
    whole = scorer.matrix()
    assert np.array_equal(whole, scorer.matrix(block_elements=13))  # one mentee row per block
    assert np.array_equal(whole, scorer.matrix(block_elements=40, workers=2))
