"""Enrolment: who takes part in a program, in which role, and where they stand.

Lifecycle of an enrolment::

    invite ──> invited ──accept──> accepted | waitlisted (mentors, when no place is free)
                       ──decline─> declined
    apply ───> applied ──approve─> accepted | waitlisted
                       ──reject──> declined
    invited / applied / accepted / waitlisted ──withdraw (reason)──> withdrawn

Mentor capacity, stated once: "at most N mentees per mentor" (``program.max_mentees_per_mentor``)
is an upper limit on each mentor's mentees, never a quota, so it does not lower the number of
mentors. Every mentor needs at least one mentee: ``mentor_places = accepted mentees``. A mentor
beyond that goes to the waitlist (ordered, positions 1..n) — only then, because no mentee would be
left for them; the enrolment page says so, and staff may accept a waitlisted mentor anyway
(``enrollment_approve``, audited as a manual promotion). When a place frees — a mentee is accepted
or an accepted mentor withdraws — the first waitlisted mentors are promoted automatically
(audited). A mentee withdrawing lowers the places but never demotes an accepted mentor: people
keep what they were given, and matching explains any mentor left without a partner.

Every change of capacity-relevant state locks the program row first (``select_for_update``), so
two concurrent acceptances cannot both take the last place.

Who may do what is the enrolment policy's (``participants.access``): every service below that
changes an enrolment asks it for the acting user itself, whoever calls it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from organizations.audit import log_action
from participants import access
from participants.models import Enrollment, EnrollmentRole, EnrollmentStatus, Person
from participants.signals import enrollment_status_changed
from programs.models import Program, ProgramStatus

INVITABLE_PROGRAM_STATUSES = (ProgramStatus.DRAFT, ProgramStatus.ENROLLING)
ADMITTING_PROGRAM_STATUSES = (
    ProgramStatus.DRAFT,
    ProgramStatus.ENROLLING,
    ProgramStatus.MATCHING,
)
OPEN_STATUSES = (
    EnrollmentStatus.INVITED,
    EnrollmentStatus.APPLIED,
    EnrollmentStatus.ACCEPTED,
    EnrollmentStatus.WAITLISTED,
)
MAX_INVITES_AT_ONCE = 500
WITHDRAW_REASON_MAX = 300
DEPARTED_REASON = "Left the organisation."


# --- Selectors ----------------------------------------------------------------------------------


def enrollment_list(*, program: Program | None = None) -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.select_related("person", "program")
    if program is not None:
        enrollments = enrollments.filter(program=program)
    return enrollments


def my_enrollments(user: User) -> QuerySet[Enrollment]:
    """The signed-in person's own enrolments (through the directory entry linked to them)."""
    return enrollment_list().filter(person__user=user).order_by("-created_at", "-id")


def open_programs_for(user: User) -> QuerySet[Program]:
    """Programs taking applications that this person has not joined yet."""
    return (
        Program.objects.filter(
            self_registration=True, status=ProgramStatus.ENROLLING, archived_at__isnull=True
        )
        .exclude(enrollments__person__user=user)
        .order_by("name", "id")
    )


def enrollment_counts(program: Program) -> dict[str, dict[str, int]]:
    """``{role: {status: n, ..., "total": n}}`` for every role and status, zeros included."""
    counts: dict[str, dict[str, int]] = {
        role: dict.fromkeys(EnrollmentStatus.values, 0) | {"total": 0}
        for role in EnrollmentRole.values
    }
    rows = (
        Enrollment.objects.filter(program=program)
        .values("role", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["role"]][row["status"]] = row["n"]
        counts[row["role"]]["total"] += row["n"]
    return counts


def mentor_places(program: Program) -> int:
    """One place per accepted mentee: each mentor needs at least one mentee, and the program's
    "at most N mentees per mentor" caps a mentor's load without lowering the places."""
    return Enrollment.objects.filter(
        program=program, role=EnrollmentRole.MENTEE, status=EnrollmentStatus.ACCEPTED
    ).count()


def waitlist(program: Program) -> QuerySet[Enrollment]:
    return (
        enrollment_list(program=program)
        .filter(status=EnrollmentStatus.WAITLISTED, role=EnrollmentRole.MENTOR)
        .order_by("waitlist_position", "id")
    )


def invite_candidates(program: Program, search: str = "") -> QuerySet[Person]:
    """Active people of the organisation not yet in this program, optionally filtered."""
    people = Person.objects.filter(is_active=True).exclude(enrollments__program=program)
    search = search.strip()
    if search:
        people = people.filter(
            Q(full_name__icontains=search)
            | Q(email__icontains=search)
            | Q(department__icontains=search)
            | Q(job_title__icontains=search)
        )
    return people.order_by("full_name", "id")


def person_of(user: User) -> Person | None:
    return Person.objects.filter(user=user).first()


# --- Services -----------------------------------------------------------------------------------


def _audit(action: str, enrollment: Enrollment, actor: Any, **extra: Any) -> None:
    log_action(
        actor=actor,
        action=action,
        target=enrollment,
        data={
            "program": enrollment.program_id,
            "person": enrollment.person_id,
            "role": enrollment.role,
            "status": enrollment.status,
            **extra,
        },
    )


def _lock(enrollment: Enrollment) -> tuple[Program, Enrollment]:
    """Lock the program (capacity) then the enrolment, and return fresh copies of both."""
    program = Program.objects.select_for_update().get(pk=enrollment.program_id)
    fresh = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=enrollment.pk)
    )
    fresh.program = program
    return program, fresh


