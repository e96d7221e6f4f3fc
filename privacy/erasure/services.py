"""Erasure: remove or anonymise one person, keeping their partners' own content and every aggregate.

The rule, table by table, is written in ``docs/privacy.md`` and tested in
``tests/privacy/test_erasure.py``. In short: the directory entry and the enrolments stay, emptied
of everything that tells who the person was, so every count (enrolments, pairs, sessions, check-in
ratings, survey aggregates, dashboards) stays what it was; what the person wrote is deleted or
emptied; what their partner wrote stays; rotation keeps the person's pairs as keyed hashes
(``privacy/rotation.py``). Admin only, confirmed by typing the person's name, audited (the entry
names the person by id only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import User
from core.hooks import Hook
from feedback.models import (
    Action,
    CheckIn,
    CheckInStatus,
    EmailPreferences,
    Goal,
    GoalUpdate,
    Note,
    ReviewDecision,
    SessionLog,
    SuccessStory,
    Touchpoint,
    TouchpointStatus,
)
from matching.models import OPEN_PAIR_STATUSES, Pair, ProposedPair, UnmatchedEntry
from organizations.audit import log_action
from organizations.models import ApiToken, AuditEntry, Invitation, Membership, Organization, Role
from participants.enrollment import OPEN_STATUSES
from participants.models import (
    Enrollment,
    EnrollmentStatus,
    ImportJob,
    ImportStatus,
    InvitationLetter,
    Person,
)
from privacy import access, rotation
from privacy.models import PersonExport
from programs.models import ProgramCoordinator
from surveys.models import (
    OPEN_INVITATION_STATUSES,
    InvitationStatus,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
)

ERASED_NAME = "Erased person"
ERASED_TEXT = "(erased)"


@dataclass
class ErasureReport:
    """What erasure changed, per table (counts only: the report is audited)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, count: int) -> None:
        if count:
            self.counts[table] = self.counts.get(table, 0) + count


def check_erasable(person: Person, actor: User | None) -> None:
    """Refuse what erasure cannot do safely: a person in an open pair (end it first, so both people
    and the staff are told), an admin (remove the role first), oneself."""
    errors: list[str] = []
    if person.full_name == ERASED_NAME and person.user_id is None and not person.is_active:
        errors.append("This person was already erased.")
    enrollment_ids = list(Enrollment.objects.filter(person=person).values_list("id", flat=True))
    if Pair.objects.filter(
        Q(mentor_id__in=enrollment_ids) | Q(mentee_id__in=enrollment_ids),
        status__in=OPEN_PAIR_STATUSES,
    ).exists():
        errors.append("End this person's open pairs first: their partners are told by email.")
    if person.user_id is not None:
        if actor is not None and person.user_id == actor.pk:
            errors.append("You cannot erase yourself; ask another admin.")
        elif Membership.objects.filter(user_id=person.user_id, role=Role.ADMIN).exists():
            errors.append("This person is an admin: change their role first.")
    if errors:
        raise ValidationError({"person": errors})


def _scrub(value: Any, name: str, email: str) -> Any:
    """``value`` (JSON) with the person's name and email address taken out: a string that is the
    name or holds the address becomes "(erased)"; the name inside a longer text becomes "Erased
    person" (a short name is left inside other words: "Ann" in "annual")."""
    if isinstance(value, str):
        if value.strip().lower() == name.strip().lower() or email.lower() in value.lower():
            return ERASED_TEXT
        return _replace_name(value, name) if len(name) >= 5 else value
    if isinstance(value, list):
        return [_scrub(item, name, email) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, name, email) for key, item in value.items()}
    return value


def _replace_name(text: str, name: str) -> str:
    return text.replace(name, ERASED_NAME) if name and text else text


def _anonymise_rounds(report: ErasureReport, program_ids: Iterable[int], name: str) -> None:
    """Matching's explanations name people ("paired with Ada before"): replace the name."""
    if not name:
        return
    for proposal in (
        ProposedPair.objects.filter(round__program_id__in=program_ids)
        .annotate(alternatives_text=Cast("alternatives", TextField()))
        .filter(Q(rationale__contains=name) | Q(alternatives_text__contains=name))
    ):
        proposal.rationale = _replace_name(proposal.rationale, name)
        proposal.alternatives = _scrub_names(proposal.alternatives, name)
        proposal.save(update_fields=["rationale", "alternatives"])
        report.add("matching.proposedpair", 1)
    for entry in UnmatchedEntry.objects.filter(
        round__program_id__in=program_ids, reason__contains=name
    ):
        entry.reason = _replace_name(entry.reason, name)
        entry.save(update_fields=["reason"])
        report.add("matching.unmatchedentry", 1)
    for pair in Pair.objects.filter(program_id__in=program_ids, rationale__contains=name):
        pair.rationale = _replace_name(pair.rationale, name)
        pair.save(update_fields=["rationale"])
        report.add("matching.pair", 1)


