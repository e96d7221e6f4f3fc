"""Everything stored about one person in the scoped organisation, as named tables of plain rows.

One function per table, each a few queries whatever the size of the organisation. What goes in:
the directory entry, the account's membership and email preferences, enrolments (with registration
answers, skills, interests, charter and training), pairs (the partner's name and the pair's facts),
sessions of their pairs (facts; the shared notes only where they wrote them), their own notes,
goals of their pairs and their updates, their check-ins, their actions, their pairs' success
stories, survey invitations, their attributed survey answers, and the audit entries they caused.

Two things go in only when the person asked for their own data (``by_self``), because the
visibility policy hides them from everyone else, admins included: their private notes (and the
private audit entries about them), and their anonymous survey answers (found through the survey
pseudonym, ``surveys/pseudonyms.py``). An admin's export says so in its README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from feedback.models import (
    Action,
    CheckIn,
    EmailPreferences,
    Goal,
    GoalUpdate,
    Note,
    NoteVisibility,
    SessionLog,
    SuccessStory,
)
from matching.models import Pair
from organizations.models import AuditEntry, Membership
from participants.models import (
    CharterAcceptance,
    Enrollment,
    EnrollmentInterest,
    EnrollmentSkill,
    Person,
    TrainingCompletion,
)
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from surveys.pseudonyms import pseudonym

Row = dict[str, Any]


@dataclass(frozen=True)
class Subject:
    person: Person
    enrollment_ids: tuple[int, ...]
    pair_ids: tuple[int, ...]
    by_self: bool


def _enrollments(subject: Subject) -> list[Row]:
    return [
        {
            "id": e.pk,
            "program": e.program.name,
            "role": e.role,
            "status": e.status,
            "status_changed_at": e.status_changed_at,
            "withdrawn_reason": e.withdrawn_reason,
            "registration_answers": e.answers,
            "availability": e.availability,
            "meeting_format": e.meeting_format,
            "max_mentees": e.max_mentees,
            "created_at": e.created_at,
        }
        for e in Enrollment.objects.filter(pk__in=subject.enrollment_ids).select_related("program")
    ]


def _skills(subject: Subject) -> list[Row]:
    rows: list[Row] = [
        {
            "enrollment": s.enrollment_id,
            "topic": s.topic.name,
            "kind": s.direction,
            "level": s.level,
        }
        for s in EnrollmentSkill.objects.filter(enrollment_id__in=subject.enrollment_ids)
        .select_related("topic")
        .order_by("enrollment_id", "id")
    ]
    rows += [
        {"enrollment": i.enrollment_id, "topic": i.topic.name, "kind": "interest", "level": None}
        for i in EnrollmentInterest.objects.filter(enrollment_id__in=subject.enrollment_ids)
        .select_related("topic")
        .order_by("enrollment_id", "id")
    ]
    return rows


def _charter_and_training(subject: Subject) -> list[Row]:
    rows: list[Row] = [
        {
            "enrollment": c.enrollment_id,
            "what": f"charter version {c.charter_version.version}",
            "at": c.accepted_at,
        }
        for c in CharterAcceptance.objects.filter(enrollment_id__in=subject.enrollment_ids)
        .select_related("charter_version")
        .order_by("accepted_at", "id")
    ]
    rows += [
        {
            "enrollment": t.enrollment_id,
            "what": f"training: {t.resource.title}",
            "at": t.completed_at,
        }
        for t in TrainingCompletion.objects.filter(enrollment_id__in=subject.enrollment_ids)
        .select_related("resource")
        .order_by("completed_at", "id")
    ]
    return rows


def _pairs(subject: Subject) -> list[Row]:
    rows = []
    mine = set(subject.enrollment_ids)
    for pair in Pair.objects.filter(pk__in=subject.pair_ids).select_related(
        "program", "mentor__person", "mentee__person"
    ):
        partner = pair.mentee if pair.mentor_id in mine else pair.mentor
        rows.append(
            {
                "id": pair.pk,
                "program": pair.program.name,
                "my_role": "mentor" if pair.mentor_id in mine else "mentee",
                "partner": partner.person.full_name,
                "status": pair.status,
                "created_at": pair.created_at,
                "activated_at": pair.activated_at,
                "ended_at": pair.ended_at,
                "ended_reason": pair.ended_reason,
                "rematch_request_reason": pair.rematch_request_reason
                if pair.rematch_requested_by_id in mine
                else "",
            }
        )
    return rows


def _sessions(subject: Subject) -> list[Row]:
    mine = set(subject.enrollment_ids)
    return [
        {
            "id": s.pk,
            "pair": s.pair_id,
            "held_on": s.held_on,
            "duration_minutes": s.duration_minutes,
            "format": s.format,
            "status": s.status,
            "logged_by_me": s.logged_by_id in mine,
            "learned": s.learned if s.logged_by_id in mine else "",
            "action_items": s.action_items if s.logged_by_id in mine else "",
        }
        for s in SessionLog.objects.filter(pair_id__in=subject.pair_ids).order_by("held_on", "id")
    ]


def _notes(subject: Subject) -> list[Row]:
    notes = Note.objects.filter(author_id__in=subject.enrollment_ids)
    if not subject.by_self:
        notes = notes.exclude(visibility=NoteVisibility.PRIVATE)
    return [
        {
            "id": n.pk,
            "pair": n.pair_id,
            "visibility": n.visibility,
            "text": n.text,
            "created_at": n.created_at,
            "updated_at": n.updated_at,
        }
        for n in notes.order_by("created_at", "id")
    ]


def _goals(subject: Subject) -> list[Row]:
    rows: list[Row] = [
        {
            "goal": g.pk,
            "pair": g.pair_id,
            "owner": g.owner,
            "description": g.description,
            "status": g.status,
            "progress": g.progress,
            "comment": "",
            "at": g.created_at,
        }
        for g in Goal.objects.filter(pair_id__in=subject.pair_ids).order_by("created_at", "id")
    ]
    rows += [
        {
            "goal": u.goal_id,
            "pair": None,
            "owner": "",
            "description": "update",
            "status": "",
            "progress": u.progress,
            "comment": u.comment,
            "at": u.created_at,
        }
        for u in GoalUpdate.objects.filter(author_id__in=subject.enrollment_ids).order_by(
            "created_at", "id"
        )
    ]
    return rows


def _check_ins(subject: Subject) -> list[Row]:
    return [
        {
            "id": c.pk,
            "pair": c.pair_id,
            "due_on": c.due_on,
            "status": c.status,
            "rating": c.rating,
            "blockers": c.blockers,
            "wants_contact": c.wants_contact,
            "answered_at": c.answered_at,
        }
        for c in CheckIn.objects.filter(enrollment_id__in=subject.enrollment_ids).order_by(
            "due_on", "id"
        )
    ]


def _actions(subject: Subject) -> list[Row]:
    return [
        {
            "id": a.pk,
            "pair": a.pair_id,
            "title": a.title,
            "status": a.status,
            "due_on": a.due_on,
            "result": a.result,
            "shared_at": a.shared_at,
            "created_at": a.created_at,
        }
        for a in Action.objects.filter(owner_id__in=subject.enrollment_ids).order_by(
            "created_at", "id"
        )
    ]


def _stories(subject: Subject) -> list[Row]:
    return [
        {
            "id": s.pk,
            "pair": s.pair_id,
            "text": s.text,
            "written_by_me": s.written_by_id in subject.enrollment_ids,
            "mentor_agreed_at": s.mentor_agreed_at,
            "mentee_agreed_at": s.mentee_agreed_at,
        }
        for s in SuccessStory.objects.filter(pair_id__in=subject.pair_ids).order_by(
            "created_at", "id"
        )
    ]


def _survey_invitations(subject: Subject) -> list[Row]:
    return [
        {
            "id": i.pk,
            "survey": i.survey.title,
            "wave": i.survey.wave,
            "opens_on": i.opens_on,
            "closes_on": i.closes_on,
            "status": i.status,
            "answered_at": i.answered_at,
        }
        for i in SurveyInvitation.objects.filter(enrollment_id__in=subject.enrollment_ids)
        .select_related("survey")
        .order_by("opens_on", "id")
    ]


def _own_responses(subject: Subject) -> Q:
    """The person's responses: attributed ones by enrolment; anonymous ones (``by_self`` only)
    by their pseudonym in each program they were enrolled in."""
    condition = Q(respondent_id__in=subject.enrollment_ids)
    if subject.by_self:
        programs = set(
            Enrollment.objects.filter(pk__in=subject.enrollment_ids).values_list(
                "program_id", flat=True
            )
        )
        for program_id in programs:
            condition |= Q(
                survey__program_id=program_id,
                pseudonym=pseudonym(program_id=program_id, person_id=subject.person.pk),
            )
    return condition


def _survey_answers(subject: Subject) -> list[Row]:
    return [
        {
            "survey": a.response.survey.title,
            "wave": a.response.survey.wave,
            "anonymous": a.response.respondent_id is None,
            "question": a.question.text,
            "number": a.number,
            "choices": a.choices,
            "text": a.text,
            "quote_consent": a.response.quote_consent,
        }
        for a in SurveyAnswer.objects.filter(
            response__in=SurveyResponse.objects.filter(_own_responses(subject))
        )
        .select_related("response__survey", "question")
        .order_by("response__survey_id", "question__position", "question_id")
    ]


def _account(subject: Subject) -> list[Row]:
    user_id = subject.person.user_id
    if user_id is None:
        return []
    rows: list[Row] = [
        {"what": "membership", "value": m.role, "at": m.created_at}
        for m in Membership.objects.filter(user_id=user_id)
    ]
    for pref in EmailPreferences.objects.filter(user_id=user_id):
        rows.append(
            {
                "what": "email preferences",
                "value": {
                    "partner_activity": pref.partner_activity,
                    "check_in_reminders": pref.check_in_reminders,
                    "survey_reminders": pref.survey_reminders,
                },
                "at": pref.updated_at,
            }
        )
    return rows


def _audit(subject: Subject) -> list[Row]:
    user_id = subject.person.user_id
    if user_id is None:
        return []
    entries = AuditEntry.objects.filter(actor_id=user_id)
    if not subject.by_self:
        entries = entries.filter(private=False)
    return [
        {
            "at": e.created_at,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "data": e.data,
        }
        for e in entries.order_by("created_at", "id")
    ]


def _profile(subject: Subject) -> list[Row]:
    p = subject.person
    return [
        {
            "id": p.pk,
            "full_name": p.full_name,
            "email": p.email,
            "employee_id": p.employee_id,
            "job_title": p.job_title,
            "department": p.department,
            "manager": p.manager.full_name if p.manager else "",
            "level": p.level,
            "location": p.location,
            "time_zone": p.time_zone,
            "languages": p.languages,
            "start_date": p.start_date,
            "demographics": p.demographics,
            "demographics_consented_at": p.demographics_consented_at,
            "is_active": p.is_active,
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        }
    ]


TABLES: tuple[tuple[str, Callable[[Subject], list[Row]]], ...] = (
    ("profile", _profile),
    ("account", _account),
    ("enrolments", _enrollments),
    ("skills_and_interests", _skills),
    ("charter_and_training", _charter_and_training),
    ("pairs", _pairs),
    ("sessions", _sessions),
    ("notes", _notes),
    ("goals", _goals),
    ("check_ins", _check_ins),
    ("actions", _actions),
    ("success_stories", _stories),
    ("survey_invitations", _survey_invitations),
    ("survey_answers", _survey_answers),
    ("audit_log", _audit),
)


def subject_of(person: Person, *, by_self: bool) -> Subject:
    enrollment_ids = tuple(
        Enrollment.objects.filter(person=person).order_by("id").values_list("id", flat=True)
    )
    pair_ids = tuple(
        Pair.objects.filter(Q(mentor_id__in=enrollment_ids) | Q(mentee_id__in=enrollment_ids))
        .order_by("id")
        .values_list("id", flat=True)
    )
    return Subject(person=person, enrollment_ids=enrollment_ids, pair_ids=pair_ids, by_self=by_self)


def collect(
    person: Person, *, by_self: bool, progress: Callable[[int], None] | None = None
) -> Iterable[tuple[str, list[Row]]]:
    """Each table's name and rows, in order; ``progress(n)`` after the n-th table."""
    subject = subject_of(person, by_self=by_self)
    for number, (name, read) in enumerate(TABLES, start=1):
        yield name, read(subject)
        if progress is not None:
            progress(number)
