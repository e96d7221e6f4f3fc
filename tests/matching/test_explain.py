"""Explanations: rationale from the data, exact breakdown, alternatives, unmatched reasons."""

from __future__ import annotations

import pytest

from matching.engine import CRITERIA, Constraints, HardRules, Mode, ScoringConfig, run_round
from matching.engine.explain import listing
from tests.matching.helpers import cohort, person

WEIGHTS = ScoringConfig(weights=dict.fromkeys(CRITERIA, 5))
RULES = HardRules(junior_mentor=True, reporting_chain=True)


def crafted():
    alex = person(
        "Alex",
        level=2,
        department="IT",
        generation="Gen Z",
        skills={1: 5, 4: 3},
        interests={3},
        availability=[{"weekday": 0, "start": "09:00", "end": "11:00"}],
    )
    blake = person("Blake", level=2, department="IT", skills={4: 5}, languages=["German"])
    sam = person(
        "Sam",
        level=9,
        department="Finance",
        generation="Gen X",
        utc_offset_minutes=60,
        skills={1: 4},
        interests={3, 5},
        availability=[{"weekday": 0, "start": "10:00", "end": "12:00"}],
    )
    kim = person("Kim", level=9, department="IT", skills={4: 2}, meeting_format="in_person")
    return cohort([alex, blake], [sam, kim], focus=[1])


def test_rationale_is_built_from_both_profiles():
    result = run_round(crafted(), config=WEIGHTS, rules=RULES)
    assert result.explanations is not None
    by_mentee = {p.mentee_id: p for p in result.explanations.pairs}
    sam = by_mentee[result.scorer.cohort.mentees.ids[0]]
    assert sam.rationale == (
        "Alex can teach generative-AI tools that Sam wants to learn; "
        "generative-AI tools is a focus topic of the program; both care about sustainability; "
        "1 h time-zone difference; 2 h of shared weekly availability; different departments; "
        "bridges generations"
    )
    kim = by_mentee[result.scorer.cohort.mentees.ids[1]]
    assert kim.rationale == (
        "Blake can teach data literacy that Kim wants to learn; same time zone; "
        "2 h of shared weekly availability; no common language listed; "
        "meeting formats differ (video vs in person); same department"
    )


def test_pair_score_is_the_sum_of_its_contributions():
    result = run_round(crafted(), config=WEIGHTS, rules=RULES)
    assert result.explanations is not None
    for pair in result.explanations.pairs:
        assert list(pair.contributions) == list(CRITERIA)
        running = 0.0
        for points in pair.contributions.values():
            running += points
        assert running == pair.score
    matrix_scores = sorted(result.assignment.scores.tolist())
    shown = sorted(p.score for p in result.explanations.pairs)
    assert shown == pytest.approx(matrix_scores, abs=1e-9)


def test_runner_up_alternatives_for_each_side():
    result = run_round(crafted(), config=WEIGHTS, rules=RULES)
    assert result.explanations is not None
    cohort_ = result.scorer.cohort
    for pair in result.explanations.pairs:
        mentee = cohort_.mentees.index_of(pair.mentee_id)
        mentor = cohort_.mentors.index_of(pair.mentor_id)
        (other_mentor,) = pair.mentee_alternatives
        assert other_mentor.enrollment_id != pair.mentor_id
        assert (
            other_mentor.score
            == result.scores[mentee, cohort_.mentors.index_of(other_mentor.enrollment_id)]
        )
        (other_mentee,) = pair.mentor_alternatives
        assert other_mentee.enrollment_id != pair.mentee_id
        assert (
            other_mentee.score
            == result.scores[cohort_.mentees.index_of(other_mentee.enrollment_id), mentor]
        )


def test_alternatives_are_the_best_three_allowed_partners():
    mentors = [person(f"M{k}", level=1, skills={1: k}) for k in range(1, 6)]
    blocked = mentors[4]
    mentees = [person("Exec", level=9, skills={1: 5})]
    result = run_round(
        cohort(mentors, mentees),
        config=ScoringConfig(weights={"complementarity": 1}),
        rules=RULES,
        constraints=Constraints(blocks=[(blocked.enrollment_id, mentees[0].enrollment_id)]),
    )
    assert result.explanations is not None
    (pair,) = result.explanations.pairs
    assert pair.mentor_id == mentors[3].enrollment_id  # M5 is blocked: M4 is the best allowed
    assert [a.name for a in pair.mentee_alternatives] == ["M3", "M2", "M1"]


def unmatched(result):
    assert result.explanations is not None
    return {(u.role, u.name): (u.code, u.reason) for u in result.explanations.unmatched}


def test_unmatched_because_every_mentor_is_in_the_reporting_chain():
    analyst = person("Analyst", level=1)
    boss, other = person("Boss", level=9), person("Other", level=9)
    pair = cohort([analyst], [boss, other], managers={analyst.person_id: boss.person_id})
    reasons = unmatched(run_round(pair, config=WEIGHTS, rules=RULES))
    assert reasons == {
        ("mentee", "Boss"): (
            "rule:reporting_chain",
            "every mentor with a free place is in one reporting line with Boss (one manages "
            "the other, within 2 levels)",
        )
    }


