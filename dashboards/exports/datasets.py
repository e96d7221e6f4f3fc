"""What each export holds: one function per dataset, each reading the lower apps' selectors and
keeping to their visibility and privacy rules. Only the program's staff reach these (the export
policy, ``dashboards/exports/access.py``, is asked before and again in the task).

=================  ===========================================================================
dataset            columns, and what is left out
=================  ===========================================================================
enrolments         person (name, email, department, level), role, status, dates. Registration
                   answers and demographics are left out.
pairs              people, status, score, dates, sessions and hours met. Ending reasons and
                   re-match reasons (free text) are left out.
sessions           date, duration, format, status, source, topics, who logged it (role). Never
                   ``learned`` or ``action_items``: that is the pair's text (``feedback.visibility``:
                   staff never read it). Notes are not read at all.
check-ins          person, due date, status, rating, "contact me", whether blockers were given:
                   what the check-in policy shows staff, without the blockers' text.
engagement         the stored engagement rows (score, level, the reasons' texts, nudges sent).
survey results     per question and option the aggregates of ``surveys/results``, under the
                   privacy floor and its differencing rule: a group under k reads "too few answers
                   to show" with no figure. Never an individual answer; never free text.
=================  ===========================================================================

Row datasets stream from one query (``iterator(chunk_size=…)``: a server-side cursor, constant
memory, the same number of queries for 20 rows or 20,000); person columns come from joins,
topics from a string aggregate, sums from subqueries, so nothing is read per row.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from dashboards.exports.filters import ExportFilters
from dashboards.models import ExportDataset
from feedback.checkins import program_check_ins
from feedback.models import SessionLog
from feedback.review import staff_pairs, staff_snapshots
from organizations.models import Membership, Organization
from participants.directory import level_label
from participants.enrollment import enrollment_list
from programs.models import Program
from surveys.results.aggregates import Filters
from surveys.results.export import SURVEY_HEADER, survey_result_rows
from surveys.results.use_cases import survey_results_for
from surveys.selectors import program_surveys

CHUNK = 500

Row = Sequence[Any]


@dataclass(frozen=True)
class Table:
    """An export's header, how many rows it will have, and its rows (read once, streamed)."""

    title: str
    header: list[str]
    count: Callable[[], int]
    rows: Callable[[], Iterator[Row]]