def _scrub_names(value: Any, name: str) -> Any:
    if isinstance(value, str):
        return _replace_name(value, name)
    if isinstance(value, list):
        return [_scrub_names(item, name) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_names(item, name) for key, item in value.items()}
    return value


def _pair_content(report: ErasureReport, mine: list[int], pair_ids: list[int]) -> None:
    """What the person wrote in their pairs goes; the partner's writing and every fact stay."""
    report.add("feedback.note", Note.objects.filter(author_id__in=mine).delete()[0])
    report.add(
        "feedback.sessionlog",
        SessionLog.objects.filter(logged_by_id__in=mine)
        .exclude(learned="", action_items="")
        .update(learned="", action_items=""),
    )
    report.add(
        "feedback.goal",
        Goal.objects.filter(created_by_id__in=mine).update(description=ERASED_TEXT),
    )
    report.add(
        "feedback.goalupdate",
        GoalUpdate.objects.filter(author_id__in=mine).exclude(comment="").update(comment=""),
    )
    report.add(
        "feedback.checkin",
        CheckIn.objects.filter(enrollment_id__in=mine).exclude(blockers="").update(blockers=""),
    )
    report.add(
        "feedback.action",
        Action.objects.filter(owner_id__in=mine).update(
            title=ERASED_TEXT, result="", shared_at=None
        ),
    )
    # A story the person wrote goes; one their partner wrote loses the person's agreement (it
    # can no longer be published without the consent of someone who is gone).
    report.add(
        "feedback.successstory",
        SuccessStory.objects.filter(written_by_id__in=mine).delete()[0],
    )
    for story in SuccessStory.objects.filter(pair_id__in=pair_ids).select_related("pair"):
        field_name = "mentor_agreed_at" if story.pair.mentor_id in mine else "mentee_agreed_at"
        if getattr(story, field_name) is not None:
            setattr(story, field_name, None)
            story.save(update_fields=[field_name])
            report.add("feedback.successstory", 1)
    report.add(
        "feedback.reviewdecision",
        ReviewDecision.objects.filter(pair_id__in=pair_ids).exclude(note="").update(note=""),
    )
    report.add(
        "matching.pair",
        Pair.objects.filter(rematch_requested_by_id__in=mine)
        .exclude(rematch_request_reason="")
        .update(rematch_request_reason=""),
    )


def _schedule(report: ErasureReport, mine: list[int]) -> None:
    """Nothing is sent to the person any more: their open check-ins and survey invitations are
    cancelled with their touchpoints (answered ones stay: they are counted)."""
    open_check_ins = CheckIn.objects.filter(
        enrollment_id__in=mine, status__in=(CheckInStatus.PLANNED, CheckInStatus.SENT)
    )
    open_invitations = SurveyInvitation.objects.filter(
        enrollment_id__in=mine, status__in=OPEN_INVITATION_STATUSES
    )
    touchpoint_ids = [
        *open_check_ins.exclude(touchpoint=None).values_list("touchpoint_id", flat=True),
        *open_invitations.exclude(touchpoint=None).values_list("touchpoint_id", flat=True),
    ]
    report.add(
        "feedback.touchpoint",
        Touchpoint.objects.filter(
            pk__in=touchpoint_ids, status__in=(TouchpointStatus.PENDING, TouchpointStatus.QUEUED)
        ).update(status=TouchpointStatus.CANCELLED),
    )
    report.add("feedback.checkin", open_check_ins.update(status=CheckInStatus.CANCELLED))
    report.add(
        "surveys.surveyinvitation", open_invitations.update(status=InvitationStatus.CANCELLED)
    )


def _surveys(report: ErasureReport, person: Person, mine: list[int]) -> None:
    """Attributed answers lose their link to the person and their free text; numbers and choices
    stay (every aggregate keeps its respondents). Anonymous answers are linked to nobody; their
    free text is deleted too (found through the pseudonym), their numbers stay and still pair."""
    from surveys.pseudonyms import pseudonym

    program_ids = set(Enrollment.objects.filter(pk__in=mine).values_list("program_id", flat=True))
    condition = Q(respondent_id__in=mine)
    for program_id in program_ids:
        condition |= Q(
            survey__program_id=program_id,
            pseudonym=pseudonym(program_id=program_id, person_id=person.pk),
        )
    responses = SurveyResponse.objects.filter(condition)
    report.add(
        "surveys.surveyanswer",
        SurveyAnswer.objects.filter(response__in=responses).exclude(text="").update(text=""),
    )
    report.add(
        "surveys.surveyresponse",
        responses.filter(respondent_id__in=mine).update(
            respondent=None, submitted_at=None, quote_consent=False, demographics={}
        ),
    )


# Apps above privacy that keep rows about an account in the organisation (sso: the provider's
# subject) forget them when the account leaves: each function takes the account's id and returns
# (table label, rows deleted) for the report. Registered in their ``AppConfig.ready()``.
account_leaves: Hook[Callable[[int], tuple[str, int]]] = Hook("privacy.erasure.account_leaves")