def _set_status(enrollment: Enrollment, status: str, **fields: Any) -> None:
    previous = enrollment.status
    enrollment.status = status
    enrollment.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(enrollment, name, value)
    enrollment.save(update_fields=["status", "status_changed_at", *fields])
    if previous != status:
        enrollment_status_changed.send(Enrollment, enrollment=enrollment, previous=previous)


def _require(actor: User, enrollment: Enrollment, permission: str) -> None:
    access.user_enrollment_access(actor, enrollment).require(permission)


def _renumber_waitlist(program: Program) -> None:
    for position, enrollment in enumerate(waitlist(program), start=1):
        if enrollment.waitlist_position != position:
            enrollment.waitlist_position = position
            enrollment.save(update_fields=["waitlist_position"])


def _promote_waitlisted(program: Program, actor: Any) -> list[Enrollment]:
    """Fill free mentor places from the head of the waitlist (program row already locked)."""
    accepted_mentors = Enrollment.objects.filter(
        program=program, role=EnrollmentRole.MENTOR, status=EnrollmentStatus.ACCEPTED
    ).count()
    free = mentor_places(program) - accepted_mentors
    if free <= 0:
        return []
    promoted = list(waitlist(program).select_for_update(of=("self",))[:free])
    for enrollment in promoted:
        position = enrollment.waitlist_position
        _set_status(enrollment, EnrollmentStatus.ACCEPTED, waitlist_position=None)
        _audit("enrollment.promoted", enrollment, actor, from_position=position, automatic=True)
    if promoted:
        _renumber_waitlist(program)
    return promoted


def _admit(program: Program, enrollment: Enrollment, actor: Any) -> None:
    """Accept, or waitlist a mentor when every mentor place is taken."""
    if enrollment.role == EnrollmentRole.MENTOR:
        accepted_mentors = Enrollment.objects.filter(
            program=program, role=EnrollmentRole.MENTOR, status=EnrollmentStatus.ACCEPTED
        ).count()
        if accepted_mentors >= mentor_places(program):
            last = waitlist(program).exclude(pk=enrollment.pk).last()
            position = (last.waitlist_position or 0) + 1 if last else 1
            _set_status(enrollment, EnrollmentStatus.WAITLISTED, waitlist_position=position)
            return
    _set_status(enrollment, EnrollmentStatus.ACCEPTED, waitlist_position=None)
    if enrollment.role == EnrollmentRole.MENTEE:
        _promote_waitlisted(program, actor)


def _check_admitting(program: Program) -> None:
    if program.status not in ADMITTING_PROGRAM_STATUSES:
        raise ValidationError(
            {
                "program": f"The program is {program.get_status_display().lower()}: enrolment is closed."
            }
        )


def _check_role(role: str) -> None:
    if role not in EnrollmentRole.values:
        raise ValidationError({"role": "Choose mentor or mentee."})


def _parse_ids(values: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"person_ids": f"“{value}” is not a person id."}) from None
    return list(dict.fromkeys(ids))


