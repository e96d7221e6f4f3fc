"""Paired change of one anchor item between two waves: pure numpy/scipy, no Django.

For ``n`` people who answered both waves, with changes ``d_i = post_i - pre_i``:

- mean change ``d̄ = Σ d_i / n``; SD of the change ``s = sqrt(Σ (d_i - d̄)² / (n - 1))``;
- 95 % confidence interval (t): ``d̄ ± t(0.975, n - 1) · s / sqrt(n)``;
- paired t-test: ``t = d̄ / (s / sqrt(n))`` with ``n - 1`` degrees of freedom, two-sided p;
- Wilcoxon signed-rank test (two-sided; zero changes dropped, scipy's ``zero_method="wilcox"``;
  exact for small samples without ties, the normal approximation otherwise);
- effect sizes: Cohen's ``d_z = d̄ / s``, and the matched-pairs rank-biserial correlation
  ``r = (R+ - R-) / (R+ + R-)``, where ``R+`` and ``R-`` are the sums of the ranks of ``|d_i|``
  (non-zero changes only, ties averaged) of the rises and the falls.

The headline test is Wilcoxon for ordinal answers (Likert points, NPS) and for skewed changes
(``|skewness| > 1``), the t-test otherwise; ``test`` says which was used, ``effect_size`` is then the
rank-biserial or ``d_z``. Fewer than two pairs, zero variance and no change at all give a result
with the figures that exist and a plain sentence, never an exception.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

Test = Literal["wilcoxon", "t-test", ""]
SKEWED = 1.0
CONFIDENCE = 0.95
EXACT_UP_TO = 50  # changes (zeros included): scipy's own limit for its exact and permutation tests
MINUS, EN_DASH = "\u2212", "\u2013"  # typographic minus; the dash of a range


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_pre: float | None
    mean_post: float | None
    mean_change: float | None
    sd_change: float | None
    ci_low: float | None
    ci_high: float | None
    t_p: float | None
    wilcoxon_p: float | None
    cohens_dz: float | None
    rank_biserial: float | None
    test: Test
    sentence: str

    @property
    def p_value(self) -> float | None:
        """The headline test's p."""
        if self.test == "wilcoxon":
            return self.wilcoxon_p
        if self.test == "t-test":
            return self.t_p
        return None

    @property
    def effect_size(self) -> float | None:
        if self.test == "wilcoxon":
            return self.rank_biserial
        if self.test == "t-test":
            return self.cohens_dz
        return None

    @property
    def test_label(self) -> str:
        return {
            "wilcoxon": "Wilcoxon signed-rank",
            "t-test": "Paired t-test",
            "": "No test",
        }[self.test]

    @property
    def effect_label(self) -> str:
        return {"wilcoxon": "rank-biserial r", "t-test": "Cohen's d_z", "": ""}[self.test]


def _number(value: float) -> str:
    """One decimal, with a real minus sign; "-0.0" reads as "0.0"."""
    text = f"{value:.1f}"
    if text in ("-0.0", "0.0"):
        return "0.0"
    return text.replace("-", MINUS)


def _points(value: float) -> str:
    text = _number(abs(value))
    return f"{text} point" if text == "1.0" else f"{text} points"


def _interval(low: float, high: float) -> str:
    if low >= 0 and high >= 0:
        return f"{_number(low)}{EN_DASH}{_number(high)}"
    return f"{_number(low)} to {_number(high)}"