def _period(queryset: QuerySet[Any], field: str, filters: ExportFilters) -> QuerySet[Any]:
    if filters.date_from:
        queryset = queryset.filter(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        queryset = queryset.filter(**{f"{field}__lte": filters.date_to})
    return queryset


def _person(prefix: str, filters: ExportFilters) -> Q:
    condition = Q()
    if filters.department:
        condition &= Q(**{f"{prefix}person__department__iexact": filters.department})
    if filters.level is not None:
        condition &= Q(**{f"{prefix}person__level": filters.level})
    return condition


def _pair_people(prefix: str, filters: ExportFilters) -> Q:
    """Pairs whose member on the ``role`` side (either side without a role) matches the
    department and level filters."""
    if not filters.department and filters.level is None:
        return Q()
    sides = [filters.role] if filters.role else ["mentor", "mentee"]
    return functools.reduce(operator.or_, [_person(f"{prefix}{side}__", filters) for side in sides])


def _streamed(queryset: QuerySet[Any], row: Callable[[Any], Row]) -> Callable[[], Iterator[Row]]:
    def rows() -> Iterator[Row]:
        for item in queryset.iterator(chunk_size=CHUNK):
            yield row(item)

    return rows


def _hours(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 2)


# --- Datasets -------------------------------------------------------------------------------------


def enrolments(program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    organization = viewer.organization
    enrollments = _period(enrollment_list(program=program), "created_at__date", filters)
    if filters.role:
        enrollments = enrollments.filter(role=filters.role)
    enrollments = enrollments.filter(_person("", filters)).order_by("person__full_name", "id")
    values = enrollments.values_list(
        "id",
        "person__full_name",
        "person__email",
        "person__employee_id",
        "person__job_title",
        "person__department",
        "person__level",
        "role",
        "status",
        "created_at",
        "status_changed_at",
    )

    def row(item: tuple[Any, ...]) -> Row:
        *person, level, role, status, created, changed = item
        return [*person, level_label(organization, level), role, status, created, changed]

    header = [
        "enrolment_id",
        "name",
        "email",
        "employee_id",
        "job_title",
        "department",
        "level",
        "role",
        "status",
        "enrolled_at_utc",
        "status_changed_at_utc",
    ]
    return Table("Enrolments", header, values.count, _streamed(values, row))


def pairs(program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    sessions = (
        SessionLog.objects.filter(pair=OuterRef("pk"))
        .order_by()
        .values("pair")
        .annotate(n=Count("id"), minutes=Sum("duration_minutes"))
    )
    queryset = _period(
        staff_pairs(viewer).filter(program=program), "created_at__date", filters
    ).filter(_pair_people("", filters))
    values = (
        queryset.annotate(
            session_count=Coalesce(Subquery(sessions.values("n")), Value(0)),
            minutes_met=Coalesce(
                Subquery(sessions.values("minutes"), output_field=IntegerField()), Value(0)
            ),
        )
        .order_by("created_at", "id")
        .values_list(
            "id",
            "mentor__person__full_name",
            "mentor__person__department",
            "mentee__person__full_name",
            "mentee__person__department",
            "status",
            "score",
            "created_at",
            "activated_at",
            "ends_on",
            "completed_at",
            "ended_at",
            "session_count",
            "minutes_met",
        )
    )

    def row(item: tuple[Any, ...]) -> Row:
        *facts, score, created, activated, ends, completed, ended, count, minutes = item
        rounded = round(score, 1) if score is not None else None
        return [*facts, rounded, created, activated, ends, completed, ended, count, _hours(minutes)]

    header = [
        "pair_id",
        "mentor",
        "mentor_department",
        "mentee",
        "mentee_department",
        "status",
        "match_score",
        "paired_at_utc",
        "started_at_utc",
        "ends_on",
        "completed_at_utc",
        "ended_at_utc",
        "sessions",
        "hours_met",
    ]
    return Table("Pairs", header, values.count, _streamed(values, row))


def sessions(program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    # Facts only: the columns are named, so the pair's text (learned, action items) is never read.
    queryset = _period(
        SessionLog.objects.filter(pair__in=staff_pairs(viewer).filter(program=program)),
        "held_on",
        filters,
    ).filter(_pair_people("pair__", filters))
    values = (
        queryset.annotate(
            topic_names=StringAgg("topics__name", delimiter=Value("; "), order_by="topics__name"),
            logged_by_role=F("logged_by__role"),
        )
        .order_by("held_on", "id")
        .values_list(
            "id",
            "pair_id",
            "pair__mentor__person__full_name",
            "pair__mentee__person__full_name",
            "held_on",
            "duration_minutes",
            "format",
            "status",
            "source",
            "topic_names",
            "logged_by_role",
            "confirmed_at",
            "corrected",
        )
    )

    def row(item: tuple[Any, ...]) -> Row:
        *facts, topics, logged_by, confirmed, corrected = item
        return [*facts, topics or "", logged_by, confirmed, corrected]

    header = [
        "session_id",
        "pair_id",
        "mentor",
        "mentee",
        "held_on",
        "duration_minutes",
        "format",
        "status",
        "source",
        "topics",
        "logged_by",
        "confirmed_at_utc",
        "corrected",
    ]
    return Table("Sessions", header, values.count, _streamed(values, row))


def check_ins(program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    queryset = _period(program_check_ins(program), "due_on", filters)
    if filters.role:
        queryset = queryset.filter(enrollment__role=filters.role)
    queryset = queryset.filter(_person("enrollment__", filters)).filter(
        pair__in=staff_pairs(viewer)
    )
    # Whether blockers were given, computed in SQL: their text is never read.
    gave_blockers = ExpressionWrapper(~Q(blockers=""), output_field=BooleanField())
    values = (
        queryset.annotate(gave_blockers=gave_blockers)
        .order_by("due_on", "id")
        .values_list(
            "id",
            "pair_id",
            "enrollment__person__full_name",
            "enrollment__role",
            "due_on",
            "status",
            "sent_at",
            "answered_at",
            "rating",
            "wants_contact",
            "gave_blockers",
        )
    )

    def row(item: tuple[Any, ...]) -> Row:
        return list(item)

    header = [
        "check_in_id",
        "pair_id",
        "person",
        "role",
        "due_on",
        "status",
        "sent_at_utc",
        "answered_at_utc",
        "rating",
        "wants_contact",
        "gave_blockers",
    ]
    return Table("Check-ins", header, values.count, _streamed(values, row))


def engagement(program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    queryset = _period(
        staff_snapshots(viewer).filter(pair__program=program), "computed_on", filters
    ).filter(_pair_people("pair__", filters))
    values = queryset.order_by("computed_on", "pair_id", "id").values_list(
        "pair_id",
        "pair__mentor__person__full_name",
        "pair__mentee__person__full_name",
        "computed_on",
        "score",
        "level",
        "reasons",
        "nudges_sent",
    )

    def row(item: tuple[Any, ...]) -> Row:
        *facts, reasons, nudges = item
        texts = [str(r.get("text", "")) for r in reasons or [] if isinstance(r, dict)]
        return [*facts, "; ".join(texts), nudges]

    header = [
        "pair_id",
        "mentor",
        "mentee",
        "computed_on",
        "score",
        "level",
        "reasons",
        "nudges_sent",
    ]
    return Table("Engagement", header, values.count, _streamed(values, row))


def survey_results(program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    """Every survey of the program, per question, under the floor (``surveys/results``). The
    aggregates are computed in memory by the results code (its size is the questions', not the
    respondents'), then written like any other rows."""
    organization: Organization = viewer.organization
    respondents = Filters(
        role=filters.role, department=filters.department, level=filters.level, group=""
    )
    found: list[Row] = []
    for survey in program_surveys(program):
        results = survey_results_for(
            membership=viewer, organization=organization, survey=survey, filters=respondents
        )
        for cells in survey_result_rows(results):
            padding = [None] * (len(SURVEY_HEADER) - len(cells))  # option rows stop early
            found.append([survey.title, survey.wave, *cells, *padding])
    header = ["survey", "wave", *SURVEY_HEADER]
    return Table("Survey results", header, lambda: len(found), lambda: iter(found))


BUILDERS: dict[str, Callable[[Program, ExportFilters, Membership], Table]] = {
    ExportDataset.ENROLMENTS: enrolments,
    ExportDataset.PAIRS: pairs,
    ExportDataset.SESSIONS: sessions,
    ExportDataset.CHECK_INS: check_ins,
    ExportDataset.ENGAGEMENT: engagement,
    ExportDataset.SURVEY_RESULTS: survey_results,
}


def table_for(dataset: str, program: Program, filters: ExportFilters, viewer: Membership) -> Table:
    return BUILDERS[dataset](program, filters, viewer)