def enrollment_invite(
    *, program: Program, person_ids: Sequence[Any], role: str, actor: User
) -> list[Enrollment]:
    """Invite people (one or many) in one role. All or nothing: any problem invites nobody."""
    _check_role(role)
    ids = _parse_ids(person_ids)
    if not ids:
        raise ValidationError({"person_ids": "Choose at least one person to invite."})
    if len(ids) > MAX_INVITES_AT_ONCE:
        raise ValidationError(
            {"person_ids": f"Invite at most {MAX_INVITES_AT_ONCE} people at a time."}
        )
    access.user_program_enrollment_access(actor, program).require(access.MANAGE)
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if program.status not in INVITABLE_PROGRAM_STATUSES:
            raise ValidationError(
                {"program": "People can be invited only while the program is a draft or enrolling."}
            )
        # Resolved inside the organisation: another organisation's id is simply unknown here.
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids)}
        problems: list[str] = []
        unknown = [str(i) for i in ids if i not in people]
        if unknown:
            problems.append(f"Unknown person id(s): {', '.join(unknown)}.")
        problems += [
            f"{p.full_name} is no longer active." for p in people.values() if not p.is_active
        ]
        existing = Enrollment.objects.filter(program=program, person_id__in=list(people))
        problems += [
            f"{people[e.person_id].full_name} is already in this program ({e.get_status_display().lower()})."
            for e in existing
        ]
        if problems:
            raise ValidationError({"person_ids": problems})
        now = timezone.now()
        enrollments = [
            Enrollment(
                organization_id=program.organization_id,
                program=program,
                person=people[pk],
                role=role,
                status=EnrollmentStatus.INVITED,
                invited_by=actor,
                status_changed_at=now,
                created_at=now,
            )
            for pk in ids
        ]
        try:
            with transaction.atomic():
                Enrollment.objects.bulk_create(enrollments)
        except IntegrityError:
            raise ValidationError(
                {"person_ids": "Someone was enrolled at the same moment; reload and try again."}
            ) from None
        for enrollment in enrollments:
            _audit("enrollment.invited", enrollment, actor)
    return enrollments


def person_link_user(*, user: User) -> Person | None:
    """The directory entry of this account: linked already, or matched once by email and linked."""
    person = person_of(user)
    if person is not None:
        return person
    with transaction.atomic():
        person = (
            Person.objects.select_for_update()
            .filter(email__iexact=user.email, user__isnull=True)
            .first()
        )
        if person is None:
            return None
        person.user = user
        person.updated_at = timezone.now()
        person.save(update_fields=["user", "updated_at"])
        log_action(actor=user, action="person.linked_to_account", target=person)
    return person


def enrollment_apply(*, program: Program, user: User, role: str) -> Enrollment:
    """Self-registration: a member applies; an admin or coordinator approves or rejects."""
    _check_role(role)
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if not program.self_registration or program.status != ProgramStatus.ENROLLING:
            raise ValidationError({"program": "This program is not taking applications."})
        person = person_link_user(user=user)
        if person is None:
            raise ValidationError(
                f"The directory has no entry for {user.email}. Ask your HR team to add you."
            )
        if not person.is_active:
            raise ValidationError("Your directory entry is inactive. Ask your HR team.")
        existing = Enrollment.objects.filter(program=program, person=person).first()
        if existing is not None:
            raise ValidationError(
                f"You are already in this program ({existing.get_status_display().lower()})."
            )
        enrollment = Enrollment.objects.create(
            organization_id=program.organization_id,
            program=program,
            person=person,
            role=role,
            status=EnrollmentStatus.APPLIED,
        )
        _audit("enrollment.applied", enrollment, user)
    return enrollment


