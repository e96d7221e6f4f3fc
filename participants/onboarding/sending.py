"""Bulk invitation to a program: the batch (who, in which role) and the task that emails each person
one letter with a one-use link (``participants/onboarding/joining.py`` opens it).

Ask (service, audited) → queued → the task claims the batch (sending) and, one enrolment at a
time, issues a fresh token, stores its hash, audits and hands the email to the open mail
connection inside one transaction (a refused email leaves no token and counts as failed);
progress goes to the batch row every ``PROGRESS_EVERY`` people, which the page polls.

Idempotent: a person who already got a letter for their invitation is skipped unless the batch
asks to resend (then the old link stops working); an enrolment that is no longer an open
invitation (accepted, declined, withdrawn) is skipped. A duplicate or redelivered message finds
the batch claimed and does nothing. The task asks the enrolment policy again for the person who
queued it. Task names are part of the queue's contract (``participants.send_invitation_batch``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations import mail
from organizations.audit import log_action
from organizations.models import Invitation, Organization, hash_secret
from organizations.selectors import membership_of
from organizations.tasks import TenantTask, enqueue_on_commit
from participants import access
from participants import enrollment as enrolment
from participants.models import (
    Enrollment,
    EnrollmentRole,
    EnrollmentStatus,
    InvitationBatch,
    InvitationBatchStatus,
    InvitationLetter,
)
from participants.participation import current_charter
from programs.models import Program

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 10
REFUSED = f"{access.STAFF_ONLY} Nothing was sent."
FAILED = "Sending stopped with an error; the people not reached yet can be sent to again."


def letter_url(*, organization: Organization, token: str) -> str:
    path = reverse(
        "program_invitation_open", kwargs={"org_slug": organization.slug, "token": token}
    )
    return settings.SITE_URL + path


# --- Asking for a batch ---------------------------------------------------------------------------


def invitation_batch_create(
    *,
    organization: Organization,
    actor: User,
    program: Program,
    role: Any,
    person_ids: list[int],
    resend: bool = False,
    filters: dict[str, Any] | None = None,
) -> InvitationBatch:
    """Invite people to a program and queue one email each. People not in the program yet are
    invited (all or nothing, as ``enrollment_invite``); people already invited are emailed only if
    they have no letter yet or ``resend``; people already further along are left alone. Audited."""
    if role not in EnrollmentRole.values:
        raise ValidationError({"role": ["Choose mentor or mentee."]})
    access.user_program_enrollment_access(actor, program).require(access.MANAGE)
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        if locked.status not in enrolment.INVITABLE_PROGRAM_STATUSES:
            raise ValidationError(
                {
                    "program": [
                        "People can be invited only while the program is a draft or enrolling."
                    ]
                }
            )
        existing = {
            e.person_id: e
            for e in Enrollment.objects.filter(program=locked, person_id__in=person_ids)
        }
        new_ids = [pk for pk in person_ids if pk not in existing]
        created: list[Enrollment] = []
        for start in range(0, len(new_ids), enrolment.MAX_INVITES_AT_ONCE):
            created += enrolment.enrollment_invite(
                program=locked,
                person_ids=new_ids[start : start + enrolment.MAX_INVITES_AT_ONCE],
                role=role,
                actor=actor,
            )
        invited_before = [e.pk for e in existing.values() if e.status == EnrollmentStatus.INVITED]
        targets = [e.pk for e in created] + invited_before
        summary = {
            "chosen": len(person_ids),
            "new": len(created),
            "already_invited": len(invited_before),
            "already_in": len(existing) - len(invited_before),
        }
        batch = InvitationBatch.objects.create(
            organization=organization,
            program=locked,
            role=role,
            resend=resend,
            enrollment_ids=targets,
            summary=summary,
            total=len(targets),
            requested_by=actor,
            status=InvitationBatchStatus.QUEUED if targets else InvitationBatchStatus.DONE,
            finished_at=None if targets else timezone.now(),
        )
        log_action(
            actor=actor,
            action="invitation_batch.requested",
            target=batch,
            data={
                "program": locked.pk,
                "role": role,
                "resend": resend,
                "filters": filters or {},
                **summary,
            },
        )
        if targets:
            enqueue_on_commit(
                send_invitation_batch, organization_id=organization.pk, batch_id=batch.pk
            )
    return batch


# --- The letter -----------------------------------------------------------------------------------


def letter_message(
    enrollment: Enrollment, *, token: str, inviter: User | None, expires: datetime
) -> EmailMultiAlternatives:
    """One email that says which program, what is asked, and links straight to it (text and the
    organisation's branded HTML, ``organizations.mail``)."""
    program = enrollment.program
    organization = program.organization
    role_label = "mentor" if enrollment.role == EnrollmentRole.MENTOR else "mentee"
    context = {
        "person": enrollment.person,
        "program": program,
        "organization": organization,
        "role": role_label,
        "is_mentor": enrollment.role == EnrollmentRole.MENTOR,
        "has_charter": current_charter(program) is not None,
        "inviter": inviter.get_full_name() if inviter else organization.name,
        "url": letter_url(organization=organization, token=token),
        "expires": expires,
    }
    # Essential mail (an invitation with its one-use link): branded, no unsubscribe link.
    return mail.build(
        mail.Notification(
            organization=organization,
            to=enrollment.person.email,
            subject=mail.prefixed(f"You are invited to {program.name} as a {role_label}"),
            text_template="participants/onboarding/email/invitation.txt",
            context=context,
        )
    )


def _issue(letter: InvitationLetter, batch: InvitationBatch, now: datetime) -> str:
    token = Invitation.new_token()
    letter.token_hash = hash_secret(token)
    letter.batch = batch
    letter.sent_at = now
    letter.send_count += 1
    letter.expires_at = now + timedelta(days=settings.FLIPSIDE_INVITATION_DAYS)
    letter.used_at = None
    letter.save()
    return token


def _send_one(batch: InvitationBatch, enrollment_id: int, connection: Any) -> str:
    """``sent``, ``skipped`` or ``failed`` for one enrolment of the batch."""
    now = timezone.now()
    try:
        with transaction.atomic():
            enrollment = (
                Enrollment.objects.select_for_update(of=("self",))
                .select_related("person", "program__organization")
                .filter(pk=enrollment_id, program_id=batch.program_id)
                .first()
            )
            if enrollment is None or enrollment.status != EnrollmentStatus.INVITED:
                return "skipped"
            letter, _ = InvitationLetter.objects.select_for_update().get_or_create(
                enrollment=enrollment, defaults={"organization_id": enrollment.organization_id}
            )
            if letter.sent_at is not None and not batch.resend:
                return "skipped"
            token = _issue(letter, batch, now)
            log_action(
                actor=batch.requested_by,
                action="enrollment.invitation_sent",
                target=enrollment,
                data={"batch": batch.pk, "program": batch.program_id, "times": letter.send_count},
            )
            assert letter.expires_at is not None
            message = letter_message(
                enrollment, token=token, inviter=batch.requested_by, expires=letter.expires_at
            )
            connection.send_messages([message])
    except Exception:
        logger.exception("invitation email for enrolment %s not sent", enrollment_id)
        return "failed"
    return "sent"


def _claim(batch_id: int, now: datetime) -> bool:
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return bool(
        InvitationBatch.objects.filter(
            pk=batch_id,
            status__in=(InvitationBatchStatus.QUEUED, InvitationBatchStatus.SENDING),
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(status=InvitationBatchStatus.SENDING, claimed_at=now)
    )


def _still_allowed(batch: InvitationBatch) -> bool:
    requester = batch.requested_by
    if requester is None:
        return False
    membership = membership_of(requester)
    return access.program_enrollment_access(membership, batch.program).allows(access.MANAGE)


def run_batch(batch_id: int) -> None:
    """The task body: email every enrolment of the batch not emailed yet (see the module)."""
    if not _claim(batch_id, timezone.now()):
        return
    batch = InvitationBatch.objects.select_related("program", "requested_by").get(pk=batch_id)
    if not _still_allowed(batch):
        InvitationBatch.objects.filter(pk=batch.pk).update(
            status=InvitationBatchStatus.FAILED, error=REFUSED, finished_at=timezone.now()
        )
        return
    # A redelivered message starts over; people already sent to are skipped (not resent).
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    done = 0
    connection = mailers.default
    try:
        connection.open()
        for enrollment_id in batch.enrollment_ids[batch.processed :]:
            counts[_send_one(batch, int(enrollment_id), connection)] += 1
            done += 1
            if done % PROGRESS_EVERY == 0:
                _progress(batch, done, counts)
    except Exception:
        logger.exception("invitation batch %s stopped", batch.pk)
        _progress(batch, done, counts)
        InvitationBatch.objects.filter(pk=batch.pk).update(
            status=InvitationBatchStatus.FAILED, error=FAILED, finished_at=timezone.now()
        )
        return
    finally:
        connection.close()
    _progress(batch, done, counts)
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status=InvitationBatchStatus.DONE, finished_at=timezone.now()
    )
    log_action(
        actor=batch.requested_by,
        action="invitation_batch.sent",
        target=batch,
        data={"program": batch.program_id, **counts},
    )


def _progress(batch: InvitationBatch, done: int, counts: dict[str, int]) -> None:
    InvitationBatch.objects.filter(pk=batch.pk).update(
        processed=batch.processed + done,
        sent=batch.sent + counts["sent"],
        skipped=batch.skipped + counts["skipped"],
        failed=batch.failed + counts["failed"],
    )


@shared_task(base=TenantTask, name="participants.send_invitation_batch")
def send_invitation_batch(batch_id: int) -> None:
    run_batch(batch_id)
