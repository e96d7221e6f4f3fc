"""Paired change statistics against values computed by hand (the arithmetic is written out), then
the edge cases: they give a sentence, never an exception."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from surveys.stats import paired_change, rank_biserial

# Five mentees' confidence using AI tools, before and after (5-point Likert):
PRE = [2, 3, 3, 4, 2]
POST = [3, 4, 5, 4, 4]
# changes d = [1, 1, 2, 0, 2]; n = 5; Σd = 6; mean d̄ = 6 / 5 = 1.2
# deviations d - d̄ = [-0.2, -0.2, 0.8, -1.2, 0.8]; squares [0.04, 0.04, 0.64, 1.44, 0.64], Σ = 2.8
# variance s² = 2.8 / (5 - 1) = 0.7; s = √0.7 = 0.836660
# standard error = s / √5 = √(0.7 / 5) = √0.14 = 0.374166
# t(0.975, 4 df) = 2.776445 (from the t table); half-width = 2.776445 * 0.374166 = 1.038850
# 95 % CI = 1.2 ± 1.038850 = [0.161150, 2.238850]
# t = 1.2 / 0.374166 = 3.207135, so t² = 1.44 / 0.14 = 10.285714
# For 4 degrees of freedom the t distribution has a closed form: with θ = arctan(t / 2),
#   P(|T| < t) = sin θ · (1 + cos² θ / 2); cos² θ = 1 / (1 + t² / 4) = 1 / 3.571429 = 0.28,
#   sin θ = √0.72 = 0.848528; P = 0.848528 * 1.14 = 0.967322; two-sided p = 1 - P = 0.032678
# Cohen's d_z = 1.2 / 0.836660 = 1.434274
# Rank-biserial: zero changes dropped, |d| = [1, 1, 2, 2] → ranks 1.5, 1.5, 3.5, 3.5 (ties
#   averaged); all rises: R+ = 10, R- = 0; r = (10 - 0) / 10 = 1.0


def test_paired_change_matches_the_hand_computation() -> None:
    result = paired_change(
        PRE, POST, label="Confidence using AI tools", scale="on a 5-point scale", ordinal=True
    )
    assert result.n == 5
    assert result.mean_pre == pytest.approx(14 / 5)
    assert result.mean_post == pytest.approx(20 / 5)
    assert result.mean_change == pytest.approx(1.2)
    assert result.sd_change == pytest.approx(0.836660, abs=1e-6)
    assert result.ci_low == pytest.approx(0.161150, abs=1e-5)
    assert result.ci_high == pytest.approx(2.238850, abs=1e-5)
    assert result.t_p == pytest.approx(0.032678, abs=1e-5)
    assert result.cohens_dz == pytest.approx(1.434274, abs=1e-5)
    assert result.rank_biserial == pytest.approx(1.0)
    # Likert answers are ordinal: the headline test is Wilcoxon, and its effect size the r.
    assert result.test == "wilcoxon"
    assert result.p_value == result.wilcoxon_p
    assert result.effect_size == pytest.approx(1.0)
    assert result.sentence == (
        "Confidence using AI tools rose 1.2 points on a 5-point scale, 95 % CI 0.2\u20132.2, n = 5."
    )


def test_wilcoxon_exact_p_matches_the_hand_computation() -> None:
    # Hours a week spent with younger colleagues (a number, not ordinal), changes without ties:
    pre = [1.0, 2.0, 3.0, 4.0, 5.0]
    post = [1.5, 3.5, 5.5, 3.0, 8.0]
    # d = [0.5, 1.5, 2.5, -1.0, 3.0]; ranks of |d|: 0.5→1, 1.0→2, 1.5→3, 2.5→4, 3.0→5
    # R- = 2 (the one fall), R+ = 1 + 3 + 4 + 5 = 13; T = min(R+, R-) = 2
    # Exact null distribution of R- for n = 5: each of the 2⁵ = 32 sign patterns is equally
    # likely; rank subsets with sum ≤ 2 are {}, {1}, {2}: 3 of 32. Two-sided p = 2 * 3 / 32 = 0.1875
    # rank-biserial r = (13 - 2) / (13 + 2) = 11 / 15 = 0.733333
    # Mean change = (0.5 + 1.5 + 2.5 - 1 + 3) / 5 = 6.5 / 5 = 1.3
    result = paired_change(pre, post, label="Hours with younger colleagues")
    assert result.wilcoxon_p == pytest.approx(0.1875)
    assert result.rank_biserial == pytest.approx(11 / 15)
    assert result.mean_change == pytest.approx(1.3)
    # Not ordinal and not skewed: the t-test is the headline.
    assert result.test == "t-test"
    assert result.effect_size == result.cohens_dz


def test_skewed_changes_use_wilcoxon_even_for_numbers() -> None:
    pre = [10.0] * 8
    post = [10.0, 10.5, 10.5, 11.0, 11.0, 11.0, 11.5, 30.0]  # one person's huge change
    result = paired_change(pre, post, label="Hours")
    assert result.test == "wilcoxon"


def test_rank_biserial_of_mixed_changes() -> None:
    # |d| = [1, 2, 3] → ranks 1, 2, 3; the fall has rank 2: r = (1 + 3 - 2) / 6 = 1/3
    assert rank_biserial(np.array([1.0, -2.0, 3.0])) == pytest.approx(1 / 3)


def test_a_fall_reads_as_a_fall_with_an_interval_across_zero() -> None:
    result = paired_change([4, 4, 3, 5], [3, 4, 3, 3], label="Intention to stay")
    # d = [-1, 0, 0, -2]; mean = -0.75
    assert result.mean_change == pytest.approx(-0.75)
    assert result.sentence.startswith("Intention to stay fell 0.8 points, 95 % CI ")
    assert (
        " to " in result.sentence
    )  # the interval crosses zero: "-2.3 to 0.8" (minus signs), no range dash


@pytest.mark.parametrize(
    ("pre", "post", "sentence"),
    [
        ([], [], "Visibility: nobody has answered both waves yet."),
        ([3], [4], "Visibility: only one person answered both waves, too few to measure a change."),
        ([3, 4, 2], [3, 4, 2], "Visibility did not change: all 3 people gave the same answer."),
        ([2, 3, 4], [3, 4, 5], "Visibility rose 1.0 point for every one of the n = 3 people."),
    ],
)
def test_edge_cases_give_a_sentence_not_an_exception(
    pre: list[int], post: list[int], sentence: str
) -> None:
    result = paired_change(pre, post, label="Visibility")
    assert result.sentence == sentence
    assert result.t_p is None
    assert result.cohens_dz is None
    for value in (result.ci_low, result.ci_high, result.mean_change):
        assert value is None or math.isfinite(value)


def test_pre_and_post_must_pair() -> None:
    with pytest.raises(ValueError, match="pair"):
        paired_change([1, 2], [1], label="x")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_large_samples_agree_with_scipy(seed: int) -> None:
    """Above 50 pairs the tests are computed directly (normal approximation with the tie
    correction, t from the special functions): they must give scipy's figures."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(1, 6, size=400).astype(float)
    post = np.clip(pre + rng.integers(-1, 3, size=400), 1, 5).astype(float)  # ties and zeros
    result = paired_change(pre, post, label="x", ordinal=True)
    changes = post - pre
    assert result.wilcoxon_p == pytest.approx(scipy_stats.wilcoxon(changes).pvalue, rel=1e-9)
    assert result.t_p == pytest.approx(scipy_stats.ttest_rel(post, pre).pvalue, rel=1e-9)
    interval = scipy_stats.ttest_rel(post, pre).confidence_interval()
    assert (result.ci_low, result.ci_high) == pytest.approx((interval.low, interval.high))
    skewed = np.concatenate([np.zeros(60), np.full(3, 9.0)])
    assert paired_change(np.zeros(63), skewed, label="x").test == "wilcoxon"
    assert abs(scipy_stats.skew(skewed, bias=False)) > 1