def _account(report: ErasureReport, organization: Organization, person: Person) -> None:
    """The sign-in account leaves the organisation (it is global: other organisations keep it)."""
    user_id = person.user_id
    email = person.email.lower()
    report.add(
        "organizations.invitation", Invitation.objects.filter(email__iexact=email).delete()[0]
    )
    if user_id is None:
        return
    report.add("organizations.apitoken", ApiToken.objects.filter(user_id=user_id).delete()[0])
    report.add(
        "feedback.emailpreferences", EmailPreferences.objects.filter(user_id=user_id).delete()[0]
    )
    report.add(
        "programs.programcoordinator",
        ProgramCoordinator.objects.filter(user_id=user_id).delete()[0],
    )
    report.add("organizations.membership", Membership.objects.filter(user_id=user_id).delete()[0])
    for forget in account_leaves:
        report.add(*forget(user_id))
    report.add(
        "organizations.auditentry",
        AuditEntry.objects.filter(actor_id=user_id).update(actor=None),
    )


def _audit_and_files(report: ErasureReport, person: Person) -> None:
    for entry in AuditEntry.objects.annotate(text=Cast("data", TextField())).filter(
        Q(text__icontains=person.email) | Q(text__contains=person.full_name)
    ):
        entry.data = _scrub(entry.data, person.full_name, person.email)
        entry.save(update_fields=["data"])
        report.add("organizations.auditentry", 1)
    # A finished import's file held the person's row: its content is no longer needed.
    needle = person.email.lower().encode()
    finished = (ImportStatus.COMMITTED, ImportStatus.FAILED)
    for job in ImportJob.objects.filter(status__in=finished).only("id", "content"):
        if needle in bytes(job.content).lower():
            ImportJob.objects.filter(pk=job.pk).update(content=b"")
            report.add("participants.importjob", 1)
    from django.core.files.storage import default_storage

    for export in PersonExport.objects.filter(person=person).exclude(file=""):
        default_storage.delete(str(export.file.name))
    report.add("privacy.personexport", PersonExport.objects.filter(person=person).delete()[0])


def person_erase(
    *, organization: Organization, actor: User | None, person: Person, confirm_name: Any
) -> ErasureReport:
    """Erase ``person`` once ``confirm_name`` repeats their name (400 otherwise). Audited."""
    access.require_admin_user(actor)
    if not isinstance(confirm_name, str) or confirm_name.strip() != person.full_name.strip():
        raise ValidationError(
            {"confirm_name": [f"Type the person's name exactly as shown: {person.full_name}"]}
        )
    check_erasable(person, actor)
    report = ErasureReport()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        name, email = person.full_name, person.email
        enrollments = list(Enrollment.objects.filter(person=person).select_related("program"))
        mine = [enrollment.pk for enrollment in enrollments]
        pairs = list(
            Pair.objects.filter(Q(mentor_id__in=mine) | Q(mentee_id__in=mine)).select_related(
                "mentor__person", "mentee__person"
            )
        )
        report.add(
            "privacy.erasedpairing",
            rotation.remember_pairs(
                organization_id=organization.pk,
                email=email,
                partner_emails=[
                    (pair.mentee if pair.mentor_id in mine else pair.mentor).person.email
                    for pair in pairs
                ],
            ),
        )
        pair_ids = [pair.pk for pair in pairs]
        _pair_content(report, mine, pair_ids)
        _schedule(report, mine)
        _surveys(report, person, mine)
        _anonymise_rounds(report, {e.program_id for e in enrollments}, name)
        report.add(
            "participants.invitationletter",
            InvitationLetter.objects.filter(enrollment_id__in=mine).delete()[0],
        )
        report.add(
            "participants.enrollment",
            Enrollment.objects.filter(pk__in=mine).update(
                answers={}, availability=[], withdrawn_reason=""
            ),
        )
        report.add(
            "participants.enrollment",
            Enrollment.objects.filter(pk__in=mine, status__in=OPEN_STATUSES).update(
                status=EnrollmentStatus.WITHDRAWN,
                waitlist_position=None,
                status_changed_at=timezone.now(),
            ),
        )
        _account(report, organization, person)
        _audit_and_files(report, person)
        report.add(
            "participants.person", Person.objects.filter(manager=person).update(manager=None)
        )
        person.full_name = ERASED_NAME
        person.email = f"erased-{person.pk}@erased.invalid"
        person.user = None
        person.employee_id = ""
        person.job_title = ""
        person.department = ""
        person.manager = None
        person.level = None
        person.location = ""
        person.time_zone = "UTC"
        person.languages = []
        person.start_date = None
        person.demographics = {}
        person.demographics_consented_at = None
        person.is_active = False
        person.updated_at = timezone.now()
        person.save()
        report.add("participants.person", 1)
        log_action(
            actor=actor,
            action="privacy.person_erased",
            target=person,
            data={"tables": dict(sorted(report.counts.items()))},
        )
    return report
