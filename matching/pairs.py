"""A published pair's life as far as matching goes: ending it and re-matching the people it frees.

A re-match is a small round (``MatchingRound.rematch_for``) over one person and the other side's
free places, with the config of the program's latest round; it is reviewed and published like any
round. Pausing, extending and completing pairs belong to the relationships app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from matching import engine
from matching.models import OPEN_PAIR_STATUSES, MatchingRound, Pair, PairStatus
from matching.services import round_create, round_start
from organizations.audit import log_action
from participants.models import Enrollment, EnrollmentRole

REASON_MAX_LENGTH = 300


def open_pairs(enrollment: Enrollment) -> QuerySet[Pair]:
    """The person's active or paused pairs in the enrolment's program."""
    return Pair.objects.filter(
        Q(mentor=enrollment) | Q(mentee=enrollment), status__in=OPEN_PAIR_STATUSES
    )


def _ended_email(
    pair: Pair, to: Enrollment, partner: Enrollment
) -> tuple[str, str, None, list[str]]:
    program = pair.program
    body = (
        f"Hello {to.person.full_name},\n\n"
        f"Your pair with {partner.person.full_name} in {program.name} has ended.\n"
        f"Reason: {pair.ended_reason}\n\n"
        "Your program coordinator will be in touch about what happens next.\n"
    )
    subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your {program.name} pair has ended"
    return (subject, body, None, [to.person.email])


def pair_end(*, pair: Pair, actor: User | None, reason: str) -> Pair:
    """End an active or paused pair with a reason; both people are told by email."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the pair ends: both people will read it."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)})."}
        )
    with transaction.atomic():
        locked = (
            Pair.objects.select_for_update(of=("self",))
            .select_related("program", "mentor__person", "mentee__person")
            .get(pk=pair.pk)
        )
        if locked.status not in OPEN_PAIR_STATUSES:
            raise ValidationError(f"This pair is already {locked.get_status_display().lower()}.")
        locked.status = PairStatus.ENDED
        locked.ended_reason = reason
        locked.ended_by = actor if actor is not None and actor.is_authenticated else None
        locked.ended_at = timezone.now()
        locked.save(update_fields=["status", "ended_reason", "ended_by", "ended_at"])
        log_action(
            actor=actor,
            action="matching.pair_end",
            target=locked,
            data={"reason": reason, "mentor": locked.mentor_id, "mentee": locked.mentee_id},
        )
        messages = [
            _ended_email(locked, locked.mentor, locked.mentee),
            _ended_email(locked, locked.mentee, locked.mentor),
        ]
        transaction.on_commit(lambda: send_mass_mail(messages))
    pair.refresh_from_db()
    return pair


def rematch_start(*, enrollment: Enrollment, actor: User | None) -> MatchingRound:
    """Create and queue a small round for one person, with the program's latest round's config."""
    if enrollment.role not in EnrollmentRole.values:
        raise ValidationError({"enrollment": "Choose a mentor or a mentee."})
    program = enrollment.program
    latest = MatchingRound.objects.filter(program=program).order_by("-created_at", "-id").first()
    if latest is not None:
        weights, rules, mode = latest.weights, latest.rules, latest.mode
    else:
        weights = engine.DEFAULT_WEIGHTS
        rules = {}
        mode = engine.Mode.SCORE_FIRST.value
    with transaction.atomic():
        matching_round = round_create(
            program=program,
            actor=actor,
            weights=weights,
            rules=rules,
            mode=mode,
            rematch_for=enrollment,
        )
        return round_start(matching_round=matching_round, actor=actor)