def enrollment_approve(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """Approve an application (accepted, or waitlisted as a mentor when no place is free), or
    accept a waitlisted mentor anyway: staff overriding the waitlist, audited as a promotion."""
    with transaction.atomic():
        program, enrollment = _lock(enrollment)
        _require(actor, enrollment, access.APPROVE)
        if enrollment.status == EnrollmentStatus.WAITLISTED:
            _check_admitting(program)
            position = enrollment.waitlist_position
            _set_status(enrollment, EnrollmentStatus.ACCEPTED, waitlist_position=None)
            _audit(
                "enrollment.promoted", enrollment, actor, from_position=position, automatic=False
            )
            _renumber_waitlist(program)
            return enrollment
        if enrollment.status != EnrollmentStatus.APPLIED:
            raise ValidationError("Only an application or a waitlisted mentor can be approved.")
        _check_admitting(program)
        _admit(program, enrollment, actor)
        _audit("enrollment.approved", enrollment, actor)
    return enrollment


def enrollment_reject(*, enrollment: Enrollment, actor: User) -> Enrollment:
    with transaction.atomic():
        _program, enrollment = _lock(enrollment)
        _require(actor, enrollment, access.REJECT)
        if enrollment.status != EnrollmentStatus.APPLIED:
            raise ValidationError("Only an application can be rejected.")
        _set_status(enrollment, EnrollmentStatus.DECLINED)
        _audit("enrollment.rejected", enrollment, actor)
    return enrollment


def enrollment_accept(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """The invited person accepts their invitation."""
    with transaction.atomic():
        program, enrollment = _lock(enrollment)
        _require(actor, enrollment, access.ACCEPT)
        if enrollment.status != EnrollmentStatus.INVITED:
            raise ValidationError("There is no open invitation to accept.")
        _check_admitting(program)
        _admit(program, enrollment, actor)
        _audit("enrollment.accepted", enrollment, actor)
    return enrollment


def enrollment_decline(*, enrollment: Enrollment, actor: User) -> Enrollment:
    """The invited person declines their invitation."""
    with transaction.atomic():
        _program, enrollment = _lock(enrollment)
        _require(actor, enrollment, access.DECLINE)
        if enrollment.status != EnrollmentStatus.INVITED:
            raise ValidationError("There is no open invitation to decline.")
        _set_status(enrollment, EnrollmentStatus.DECLINED)
        _audit("enrollment.declined", enrollment, actor)
    return enrollment


def enrollment_withdraw(*, enrollment: Enrollment, actor: User, reason: str) -> Enrollment:
    """Withdraw (by the participant or an admin/coordinator); the reason is required. A freed
    mentor place goes to the head of the waitlist."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the program team can follow up."})
    if len(reason) > WITHDRAW_REASON_MAX:
        raise ValidationError({"reason": f"Use at most {WITHDRAW_REASON_MAX} characters."})
    with transaction.atomic():
        program, enrollment = _lock(enrollment)
        _require(actor, enrollment, access.WITHDRAW)
        if enrollment.status not in OPEN_STATUSES:
            raise ValidationError(
                f"This enrolment is already {enrollment.get_status_display().lower()}."
            )
        if program.status == ProgramStatus.CLOSED:
            raise ValidationError({"program": "The program is closed."})
        _withdraw(
            program,
            enrollment,
            actor,
            reason,
            by_participant=enrollment.person.user_id == actor.pk,
        )
    return enrollment


def _withdraw(
    program: Program, enrollment: Enrollment, actor: Any, reason: str, **audit: Any
) -> None:
    """Withdraw a locked, open enrolment; a freed mentor place goes to the head of the waitlist."""
    previous = enrollment.status
    _set_status(
        enrollment,
        EnrollmentStatus.WITHDRAWN,
        withdrawn_reason=reason,
        waitlist_position=None,
    )
    _audit(
        "enrollment.withdrawn",
        enrollment,
        actor,
        previous_status=previous,
        reason=reason,
        **audit,
    )
    if previous == EnrollmentStatus.WAITLISTED:
        _renumber_waitlist(program)
    elif previous == EnrollmentStatus.ACCEPTED and enrollment.role == EnrollmentRole.MENTOR:
        _promote_waitlisted(program, actor)


def enrollment_withdraw_departed(*, person: Person, actor: Any) -> list[Enrollment]:
    """A person left the organisation (deactivated in the directory, by hand or by SCIM): each of
    their open enrolments in a program that is not closed is withdrawn. Whoever may deactivate the
    person may cause this (the directory's rule); it is not the enrolment policy's question, so no
    program right of ``actor`` is asked. Closed programs keep their history as it was."""
    withdrawn: list[Enrollment] = []
    with transaction.atomic():
        open_enrollments = list(
            Enrollment.objects.filter(person=person, status__in=OPEN_STATUSES)
            .exclude(program__status=ProgramStatus.CLOSED)
            .order_by("program_id", "id")
        )
        for open_enrollment in open_enrollments:
            program, enrollment = _lock(open_enrollment)
            if enrollment.status not in OPEN_STATUSES:
                continue
            _withdraw(program, enrollment, actor, DEPARTED_REASON, departed=True)
            withdrawn.append(enrollment)
    return withdrawn


def enrollment_decline_by_link(*, enrollment: Enrollment) -> Enrollment:
    """The invited person declines through their invitation's one-use link, without an account:
    the link proves who they are (``participants/onboarding/joining.py`` checked it)."""
    with transaction.atomic():
        _program, enrollment = _lock(enrollment)
        if enrollment.status != EnrollmentStatus.INVITED:
            raise ValidationError("There is no open invitation to decline.")
        _set_status(enrollment, EnrollmentStatus.DECLINED)
        _audit("enrollment.declined", enrollment, None, via="invitation_link")
    return enrollment
