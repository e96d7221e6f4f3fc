"""Flipside's matching engine: pure numpy/scipy, no Django.

Feed it from the ORM with :func:`build_cohort` (a few bulk queries → :class:`PersonRecord`), then
:func:`run_round` scores every pair, applies the hard rules, solves the assignment optimally and
explains the result. See ``pipeline.py`` for the stages and each module for its formulas.
"""

from matching.engine.baseline import greedy
from matching.engine.compare import Comparison, PairChange, compare
from matching.engine.errors import ConfigError, EmptyCohortError, MatchingError, PinError
from matching.engine.explain import (
    Alternative,
    Explanations,
    PairExplanation,
    UnmatchedExplanation,
    explain,
)
from matching.engine.pipeline import RoundResult, run_round
from matching.engine.profiles import Cohort, MatchingQuestion, PersonRecord, build_cohort
from matching.engine.rules import RULES, Constraints, HardRules, RuleSet
from matching.engine.scoring import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    Scorer,
    ScoringConfig,
    validate_weights,
)
from matching.engine.solver import Assignment, Mode, solve

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "RULES",
    "Alternative",
    "Assignment",
    "Cohort",
    "Comparison",
    "ConfigError",
    "Constraints",
    "EmptyCohortError",
    "Explanations",
    "HardRules",
    "MatchingError",
    "MatchingQuestion",
    "Mode",
    "PairChange",
    "PairExplanation",
    "PersonRecord",
    "PinError",
    "RoundResult",
    "RuleSet",
    "Scorer",
    "ScoringConfig",
    "UnmatchedExplanation",
    "build_cohort",
    "compare",
    "explain",
    "greedy",
    "run_round",
    "solve",
    "validate_weights",
]
