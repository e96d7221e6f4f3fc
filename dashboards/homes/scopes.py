"""Which writes can change a participant's home, so that one pair's session leaves every other
person's home warm.

A participant's home (``selectors.participant_home``) reads only what hangs off the person's own
enrolments: the enrolments and their programs, their pairs and those pairs' sessions, goals,
notes and check-ins, the partners' enrolments, the programs' charter, registration questions,
training and surveys, and the enrolments' charter acceptances, skills, training completions and
survey invitations. Its cached value's key carries a version token per *scope* it read:

==================  ===========================================================================
scope               replaced by a write to
==================  ===========================================================================
``pair:<id>``       the pair; its sessions, goals, notes and check-ins
``enrollment:<id>`` the enrolment; its charter acceptances, skills, training completions,
                    survey invitations and check-ins; a pair it is in (mentor or mentee)
``program:<id>``    the program; its charter versions, registration questions, training
                    resources and surveys
``general``         a person (names, accounts), a topic (deleting one deletes the skills registered
                    with it), and any write above whose rows the writer did not know (a
                    queryset's ``update`` or ``delete``)
==================  ===========================================================================

The written rows come from ``organizations.changes`` (``keys``: each row's own and foreign keys).
A model the home never reads (``HOME_READS`` leaves it out: session topics, engagement snapshots,
touchpoints, rounds, reviews…) replaces none of these; a test reads a full home's SQL and fails on
a table missing here. Deleting a row removes what Django deletes with it (a pair's sessions) under
the same scope, so a model whose deletion cascades into a table the home reads is mapped even when
the home does not read it (a topic; the test checks this too); a row is never moved to another
pair, enrolment or program by any write path.

The set of scopes is read per request (:func:`home_scopes`, one statement): a new enrolment or
pair changes the set itself, so the key changes with it. The staff home and the dashboards keep the
organisation-wide version that every write replaces (``dashboards.freshness``).
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from feedback.models import CheckIn, Goal, Note, SessionLog
from matching.models import Pair
from organizations.changes import RowKeys
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentSkill,
    Person,
    RegistrationQuestion,
    TrainingCompletion,
)
from programs.models import CharterVersion, Program, Topic, TrainingResource
from surveys.models import Survey, SurveyInvitation

GENERAL = "general"

# What the participant home reads, model by model: the (attname, scope) of each key of a written
# row that names a scope; an empty tuple sends every write of the model to ``general``.
HOME_READS: dict[str, tuple[tuple[str, str], ...]] = {
    Pair._meta.label_lower: (
        ("id", "pair"),
        ("mentor_id", "enrollment"),
        ("mentee_id", "enrollment"),
    ),
    SessionLog._meta.label_lower: (("pair_id", "pair"),),
    Goal._meta.label_lower: (("pair_id", "pair"),),
    Note._meta.label_lower: (("pair_id", "pair"),),
    CheckIn._meta.label_lower: (("pair_id", "pair"), ("enrollment_id", "enrollment")),
    Enrollment._meta.label_lower: (("id", "enrollment"),),
    CharterAcceptance._meta.label_lower: (("enrollment_id", "enrollment"),),
    EnrollmentSkill._meta.label_lower: (("enrollment_id", "enrollment"),),
    TrainingCompletion._meta.label_lower: (("enrollment_id", "enrollment"),),
    SurveyInvitation._meta.label_lower: (("enrollment_id", "enrollment"),),
    Program._meta.label_lower: (("id", "program"),),
    CharterVersion._meta.label_lower: (("program_id", "program"),),
    RegistrationQuestion._meta.label_lower: (("program_id", "program"),),
    TrainingResource._meta.label_lower: (("program_id", "program"),),
    Survey._meta.label_lower: (("program_id", "program"),),
    Person._meta.label_lower: (),
    # Not read, but deleting a topic deletes the skills registered with it, and a cascade
    # announces only the row deleted (the test maps every model whose deletion cascades so).
    Topic._meta.label_lower: (),
}


def written_scopes(label: str, keys: RowKeys | None) -> set[str]:
    """The scopes whose homes a write of ``label`` rows with these keys may change."""
    mapping = HOME_READS.get(label)
    if mapping is None:
        return set()
    if keys is None or not mapping:
        return {GENERAL}
    scopes = {
        f"{scope}:{value}"
        for name, scope in mapping
        for key, value in keys
        if key == name and value is not None
    }
    return scopes or {GENERAL}


@cache
def _scopes_sql() -> str:
    quote = connection.ops.quote_name
    return (
        "SELECT e.id, e.program_id, p.id, p.mentor_id, p.mentee_id "  # noqa: S608 (model names; values bound)
        f"FROM {quote(Enrollment._meta.db_table)} e "
        f"JOIN {quote(Person._meta.db_table)} pe ON pe.id = e.person_id "
        f"LEFT JOIN {quote(Pair._meta.db_table)} p ON p.organization_id = e.organization_id "
        "AND (p.mentor_id = e.id OR p.mentee_id = e.id) "
        "WHERE pe.user_id = %s AND e.organization_id = %s AND pe.organization_id = %s"
    )


def home_scopes(user_id: int, organization_id: int) -> list[str]:
    """Every scope the person's home reads (all their enrolments, whatever their status, their
    programs, their pairs and the partners' enrolments), sorted, ``general`` included: one
    statement."""
    scopes = {GENERAL}
    with connection.cursor() as cursor:
        cursor.execute(_scopes_sql(), [user_id, organization_id, organization_id])
        for enrollment_id, program_id, pair_id, mentor_id, mentee_id in cursor.fetchall():
            scopes.add(f"enrollment:{enrollment_id}")
            scopes.add(f"program:{program_id}")
            if pair_id is not None:
                scopes.update(
                    (f"pair:{pair_id}", f"enrollment:{mentor_id}", f"enrollment:{mentee_id}")
                )
    return sorted(scopes)
