"""What each hard rule removes before a round runs: counted pair by pair against the rule set's
own reasons, and the most pairs checked against the solver."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import Constraints, HardRules, Mode, RuleSet, solve
from matching.engine.impact import most_pairs, rule_impact
from tests.matching.helpers import cohort, person, random_cohort, random_instance


@pytest.mark.parametrize("seed", range(6))
def test_counts_match_the_rules_pair_by_pair(seed):
    people = random_cohort(seed, 7, 9)
    rng = np.random.default_rng(seed)
    mentors, mentees = people.mentors, people.mentees
    blocks = [
        (int(mentors.ids[rng.integers(mentors.size)]), int(mentees.ids[rng.integers(mentees.size)]))
        for _ in range(4)
    ]
    rules = HardRules(different_department=True, shared_language=True, level_gap=2)
    ruleset = RuleSet(people, rules, Constraints(blocks=blocks))
    impact = rule_impact(ruleset, mentors.capacity, block_elements=20)  # several row blocks
    reasons = {
        (e, m): ruleset.rules_forbidding(e, m)
        for e in range(mentees.size)
        for m in range(mentors.size)
    }
    assert impact.possible == len(reasons)
    for item in impact.rules:
        forbidden = {pair for pair, broken in reasons.items() if item.rule in broken}
        assert item.excluded == len(forbidden)
        assert item.mentees_without == sum(
            all((e, m) in forbidden for m in range(mentors.size)) for e in range(mentees.size)
        )
        assert item.mentors_without == sum(
            all((e, m) in forbidden for e in range(mentees.size)) for m in range(mentors.size)
        )
    allowed = ruleset.allowed_matrix()
    assert impact.allowed == int(allowed.sum())
    assert impact.mentees_without == int((~allowed.any(axis=1)).sum())
    assert impact.mentors_without == int((~allowed.any(axis=0)).sum())
    best = solve(np.zeros(allowed.shape), allowed, mentors.capacity, mode=Mode.MAX_MATCHED_FIRST)
    assert impact.most_pairs == best.matched


@pytest.mark.parametrize("seed", range(40))
def test_most_pairs_is_the_largest_matching_with_capacities(seed):
    scores, allowed, capacity = random_instance(seed, 9, 5, max_capacity=3, forbid=0.6)
    best = solve(scores, allowed, capacity, mode=Mode.MAX_MATCHED_FIRST)
    assert most_pairs(allowed, capacity) == best.matched


def test_a_reporting_chain_that_leaves_an_executive_without_a_mentor_is_named():
    junior = person("Junior", level=1)
    boss = person("Boss", level=9)
    other = person("Other", level=9)
    people = cohort([junior], [boss, other], managers={junior.person_id: boss.person_id})
    impact = rule_impact(RuleSet(people, HardRules()), people.mentors.capacity)
    chain = next(item for item in impact.rules if item.rule == "reporting_chain")
    assert (chain.excluded, chain.mentees_without, chain.mentors_without) == (1, 1, 0)
    assert impact.share(chain.excluded) == 0.5
    assert (impact.allowed, impact.mentees_without, impact.most_pairs) == (1, 1, 1)


def test_rules_that_leave_nothing_say_so():
    people = cohort([person("Senior mentor", level=9)], [person("Junior mentee", level=1)])
    impact = rule_impact(RuleSet(people, HardRules()), people.mentors.capacity)
    (junior,) = (item for item in impact.rules if item.rule == "junior_mentor")
    assert (junior.excluded, junior.mentees_without, junior.mentors_without) == (1, 1, 1)
    assert (impact.allowed, impact.most_pairs) == (0, 0)


def typical_import() -> tuple[list, list, dict[int, int]]:
    """30 people as an HR export has them: a chief executive, four chiefs below, a manager under
    each chief, five juniors under each manager, and an HR partner. The five executives are the
    mentees, the twenty juniors the mentors."""
    ceo = person("Chief executive", level=10)
    chiefs = [person(f"Chief {k}", level=9) for k in range(4)]
    managers = [person(f"Manager {k}", level=6) for k in range(4)]
    juniors = [person(f"Junior {k}-{j}", level=2) for k in range(4) for j in range(5)]
    hr = person("HR partner", level=5)
    manager_of = {chief.person_id: ceo.person_id for chief in chiefs}
    manager_of[hr.person_id] = ceo.person_id
    for k in range(4):
        manager_of[managers[k].person_id] = chiefs[k].person_id
        for j in range(5):
            manager_of[juniors[5 * k + j].person_id] = managers[k].person_id
    return juniors, [ceo, *chiefs], manager_of


def test_default_rules_give_a_typical_import_a_workable_first_round():
    mentors, mentees, manager_of = typical_import()
    people = cohort(mentors, mentees, managers=manager_of)
    impact = rule_impact(RuleSet(people, HardRules()), people.mentors.capacity)
    assert (impact.mentees_without, impact.most_pairs) == (0, 5)
    chain = next(item for item in impact.rules if item.rule == "reporting_chain")
    assert chain.excluded == 20  # each chief with the five juniors two levels below
    # Three levels would reach the chief executive from every junior: no mentor left for them.
    deeper = rule_impact(RuleSet(people, HardRules(chain_levels=3)), people.mentors.capacity)
    assert deeper.mentees_without == 1