def _signed_ranks(changes: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Ranks of the non-zero ``|d_i|`` (ties averaged), the sum over rises and over falls."""
    from scipy.stats import rankdata  # scipy.stats takes about a second to import: on first use

    nonzero = changes[changes != 0]
    ranks = rankdata(np.abs(nonzero))
    return ranks, float(ranks[nonzero > 0].sum()), float(ranks[nonzero < 0].sum())


def rank_biserial(changes: np.ndarray) -> float | None:
    """Matched-pairs rank-biserial correlation of the non-zero changes (None if all are zero)."""
    _ranks, rises, falls = _signed_ranks(changes)
    if rises + falls == 0:
        return None
    return (rises - falls) / (rises + falls)


def _wilcoxon_p(changes: np.ndarray) -> float | None:
    """Two-sided Wilcoxon signed-rank p, zero changes dropped. Up to 50 changes scipy decides
    (exact without ties or zeros, else a permutation test up to 13, else the normal
    approximation); above 50 it is the normal approximation with the tie correction, which is
    scipy's own choice there, computed directly (scipy's wrapper costs milliseconds a call)."""
    if np.count_nonzero(changes) == 0:
        return None
    if changes.size <= EXACT_UP_TO:
        from scipy import stats as scipy_stats  # on first use, as in _signed_ranks

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # small-sample notices: the p is still defined
            result = scipy_stats.wilcoxon(changes, zero_method="wilcox", alternative="two-sided")
        p = float(result.pvalue)
        return None if math.isnan(p) else p
    ranks, rises, _falls = _signed_ranks(changes)
    n = ranks.size
    _values, ties = np.unique(ranks, return_counts=True)
    variance = (n * (n + 1) * (2 * n + 1) - float(np.sum(ties**3 - ties)) / 2) / 24
    if variance <= 0:
        return None
    z = (rises - n * (n + 1) / 4) / math.sqrt(variance)
    return float(2 * special.ndtr(-abs(z)))


def _is_skewed(changes: np.ndarray) -> bool:
    """Sample skewness (adjusted Fisher-Pearson, as ``scipy.stats.skew(bias=False)``) over 1."""
    n = changes.size
    if n < 3:
        return False
    deviations = changes - changes.mean()
    m2 = float(np.mean(deviations**2))
    if m2 == 0.0:
        return False
    m3 = float(np.mean(deviations**3))
    g1 = m3 / m2**1.5
    return abs(g1 * math.sqrt(n * (n - 1)) / (n - 2)) > SKEWED


def paired_change(
    pre: Sequence[float] | np.ndarray,
    post: Sequence[float] | np.ndarray,
    *,
    label: str,
    scale: str = "",
    ordinal: bool = False,
) -> PairedChange:
    """The change from ``pre`` to ``post`` (the same people, in the same order).

    ``label`` names the item in the sentence ("Confidence using AI tools"); ``scale`` ends it
    ("on a 5-point scale"; "" for none); ``ordinal`` picks Wilcoxon as the headline test.
    """
    before = np.asarray(pre, dtype=float)
    after = np.asarray(post, dtype=float)
    if before.shape != after.shape:
        raise ValueError("pre and post must pair one to one")
    n = int(before.size)
    on_scale = f" {scale}" if scale else ""
    if n == 0:
        return _empty(0, f"{label}: nobody has answered both waves yet.")
    changes = after - before
    mean_pre, mean_post = float(before.mean()), float(after.mean())
    mean = float(changes.mean())
    if n == 1:
        return PairedChange(
            n=1,
            mean_pre=mean_pre,
            mean_post=mean_post,
            mean_change=mean,
            sd_change=None,
            ci_low=None,
            ci_high=None,
            t_p=None,
            wilcoxon_p=None,
            cohens_dz=None,
            rank_biserial=None,
            test="",
            sentence=f"{label}: only one person answered both waves, too few to measure a change.",
        )
    sd = float(changes.std(ddof=1))
    wilcoxon_p = _wilcoxon_p(changes)
    biserial = rank_biserial(changes)
    if sd == 0.0:
        # Everyone changed by the same amount: no spread, so no interval and no t-test.
        if mean == 0.0:
            sentence = f"{label} did not change{on_scale}: all {n} people gave the same answer."
            return PairedChange(
                n=n,
                mean_pre=mean_pre,
                mean_post=mean_post,
                mean_change=0.0,
                sd_change=0.0,
                ci_low=0.0,
                ci_high=0.0,
                t_p=None,
                wilcoxon_p=None,
                cohens_dz=None,
                rank_biserial=None,
                test="",
                sentence=sentence,
            )
        verb = "rose" if mean > 0 else "fell"
        sentence = f"{label} {verb} {_points(mean)}{on_scale} for every one of the n = {n} people."
        return PairedChange(
            n=n,
            mean_pre=mean_pre,
            mean_post=mean_post,
            mean_change=mean,
            sd_change=0.0,
            ci_low=mean,
            ci_high=mean,
            t_p=None,
            wilcoxon_p=wilcoxon_p,
            cohens_dz=None,
            rank_biserial=biserial,
            test="wilcoxon" if wilcoxon_p is not None else "",
            sentence=sentence,
        )
    se = sd / math.sqrt(n)
    critical = float(special.stdtrit(n - 1, (1 + CONFIDENCE) / 2))
    low, high = mean - critical * se, mean + critical * se
    t = mean / se
    t_p = float(2 * special.stdtr(n - 1, -abs(t)))
    test: Test = (
        "wilcoxon" if (ordinal or _is_skewed(changes)) and wilcoxon_p is not None else "t-test"
    )
    if _number(mean) == "0.0":
        verb_phrase = "barely changed"
    else:
        verb_phrase = f"{'rose' if mean > 0 else 'fell'} {_points(mean)}"
    sentence = f"{label} {verb_phrase}{on_scale}, 95 % CI {_interval(low, high)}, n = {n}."
    return PairedChange(
        n=n,
        mean_pre=mean_pre,
        mean_post=mean_post,
        mean_change=mean,
        sd_change=sd,
        ci_low=low,
        ci_high=high,
        t_p=t_p,
        wilcoxon_p=wilcoxon_p,
        cohens_dz=mean / sd,
        rank_biserial=biserial,
        test=test,
        sentence=sentence,
    )


def _empty(n: int, sentence: str) -> PairedChange:
    return PairedChange(
        n=n,
        mean_pre=None,
        mean_post=None,
        mean_change=None,
        sd_change=None,
        ci_low=None,
        ci_high=None,
        t_p=None,
        wilcoxon_p=None,
        cohens_dz=None,
        rank_biserial=None,
        test="",
        sentence=sentence,
    )


def suppressed(label: str) -> PairedChange:
    """The result shown in place of one under the privacy floor: no figure, only the sentence."""
    return _empty(0, f"{label}: too few answers to show.")
