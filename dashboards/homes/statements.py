"""The participant home's reads: two plain statements, one for the person's open enrolments and one
for their open pairs, each with every fact the home shows of them.

Written out because compiling the home's fourteen ORM queries and building their model instances
was most of a home computed afresh (73k Python calls then, 19k now for a paired person, most of
it the page's rendering), far more than the database spent answering them. The rules stay with their owners: the enrolments'
facts are ``participants.next_step.facts_sql``'s, and what is open to answer is decided in Python
by ``feedback.checkins`` and ``surveys.respond`` on the rows read here. Each table is filtered by
the organisation in scope, as the tenant manager would, row-level security holds as on any query,
and outside a scope they raise as a tenant manager does. Every table read here is mapped to the
scopes a write to it replaces (``dashboards.homes.scopes``; a test reads this SQL to check it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection

from core import rows
from feedback.models import (
    CheckIn,
    CheckInStatus,
    Goal,
    Note,
    NoteVisibility,
    SessionLog,
    SessionStatus,
)
from matching.models import OPEN_PAIR_STATUSES, Pair
from organizations.scope import require_organization_id
from participants.enrollment import OPEN_STATUSES
from participants.models import Enrollment, Person
from participants.next_step import FACTS_WIDTH, ParticipantFacts, facts_of, facts_sql
from programs.models import Program, ProgramStatus
from surveys.models import InvitationStatus, Survey, SurveyInvitation


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class SentCheckIn:
    pk: int
    due_on: date


@dataclass(frozen=True)
class SentInvitation:
    pk: int
    opens_on: date
    closes_on: date
    status: str
    survey_title: str


@dataclass(frozen=True)
class EnrollmentRow:
    """An open enrolment (its ``person`` and ``program`` loaded), the facts its steps read, and
    its check-ins and survey invitations sent and not answered, newest first."""

    enrollment: Enrollment
    facts: ParticipantFacts
    check_ins: list[SentCheckIn]
    invitations: list[SentInvitation]


def _enrollments_sql(organization_id: int) -> tuple[str, list[Any]]:
    fact_columns, fact_params = facts_sql("e", organization_id)
    org = organization_id
    check_ins = (
        "(SELECT json_agg(json_build_array(c.id, c.due_on) ORDER BY c.due_on DESC, c.id DESC) "  # noqa: S608 (table names; values bound)
        f"FROM {_table(CheckIn)} c WHERE c.organization_id = %s AND c.enrollment_id = e.id "
        "AND c.status = %s)"
    )
    invitations = (
        "(SELECT json_agg(json_build_array(i.id, i.opens_on, i.closes_on, i.status, s.title) "  # noqa: S608 (table names; values bound)
        f"ORDER BY i.opens_on DESC, i.id DESC) FROM {_table(SurveyInvitation)} i "
        f"JOIN {_table(Survey)} s ON s.id = i.survey_id WHERE i.organization_id = %s "
        "AND s.organization_id = %s AND i.enrollment_id = e.id AND i.status = %s)"
    )
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = (
        f"SELECT {rows.columns('e', Enrollment)}, {rows.columns('g', Program)}, "  # noqa: S608 (model names; values bound)
        f"{rows.columns('pe', Person)}, {', '.join(fact_columns)}, {check_ins}, {invitations} "
        f"FROM {_table(Enrollment)} e JOIN {_table(Program)} g ON g.id = e.program_id "
        f"JOIN {_table(Person)} pe ON pe.id = e.person_id "
        "WHERE e.organization_id = %s AND g.organization_id = %s AND pe.organization_id = %s "
        f"AND pe.user_id = %s AND e.status IN ({statuses}) AND g.archived_at IS NULL "
        "AND g.status <> %s ORDER BY g.start_date, g.name, e.id"
    )
    params = [
        *fact_params,
        org,
        CheckInStatus.SENT.value,
        org,
        org,
        InvitationStatus.SENT.value,
        org,
        org,
        org,
    ]
    return sql, params


def open_enrollments(user_id: int) -> list[EnrollmentRow]:
    """The person's open enrolments in live programs (not archived, not closed), by the
    program's start date and name: one statement."""
    organization_id = require_organization_id()
    sql, params = _enrollments_sql(organization_id)
    params += [user_id, *(status.value for status in OPEN_STATUSES), ProgramStatus.CLOSED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = []
    programs_at = rows.width(Enrollment)
    people_at = programs_at + rows.width(Program)
    at = people_at + rows.width(Person)
    for row in found:
        enrollment = rows.instance(Enrollment, row[:programs_at])
        enrollment.program = rows.instance(Program, row[programs_at:people_at])
        enrollment.person = rows.instance(Person, row[people_at:at])
        facts = facts_of(enrollment, row[at : at + FACTS_WIDTH])
        check_ins, invitations = row[at + FACTS_WIDTH :]
        result.append(
            EnrollmentRow(
                enrollment=enrollment,
                facts=facts,
                check_ins=[
                    SentCheckIn(pk, date.fromisoformat(due_on)) for pk, due_on in check_ins or ()
                ],
                invitations=[
                    SentInvitation(
                        pk,
                        date.fromisoformat(opens_on),
                        date.fromisoformat(closes_on),
                        status,
                        title,
                    )
                    for pk, opens_on, closes_on, status, title in invitations or ()
                ],
            )
        )
    return result


@dataclass(frozen=True)
class GoalRow:
    description: str
    owner: str
    status: str
    progress: int
    target_date: date | None


@dataclass(frozen=True)
class PairRow:
    """An open pair of the person's (its own columns), the partner's role and name, and what the
    home shows of it."""

    pair: Pair
    partner_role: str
    partner_name: str
    # The newest session held (drafts aside).
    last_session_on: date | None
    # The partner's sessions that wait for the person's confirmation: (held on, id).
    awaiting: list[tuple[date, int]]
    # The partner's shared notes since ``notes_since``, newest first: (id, created at).
    new_notes: list[tuple[int, datetime]]
    # Ordered by status, target date and id.
    goals: list[GoalRow]


def _pairs_sql() -> str:
    statuses = ", ".join(["%s"] * len(OPEN_PAIR_STATUSES))
    sessions = _table(SessionLog)
    notes = _table(Note)
    return (
        f"SELECT {rows.columns('p', Pair)}, pt.role, pp.full_name, "  # noqa: S608 (model names; values bound)
        f"(SELECT max(s.held_on) FROM {sessions} s WHERE s.organization_id = %s "
        "AND s.pair_id = p.id AND s.status <> %s), "
        "(SELECT json_agg(json_build_array(s.held_on, s.id) ORDER BY s.held_on, s.id) "
        f"FROM {sessions} s WHERE s.organization_id = %s AND s.pair_id = p.id "
        "AND s.status = %s AND s.logged_by_id <> ALL(%s)), "
        f"ARRAY(SELECT n.id FROM {notes} n WHERE n.organization_id = %s AND n.pair_id = p.id "
        "AND n.visibility = %s AND n.created_at >= %s AND n.author_id <> ALL(%s) "
        "ORDER BY n.created_at DESC, n.id DESC), "
        f"ARRAY(SELECT n.created_at FROM {notes} n WHERE n.organization_id = %s "
        "AND n.pair_id = p.id AND n.visibility = %s AND n.created_at >= %s "
        "AND n.author_id <> ALL(%s) ORDER BY n.created_at DESC, n.id DESC), "
        "(SELECT json_agg(json_build_array(gl.description, gl.owner, gl.status, gl.progress, "
        f"gl.target_date) ORDER BY gl.status, gl.target_date, gl.id) FROM {_table(Goal)} gl "
        "WHERE gl.organization_id = %s AND gl.pair_id = p.id) "
        f"FROM {_table(Pair)} p JOIN {_table(Enrollment)} pt "
        "ON pt.id = CASE WHEN p.mentor_id = ANY(%s) THEN p.mentee_id ELSE p.mentor_id END "
        f"JOIN {_table(Person)} pp ON pp.id = pt.person_id "
        "WHERE p.organization_id = %s AND pt.organization_id = %s AND pp.organization_id = %s "
        f"AND (p.mentor_id = ANY(%s) OR p.mentee_id = ANY(%s)) AND p.status IN ({statuses}) "
        "ORDER BY p.created_at DESC, p.id DESC"
    )


def open_pairs(
    mine: Sequence[int], programs: dict[int, Program], *, notes_since: datetime
) -> list[PairRow]:
    """The open pairs of the enrolments ``mine``, newest first, each with its program from
    ``programs`` (by id): one statement."""
    org = require_organization_id()
    ids = list(mine)
    notes: list[Any] = [org, NoteVisibility.SHARED.value, notes_since, ids]
    params: list[Any] = [
        org,
        SessionStatus.DRAFT.value,
        org,
        SessionStatus.AWAITING.value,
        ids,
        *notes,
        *notes,
        org,
        ids,
        org,
        org,
        org,
        ids,
        ids,
        *(status.value for status in OPEN_PAIR_STATUSES),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_pairs_sql(), params)
        found = cursor.fetchall()
    width = rows.width(Pair)
    result = []
    program_field = Pair._meta.get_field("program")
    for row in found:
        pair = rows.instance(Pair, row[:width])
        program = programs.get(pair.program_id)
        if program is not None:  # else read when used (a pair is in its people's program)
            program_field.set_cached_value(pair, program)
        role, name, last, awaiting, note_ids, note_times, goals = row[width:]
        result.append(
            PairRow(
                pair=pair,
                partner_role=role,
                partner_name=name,
                last_session_on=last,
                awaiting=[(date.fromisoformat(day), pk) for day, pk in awaiting or ()],
                new_notes=list(zip(note_ids, note_times, strict=True)),
                goals=[
                    GoalRow(
                        description=description,
                        owner=owner,
                        status=status,
                        progress=progress,
                        target_date=date.fromisoformat(target) if target else None,
                    )
                    for description, owner, status, progress, target in goals or ()
                ],
            )
        )
    return result
