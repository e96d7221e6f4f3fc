"""Hard rules: each forbids what it should only when enabled; pins are forced or refused."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import (
    Constraints,
    HardRules,
    Mode,
    PinError,
    RuleSet,
    ScoringConfig,
    run_round,
)
from tests.matching.helpers import cohort, person

ALL_OFF = HardRules(junior_mentor=False, reporting_chain=False, rotation=False, admin_blocks=False)
WEIGHTS = ScoringConfig(weights={"language": 1})


def allowed(pair, rules, constraints=None) -> np.ndarray:
    return RuleSet(pair, rules, constraints).allowed_matrix()


def test_with_every_rule_off_every_pair_is_allowed():
    pair = cohort([person("A"), person("B")], [person("C"), person("D")])
    assert allowed(pair, ALL_OFF).all()


@pytest.mark.parametrize(
    ("gap", "expected"),
    [(1, [True, False, False]), (2, [False, False, False]), (0, [True, True, False])],
)
def test_mentor_must_be_junior_by_the_gap(gap, expected):
    mentors = [person("L3", level=3), person("L4", level=4), person("L5", level=5)]
    pair = cohort(mentors, [person("Exec", level=4)])
    rules = HardRules(junior_mentor=True, level_gap=gap, reporting_chain=False)
    assert allowed(pair, rules)[0].tolist() == expected
    assert allowed(pair, ALL_OFF)[0].all()


def test_unknown_levels_pass_unless_configured_otherwise():
    pair = cohort([person("Unknown", level=None)], [person("Exec", level=8)])
    assert allowed(pair, HardRules(reporting_chain=False)).all()
    assert not allowed(pair, HardRules(reporting_chain=False, allow_unknown_level=False)).any()


def test_reporting_chain_within_k_levels_in_both_directions():
    # boss (mentee) -> manager (not enrolled) -> analyst (mentor); and a mentee reporting to a mentor.
    boss = person("Boss", level=9)
    analyst = person("Analyst", level=2)
    stranger = person("Stranger", level=2)
    lead = person("Lead", level=3)  # a mentor who manages a mentee (unusual, still a conflict)
    report = person("Report", level=8)
    managers = {analyst.person_id: 500, 500: boss.person_id, report.person_id: lead.person_id}
    pair = cohort([analyst, stranger, lead], [boss, report], managers=managers)
    two_levels = allowed(pair, HardRules(junior_mentor=False, chain_levels=2))
    assert two_levels.tolist() == [[False, True, True], [True, True, False]]
    one_level = allowed(pair, HardRules(junior_mentor=False, chain_levels=1))
    assert one_level.tolist() == [[True, True, True], [True, True, False]]
    assert allowed(pair, ALL_OFF).all()


def test_reporting_chain_survives_a_cycle_in_the_directory():
    a, b = person("A", level=1), person("B", level=9)
    pair = cohort([a], [b], managers={a.person_id: b.person_id, b.person_id: a.person_id})
    assert not allowed(pair, HardRules()).any()


def test_same_department_is_forbidden_only_when_enabled_and_known():
    mentors = [person("Sales", department="Sales"), person("Blank", department="")]
    pair = cohort(mentors, [person("Exec", department="sales")])
    rules = HardRules(junior_mentor=False, reporting_chain=False, different_department=True)
    assert allowed(pair, rules).tolist() == [[False, True]]
    assert allowed(pair, ALL_OFF).all()


def test_previous_pairs_are_excluded_in_either_role():
    a, b, c = person("A", level=1), person("B", level=1), person("C", level=9)
    pair = cohort([a, b], [c])
    earlier = Constraints(previous_pairs=[(c.person_id, b.person_id)])  # roles were swapped then
    rules = HardRules(junior_mentor=False, reporting_chain=False)
    assert allowed(pair, rules, earlier).tolist() == [[True, False]]
    assert allowed(
        pair, HardRules(junior_mentor=False, reporting_chain=False, rotation=False), earlier
    ).all()


def test_admin_blocks_and_unknown_ids_in_blocks():
    a, b, c = person("A"), person("B"), person("C")
    blocks = Constraints(blocks=[(a.enrollment_id, c.enrollment_id), (999_999, c.enrollment_id)])
    rules = HardRules(junior_mentor=False, reporting_chain=False)
    assert allowed(cohort([a, b], [c]), rules, blocks).tolist() == [[False, True]]
    off = HardRules(junior_mentor=False, reporting_chain=False, admin_blocks=False)
    assert allowed(cohort([a, b], [c]), off, blocks).all()


def test_shared_language_rule():
    pair = cohort([person("Fr", languages=["French"]), person("En")], [person("Exec")])
    rules = HardRules(junior_mentor=False, reporting_chain=False, shared_language=True)
    assert allowed(pair, rules).tolist() == [[False, True]]


def test_every_forbidding_rule_is_named_for_a_pair():
    mentor = person("Peer", level=7, department="IT")
    mentee = person("Exec", level=7, department="IT")
    pair = cohort([mentor], [mentee], managers={mentor.person_id: mentee.person_id})
    ruleset = RuleSet(
        pair,
        HardRules(different_department=True),
        Constraints(blocks=[(mentor.enrollment_id, mentee.enrollment_id)]),
    )
    assert ruleset.rules_forbidding(0, 0) == [
        "junior_mentor",
        "reporting_chain",
        "different_department",
        "admin_blocks",
    ]
    assert RuleSet(pair, ALL_OFF).rules_forbidding(0, 0) == []


def test_rows_and_columns_of_reasons_match_the_full_mask():
    mentors = [person(f"M{k}", level=k, department=["A", "B"][k % 2]) for k in range(1, 6)]
    mentees = [person(f"E{k}", level=k + 2, department=["A", "B"][k % 2]) for k in range(1, 5)]
    managers = {mentors[0].person_id: mentees[1].person_id}
    ruleset = RuleSet(
        cohort(mentors, mentees, managers=managers),
        HardRules(different_department=True, level_gap=2),
    )
    full = ruleset.allowed_matrix(block_elements=3)
    for row in range(4):
        by_rule = ruleset.forbidden_for_mentee(row)
        assert (~np.logical_or.reduce(list(by_rule.values()))).tolist() == full[row].tolist()
    for col in range(5):
        by_rule = ruleset.forbidden_for_mentor(col)
        assert (~np.logical_or.reduce(list(by_rule.values()))).tolist() == full[:, col].tolist()


def test_pin_is_forced_over_a_better_pair():
    star, other = (
        person("Star", level=1, languages=["English"]),
        person("Other", level=1, languages=["German"]),
    )
    exec_ = person("Exec", level=9, languages=["English"])
    pins = Constraints(pins=[(other.enrollment_id, exec_.enrollment_id)])
    result = run_round(
        cohort([star, other], [exec_]), config=WEIGHTS, rules=HardRules(), constraints=pins
    )
    assert result.assignment.mentor_of().tolist() == [1]
    assert result.assignment.pinned.tolist() == [True]
    assert result.explanations is not None
    assert result.explanations.pairs[0].rationale.endswith("pinned by an administrator")


def test_pin_that_breaks_a_rule_is_refused_with_the_rule_named():
    peer, exec_ = person("Pat", level=8), person("Sam", level=8)
    pins = Constraints(pins=[(peer.enrollment_id, exec_.enrollment_id)])
    with pytest.raises(PinError) as error:
        run_round(cohort([peer], [exec_]), config=WEIGHTS, rules=HardRules(), constraints=pins)
    assert str(error.value) == (
        "Cannot pin Pat with Sam: it breaks a hard rule "
        "(the mentor must be at least 1 level more junior)."
    )


@pytest.mark.parametrize(
    ("pins", "message"),
    [
        ([(1, "E")], "Cannot pin: enrolment 1 is not a mentor in this round."),
        ([("M", 2)], "Cannot pin: enrolment 2 is not a mentee in this round."),
        ([("M", "E"), ("M2", "E")], "Cannot pin Al with Eve: Eve is already pinned."),
        ([("M", "E"), ("M", "E2")], "Cannot pin Ann with Ed: Ann takes at most 1 mentee(s)."),
    ],
)
def test_invalid_pins_are_refused(pins, message):
    people = {
        "M": person("Ann", level=1),
        "M2": person("Al", level=1),
        "E": person("Eve", level=9),
        "E2": person("Ed", level=9),
    }
    ids = [tuple(people[x].enrollment_id if isinstance(x, str) else x for x in pin) for pin in pins]
    pair = cohort([people["M"], people["M2"]], [people["E"], people["E2"]])
    with pytest.raises(PinError) as error:
        RuleSet(pair, HardRules(), Constraints(pins=ids)).pin_indices()
    assert str(error.value) == message


def test_rules_hold_in_both_modes():
    mentors = [person(f"M{k}", level=k) for k in range(1, 5)]
    mentees = [person(f"E{k}", level=k + 1) for k in range(1, 5)]
    rules = HardRules(level_gap=2)
    for mode in Mode:
        result = run_round(cohort(mentors, mentees), config=WEIGHTS, rules=rules, mode=mode)
        levels = [
            (mentors[m].level, mentees[e].level)
            for e, m in zip(result.assignment.mentees, result.assignment.mentors, strict=True)
        ]
        assert levels
        assert all(e_level - m_level >= 2 for m_level, e_level in levels)