def test_unmatched_because_no_mentor_shares_a_language():
    pair = cohort([person("Fr", level=1, languages=["French"])], [person("En", level=9)])
    rules = HardRules(shared_language=True)
    reasons = unmatched(run_round(pair, config=WEIGHTS, rules=rules))
    assert reasons[("mentee", "En")] == (
        "rule:shared_language",
        "no mentor with a free place shares a language with En",
    )
    assert reasons[("mentor", "Fr")] == (
        "rule:shared_language",
        "no mentee shares a language with Fr",
    )


@pytest.mark.parametrize("mode", list(Mode))
def test_unmatched_because_compatible_mentors_are_taken(mode):
    mentor = person("Mentor", level=1, skills={1: 5})
    keen, lukewarm = person("Keen", level=9, skills={1: 5}), person("Lukewarm", level=9)
    reasons = unmatched(
        run_round(cohort([mentor], [keen, lukewarm]), config=WEIGHTS, rules=RULES, mode=mode)
    )
    code, reason = reasons[("mentee", "Lukewarm")]
    assert code == "taken"
    assert reason.startswith("all 1 compatible mentor(s) are at capacity")
    if mode == Mode.SCORE_FIRST:
        assert reason.endswith("with better-scoring pairs")


def test_unmatched_because_several_rules_together():
    in_chain = person("Chain", level=1, department="Ops")
    same_dept = person("Colleague", level=1, department="Sales")
    exec_ = person("Exec", level=9, department="Sales")
    other = person("Other", level=9, department="Legal")
    pair = cohort(
        [in_chain, same_dept], [exec_, other], managers={in_chain.person_id: exec_.person_id}
    )
    rules = HardRules(different_department=True)
    reasons = unmatched(
        run_round(
            pair,
            config=WEIGHTS,
            rules=rules,
            constraints=Constraints(pins=[(same_dept.enrollment_id, other.enrollment_id)]),
        )
    )
    # Colleague is pinned to Other and has no place left: only Chain is a candidate for Exec.
    assert reasons[("mentee", "Exec")] == (
        "rule:reporting_chain",
        "every mentor with a free place is in one reporting line with Exec (one manages the "
        "other, within 2 levels)",
    )
    reasons = unmatched(
        run_round(
            pair,
            config=WEIGHTS,
            rules=rules,
            constraints=Constraints(
                blocks=[
                    (same_dept.enrollment_id, other.enrollment_id),
                    (in_chain.enrollment_id, other.enrollment_id),
                ]
            ),
        )
    )
    assert reasons[("mentee", "Exec")] == (
        "rules",
        "no mentor passes the hard rules together (1 in one reporting line with Exec and 1 in "
        "Exec's department)",
    )


def test_unmatched_mentor_whose_mentees_are_all_in_their_department():
    mentors = [
        person("Insider", level=1, department="Sales"),
        person("Outsider", level=1, department="IT"),
    ]
    reasons = unmatched(
        run_round(
            cohort(mentors, [person("Exec", level=9, department="Sales")]),
            config=WEIGHTS,
            rules=HardRules(different_department=True),
        )
    )
    assert reasons == {
        ("mentor", "Insider"): (
            "rule:different_department",
            "every mentee works in Insider's department",
        )
    }


def test_listing():
    assert [listing([]), listing(["a"]), listing(["a", "b"]), listing(["a", "b", "c"])] == [
        "",
        "a",
        "a and b",
        "a, b and c",
    ]


@pytest.mark.parametrize("seed", range(10))
def test_best_rows_and_columns_are_exact_with_ties_by_index(seed):
    import importlib

    import numpy as np

    explain_module = importlib.import_module("matching.engine.explain")
    rng = np.random.default_rng(seed)
    n_rows, n_cols = 30 + seed * 7, 20 + seed * 5
    scores = np.floor(rng.random((n_rows, n_cols)) * (4 + seed))  # many ties
    allowed = rng.random((n_rows, n_cols)) > 0.3
    allowed[:, 0] = False  # a column nobody may take
    allowed[:5, 1] = False
    allowed[5:, 1] = False
    allowed[2, 1] = True  # a column with one allowed row
    rows = np.arange(n_rows)
    cols = np.arange(n_cols)
    row_exclude = [{int(rng.integers(n_cols))} for _ in rows]
    col_exclude = [set(rng.choice(n_rows, size=seed % 3, replace=False).tolist()) for _ in cols]
    # Small blocks, so that the column pass merges many of them.
    original = explain_module._BLOCK_ELEMENTS
    explain_module._BLOCK_ELEMENTS = n_cols * 4
    try:
        by_row = explain_module._top_in_rows(scores, allowed, rows, row_exclude, 3)
        by_col = explain_module._top_in_columns(scores, allowed, cols, col_exclude, 3)
    finally:
        explain_module._BLOCK_ELEMENTS = original
    for r in rows:
        best = sorted(
            (c for c in range(n_cols) if allowed[r, c] and c not in row_exclude[r]),
            key=lambda c: (-scores[r, c], c),
        )[:3]
        assert by_row[r] == [(c, scores[r, c]) for c in best]
    for c in cols:
        best = sorted(
            (r for r in range(n_rows) if allowed[r, c] and r not in col_exclude[c]),
            key=lambda r: (-scores[r, c], r),
        )[:3]
        assert by_col[c] == [(r, scores[r, c]) for r in best]
