"""A program's outcomes: response rates per wave and role, paired change of every anchor item, and
progress against each objective.

- **Response rates** are live from the invitations: answered / invited, where invited means sent
  (answered, open or closed unanswered; planned and cancelled invitations are not counted).
- **Paired change**: for each anchor item, the answers of the same pseudonym in the pre wave and in
  a later wave (post; follow-up) pair, attributed and anonymous surveys alike. Mentees and mentors
  separately (the role of the later answer); under the privacy floor, where "all pairs" is the
  coarser query of each role (``surveys/privacy.py``).
- **Objectives** (``ObjectiveAnchor`` → ``programs.Objective``): the paired change of each linked
  anchor item over the objective's audience, and progress against the target:
  baseline = the objective's baseline if set, else the pre mean of the pairs;
  progress = (post mean - baseline) / (target - baseline), as a percentage.

Five queries whatever the number of respondents (rates, anchor items, anchor answers, objective
links, objectives); the statistics are ``surveys.stats``. Pairing is a dictionary join in Python over
plain rows: measured against PostgreSQL doing it (a grouping by item and pseudonym, or a self-join,
whose row estimates make the planner nest loops), this was the faster on the bench.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, FloatField
from django.db.models.functions import Cast

from programs.models import Audience, Objective, Program
from surveys import privacy, stats
from surveys.models import (
    WAVE_ORDER,
    InvitationStatus,
    ObjectiveAnchor,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    Wave,
)
from surveys.results.rows import plain_rows

INVITED = (InvitationStatus.SENT, InvitationStatus.ANSWERED, InvitationStatus.CLOSED)
ROLES = ("mentee", "mentor")
ROLE_LABELS = {"mentee": "Mentees", "mentor": "Mentors", "": "Everyone"}
AUDIENCE_ROLE = {Audience.MENTEES: "mentee", Audience.MENTORS: "mentor", Audience.BOTH: ""}
COMPARISONS = ((Wave.PRE, Wave.POST), (Wave.PRE, Wave.FOLLOW_UP))
WAVE_LABELS = dict(Wave.choices)


# --- Response rates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    label: str
    invited: int
    answered: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.answered / self.invited, 1) if self.invited else None


@dataclass
class WaveRates:
    survey: Survey
    total: Rate
    by_role: list[Rate]

    @property
    def wave_label(self) -> str:
        return str(WAVE_LABELS[self.survey.wave])


@dataclass
class Rates:
    waves: list[WaveRates]
    program: Rate


def response_rates(program: Program, surveys: list[Survey]) -> Rates:
    counts: dict[tuple[int, str, str], int] = {}
    rows = (
        SurveyInvitation.objects.filter(survey__program=program)
        .values_list("survey_id", "enrollment__role", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for survey_id, role, status, n in rows:
        counts[survey_id, role, status] = n

    def rate(label: str, survey_ids: list[int], roles: tuple[str, ...]) -> Rate:
        invited = answered = 0
        for survey_id in survey_ids:
            for role in roles:
                invited += sum(counts.get((survey_id, role, s), 0) for s in INVITED)
                answered += counts.get((survey_id, role, InvitationStatus.ANSWERED), 0)
        return Rate(label, invited, answered)

    waves = [
        WaveRates(
            survey=survey,
            total=rate("Everyone", [survey.pk], ROLES),
            by_role=[rate(ROLE_LABELS[role], [survey.pk], (role,)) for role in ROLES],
        )
        for survey in surveys
    ]
    return Rates(waves, rate("The whole program", [s.pk for s in surveys], ROLES))


# --- Paired change ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorItem:
    key: str
    text: str
    kind: str
    scale_points: int | None

    @property
    def scale(self) -> str:
        if self.kind == QuestionKind.LIKERT:
            return f"on a {self.scale_points or 5}-point scale"
        if self.kind == QuestionKind.NPS:
            return "on the 0 to 10 scale"
        return ""

    @property
    def ordinal(self) -> bool:
        return self.kind in (QuestionKind.LIKERT, QuestionKind.NPS)


@dataclass(frozen=True)
class Change:
    """A paired change between two waves for one group (a role, or everyone), or its absence."""

    since: str
    until: str
    role: str
    shown: bool
    result: stats.PairedChange

    @property
    def label(self) -> str:
        return f"{WAVE_LABELS[self.since]} → {WAVE_LABELS[self.until]}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def shown_result(self) -> stats.PairedChange | None:
        return self.result if self.shown else None


@dataclass
class AnchorOutcome:
    item: AnchorItem
    changes: list[Change]


@dataclass(frozen=True)
class Progress:
    anchor: AnchorItem
    change: Change  # pre → post over the objective's audience
    baseline: float | None
    baseline_source: str  # "objective" or "pre mean"
    post_mean: float | None
    percent: float | None


@dataclass
class ObjectiveOutcome:
    objective: Objective
    role: str
    progress: list[Progress] = field(default_factory=list)

    @property
    def audience_label(self) -> str:
        return ROLE_LABELS[self.role]


@dataclass
class Outcomes:
    program: Program
    k: int
    surveys: list[Survey]
    rates: Rates
    anchors: list[AnchorOutcome]
    objectives: list[ObjectiveOutcome]


class _Pairs:
    """The answers of one anchor item, by wave then pseudonym: (value, role of that answer)."""

    def __init__(self) -> None:
        self.by_wave: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
        self._paired: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.changes: dict[tuple[str, str, str], Change] = {}

    def paired(self, since: str, until: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if (since, until) not in self._paired:
            before, after = self.by_wave.get(since, {}), self.by_wave.get(until, {})
            common = before.keys() & after.keys()
            pre = np.fromiter((before[p][0] for p in common), dtype=float, count=len(common))
            post = np.fromiter((after[p][0] for p in common), dtype=float, count=len(common))
            roles = np.array([after[p][1] for p in common], dtype=object)
            self._paired[since, until] = (pre, post, roles)
        return self._paired[since, until]


def _change(
    item: AnchorItem,
    pairs: _Pairs,
    since: str,
    until: str,
    role: str,
    k: int,
) -> Change:
    """The change of one group, computed once per item (objectives reuse the anchors' ones)."""
    if (since, until, role) not in pairs.changes:
        pairs.changes[since, until, role] = _compute_change(item, pairs, since, until, role, k)
    return pairs.changes[since, until, role]


def _compute_change(
    item: AnchorItem, pairs: _Pairs, since: str, until: str, role: str, k: int
) -> Change:
    pre, post, roles = pairs.paired(since, until)
    conditions = {"role": np.asarray(roles == role, dtype=bool)} if role else {}
    masks = privacy.Masks(np.ones(pre.size, dtype=bool), conditions)
    label = item.text if not role else f"{item.text} ({ROLE_LABELS[role].lower()})"
    if not masks.decide(k).shown:
        return Change(since, until, role, False, stats.suppressed(label))
    selected = masks.mask(frozenset(conditions))
    result = stats.paired_change(
        pre[selected],
        post[selected],
        label=item_label(item.text),
        scale=item.scale,
        ordinal=item.ordinal,
    )
    return Change(since, until, role, True, result)


def _anchor_items(program: Program) -> tuple[dict[str, AnchorItem], dict[int, tuple[str, str]]]:
    """Each anchor key's wording (the newest version's question, earliest wave first), and every
    anchor question's (key, wave) by id, old versions included: their answers pair too."""
    items: dict[str, AnchorItem] = {}
    questions: dict[int, tuple[str, str]] = {}
    rows = (
        Question.objects.filter(version__survey__program=program)
        .exclude(anchor_key="")
        .filter(kind__in=(QuestionKind.LIKERT, QuestionKind.NPS, QuestionKind.NUMBER))
        .values_list("id", "anchor_key", "text", "kind", "scale_points", "version__survey__wave")
        .order_by("-version__number", "id")
    )
    ranked = sorted(rows, key=lambda row: WAVE_ORDER.index(row[5]))
    for pk, key, text, kind, points, wave in ranked:
        items.setdefault(key, AnchorItem(key, text, kind, points))
        questions[pk] = (key, wave)
    return items, questions


def _anchor_answers(questions: dict[int, tuple[str, str]]) -> dict[str, _Pairs]:
    """The numbers answered to the anchor questions, by key, wave and pseudonym. Found by question
    (an index scan) with the number cast to float by PostgreSQL: no Decimal per row."""
    answers: dict[str, _Pairs] = defaultdict(_Pairs)
    if not questions:
        return answers
    rows = (
        SurveyAnswer.objects.filter(question_id__in=list(questions), number__isnull=False)
        .annotate(value=Cast("number", FloatField()))
        .values_list("question_id", "response__pseudonym", "response__role", "value")
        .order_by()
    )
    for question_id, pseudonym, role, value in plain_rows(rows):
        key, wave = questions[question_id]
        answers[key].by_wave[wave][pseudonym] = (value, role)
    return answers


def _progress(objective: Objective, item: AnchorItem, change: Change) -> Progress:
    result = change.result
    if not change.shown or result.n == 0:
        return Progress(item, change, None, "", None, None)
    source = "objective" if objective.baseline is not None else "pre mean"
    baseline = (
        float(objective.baseline)
        if objective.baseline is not None
        else (result.mean_pre if result.mean_pre is not None else None)
    )
    post_mean = result.mean_post
    target = float(objective.target)
    percent = None
    if baseline is not None and post_mean is not None and target != baseline:
        percent = round(100 * (post_mean - baseline) / (target - baseline), 1)
    return Progress(item, change, baseline, source, post_mean, percent)


def program_outcomes(program: Program, *, k: int, surveys: list[Survey]) -> Outcomes:
    """Rates, paired change per anchor item and role, and objectives' progress for ``program``
    (``surveys`` are its surveys in wave order, already read by the caller)."""
    rates = response_rates(program, surveys)
    items, questions = _anchor_items(program)
    answers = _anchor_answers(questions)
    waves = {survey.wave for survey in surveys}
    comparisons = [(a, b) for a, b in COMPARISONS if a in waves and b in waves]
    anchors = []
    for key in sorted(items, key=lambda key: items[key].text.lower()):
        item, pairs = items[key], answers[key]
        changes = [
            _change(item, pairs, since, until, role, k)
            for since, until in comparisons
            for role in ROLES
        ]
        anchors.append(AnchorOutcome(item, changes))

    links: dict[int, list[str]] = defaultdict(list)
    for objective_id, anchor_key in ObjectiveAnchor.objects.filter(
        objective__program=program
    ).values_list("objective_id", "anchor_key"):
        links[objective_id].append(anchor_key)
    objectives = []
    for objective in Objective.objects.filter(program=program).order_by("position", "id"):
        role = AUDIENCE_ROLE.get(objective.audience, "")
        outcome = ObjectiveOutcome(objective, role)
        for key in sorted(links.get(objective.pk, [])):
            linked = items.get(key)
            if linked is None:
                continue
            change = _change(linked, answers[key], Wave.PRE, Wave.POST, role, k)
            outcome.progress.append(_progress(objective, linked, change))
        objectives.append(outcome)
    return Outcomes(program, k, surveys, rates, anchors, objectives)


def item_label(text: str) -> str:
    """How a sentence names an item: its statement quoted, without the final full stop
    (“I am confident using AI tools in my work” rose 0.8 points…)."""
    return f"“{text.strip().rstrip('.').strip()}”"
