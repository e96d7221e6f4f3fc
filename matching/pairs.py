"""A published pair's life as far as matching goes: ending it and re-matching the people it frees.

A re-match is a small round (``MatchingRound.rematch_for``) over one person and the other side's
free places, with the config of the program's latest round; it is reviewed and published like any
round. Pausing, extending and completing pairs belong to the relationships app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.access import Forbidden
from core.text import one_line
from matching import access, engine, signals
from matching.models import OPEN_PAIR_STATUSES, MatchingRound, Pair, PairStatus
from matching.services import charter_ready_ids, round_create, round_start
from organizations import mail
from organizations.audit import log_action
from participants.models import Enrollment, EnrollmentRole, Person
from programs.access import require_program_staff
from programs.lifecycle import program_today
from programs.models import Program
from programs.selectors import program_contacts

REASON_MAX_LENGTH = 300
# One extension adds at most a year (check-ins are planned up to the end date).
MAX_EXTENSION_DAYS = 366


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
        "Your program coordinator will be in touch about what happens next.\n\n"
        f"Your program: {settings.SITE_URL}"
        f"{reverse('my_program_detail', args=(program.organization.slug, program.pk))}\n"
    )
    subject = one_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Your {program.name} pair has ended")
    return (subject, body, None, [to.person.email])


def pair_end(*, pair: Pair, actor: User | None, reason: str) -> Pair:
    """End an active or paused pair with a reason; both people are told by email."""
    access.require(actor, pair, access.END)
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
        _replan(locked)
        messages = [
            _ended_email(locked, locked.mentor, locked.mentee),
            _ended_email(locked, locked.mentee, locked.mentor),
        ]
        transaction.on_commit(lambda: mail.send_texts(locked.program.organization, messages))
    pair.refresh_from_db()
    return pair


def rematch_start(*, enrollment: Enrollment, actor: User | None) -> MatchingRound:
    """Create and queue a small round for one person, with the program's latest round's config."""
    require_program_staff(actor, enrollment.program)
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


@dataclass(frozen=True)
class EndOutcome:
    pair: Pair
    # The re-match rounds started, and why the others were refused, by side ("mentee"/"mentor").
    rounds: dict[str, MatchingRound]
    refusals: dict[str, list[str]]


def pair_end_and_rematch(
    *, pair: Pair, actor: User | None, reason: str, rematch: Iterable[str] = ()
) -> EndOutcome:
    """End the pair, then start the re-matches asked for ("mentee", "mentor"). A refused re-match
    does not undo the end: it is reported in ``refusals``. Page and API both call this."""
    ended = pair_end(pair=pair, actor=actor, reason=reason)
    rounds: dict[str, MatchingRound] = {}
    refusals: dict[str, list[str]] = {}
    for side in dict.fromkeys(rematch):
        enrollment = ended.mentee if side == EnrollmentRole.MENTEE else ended.mentor
        try:
            rounds[side] = rematch_start(enrollment=enrollment, actor=actor)
        except ValidationError as error:
            refusals[side] = error.messages
    return EndOutcome(pair=ended, rounds=rounds, refusals=refusals)


def _rematch_offer(
    pair: Pair, departed: Enrollment, partner: Enrollment
) -> tuple[str, str, None, list[str]]:
    program = pair.program
    pairs_page = reverse("program_pair_list", args=(program.organization.slug, program.pk))
    body = (
        f"{departed.person.full_name} has left the organisation, so their pair with "
        f"{partner.person.full_name} in {program.name} has ended.\n\n"
        f"{partner.person.full_name} is free to be matched again: start a re-match for them from "
        f"the program's pairs page:\n{settings.SITE_URL}{pairs_page}\n"
    )
    subject = one_line(
        f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Re-match {partner.person.full_name} in {program.name}"
    )
    return (subject, body, None, _staff_emails(program))


def end_pairs_of_departed(*, person: Person, actor: User | None) -> list[Pair]:
    """End the open pairs of someone who left the organisation (``person_departed``): both people
    are told by ``pair_end``, the program's staff get a re-match offer for the partner. Ended as
    the system: whoever may deactivate the person causes it (the directory's rule), and ``actor``
    is named in the audit entry."""
    ended: list[Pair] = []
    offers = []
    reason = f"{person.full_name} has left the organisation."[:REASON_MAX_LENGTH]
    pairs = (
        Pair.objects.filter(Q(mentor__person=person) | Q(mentee__person=person))
        .filter(status__in=OPEN_PAIR_STATUSES)
        .order_by("id")
    )
    with transaction.atomic():
        for pair in pairs:
            done = pair_end(pair=pair, actor=None, reason=reason)
            departed, partner = (
                (done.mentor, done.mentee)
                if done.mentor.person_id == person.pk
                else (done.mentee, done.mentor)
            )
            log_action(
                actor=actor,
                action="matching.pair_end_departed",
                target=done,
                data={"person": person.pk, "partner": partner.pk},
            )
            offers.append(_rematch_offer(done, departed, partner))
            ended.append(done)
        if offers:
            transaction.on_commit(lambda: mail.send_texts(person.organization, offers))
    return ended


# --- Charter gate ------------------------------------------------------------------------------


def activate_ready_pairs(*, enrollment: Enrollment, actor: User | None) -> list[Pair]:
    """After someone accepts the charter: their pending pairs whose partner accepted it too
    become active (and their check-ins are planned)."""
    activated: list[Pair] = []
    with transaction.atomic():
        # Locked and re-read as pending: a pair ended meanwhile must not come back to life.
        pending = list(
            Pair.objects.select_for_update(of=("self",))
            .filter(Q(mentor=enrollment) | Q(mentee=enrollment), status=PairStatus.PENDING)
            .select_related("program")
            .order_by("id")
        )
        if not pending:
            return []
        ready = charter_ready_ids(
            enrollment.program,
            {pair.mentor_id for pair in pending} | {p.mentee_id for p in pending},
        )
        for pair in pending:
            if pair.mentor_id in ready and pair.mentee_id in ready:
                pair.status = PairStatus.ACTIVE
                pair.activated_at = timezone.now()
                pair.save(update_fields=["status", "activated_at"])
                log_action(actor=actor, action="matching.pair_activate", target=pair)
                _replan(pair)
                activated.append(pair)
    return activated


# --- Lifecycle -----------------------------------------------------------------------------------


def _replan(pair: Pair) -> None:
    """Tell the apps above that the pair's dates or status changed (check-ins follow them)."""
    signals.pair_changed.send(sender=Pair, pair=pair)


def _lock(pair: Pair) -> Pair:
    return (
        Pair.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__person", "mentee__person")
        .get(pk=pair.pk)
    )


def pair_end_date(pair: Pair) -> date | None:
    """The pair's own end (extended) or the program's."""
    return pair.ends_on or pair.program.end_date


def pair_pause(*, pair: Pair, actor: User | None, resume_on: date) -> Pair:
    """Pause an active pair until a date (the nightly job resumes it); check-ins wait too."""
    access.require(actor, pair, access.PAUSE)
    with transaction.atomic():
        locked = _lock(pair)
        if locked.status != PairStatus.ACTIVE:
            raise ValidationError(f"Only an active pair can pause; this one is {locked.status}.")
        today = program_today(locked.program)
        end = pair_end_date(locked)
        if resume_on <= today:
            raise ValidationError({"resume_on": "Choose a resume date after today."})
        if end is not None and resume_on >= end:
            raise ValidationError(
                {"resume_on": f"The pair ends on {end:%-d %B %Y}: resume before that, or end it."}
            )
        locked.status = PairStatus.PAUSED
        locked.paused_until = resume_on
        locked.save(update_fields=["status", "paused_until"])
        log_action(
            actor=actor,
            action="matching.pair_pause",
            target=locked,
            data={"resume_on": resume_on.isoformat()},
        )
        _replan(locked)
    return locked


def pair_resume(*, pair: Pair, actor: User | None) -> Pair:
    access.require(actor, pair, access.RESUME)
    with transaction.atomic():
        locked = _lock(pair)
        if locked.status != PairStatus.PAUSED:
            raise ValidationError("Only a paused pair can resume.")
        locked.status = PairStatus.ACTIVE
        locked.paused_until = None
        locked.save(update_fields=["status", "paused_until"])
        log_action(actor=actor, action="matching.pair_resume", target=locked)
        _replan(locked)
    return locked


def resume_due_pairs(*, today: date | None = None) -> int:
    """Nightly, inside an organisation's scope: pairs whose pause is over become active again."""
    resumed = 0
    for pair in Pair.objects.filter(status=PairStatus.PAUSED).select_related("program"):
        if pair.paused_until is not None and pair.paused_until <= (
            today or program_today(pair.program)
        ):
            pair_resume(pair=pair, actor=None)
            resumed += 1
    return resumed


def pair_extend(*, pair: Pair, actor: User | None, ends_on: date) -> Pair:
    """Give a pair a later end date than its current one (the program's or an earlier extension)."""
    access.require(actor, pair, access.EXTEND)
    with transaction.atomic():
        locked = _lock(pair)
        if locked.status not in OPEN_PAIR_STATUSES:
            raise ValidationError(f"This pair is {locked.get_status_display().lower()}.")
        current = pair_end_date(locked)
        if current is not None and ends_on <= current:
            raise ValidationError(
                {
                    "ends_on": f"The pair already runs until {current:%-d %B %Y}: choose a later date."
                }
            )
        today = program_today(locked.program)
        if ends_on <= today:
            raise ValidationError({"ends_on": "Choose a date in the future."})
        latest = (current or today) + timedelta(days=MAX_EXTENSION_DAYS)
        if ends_on > latest:
            raise ValidationError(
                {"ends_on": f"Extend by at most a year at a time: until {latest:%-d %B %Y}."}
            )
        previous = locked.ends_on
        locked.ends_on = ends_on
        locked.save(update_fields=["ends_on"])
        log_action(
            actor=actor,
            action="matching.pair_extend",
            target=locked,
            data={
                "from": previous.isoformat() if previous else None,
                "to": ends_on.isoformat(),
            },
        )
        _replan(locked)
    return locked


def pair_complete(*, pair: Pair, actor: User | None) -> Pair:
    """The pair finished its program: completed (not ended), kept for rotation and reports."""
    access.require(actor, pair, access.COMPLETE)
    with transaction.atomic():
        locked = _lock(pair)
        if locked.status not in (PairStatus.ACTIVE, PairStatus.PAUSED):
            raise ValidationError(
                f"Only an active or paused pair can complete; this one is {locked.status}."
            )
        locked.status = PairStatus.COMPLETED
        locked.completed_at = timezone.now()
        locked.paused_until = None
        locked.save(update_fields=["status", "completed_at", "paused_until"])
        log_action(actor=actor, action="matching.pair_complete", target=locked)
        _replan(locked)
    return locked


def pair_request_rematch(*, pair: Pair, by: Enrollment, actor: User | None, reason: str) -> Pair:
    """A member asks the coordinators for another partner; staff decide (end + re-match)."""
    access.require(actor, pair, access.REQUEST_REMATCH)
    reason = (reason or "").strip()
    if by.pk not in (pair.mentor_id, pair.mentee_id):
        raise Forbidden("Only the two people of this pair can ask for a re-match.")
    if not reason:
        raise ValidationError({"reason": "Tell the coordinator why, in a sentence or two."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)})."}
        )
    with transaction.atomic():
        locked = _lock(pair)
        if locked.status not in OPEN_PAIR_STATUSES:
            raise ValidationError(f"This pair is {locked.get_status_display().lower()}.")
        if locked.rematch_requested_at is not None:
            raise ValidationError("A re-match was already requested for this pair.")
        locked.rematch_requested_at = timezone.now()
        locked.rematch_requested_by = by
        locked.rematch_request_reason = reason
        locked.save(
            update_fields=["rematch_requested_at", "rematch_requested_by", "rematch_request_reason"]
        )
        log_action(actor=actor, action="matching.pair_rematch_request", target=locked)
        recipients = _staff_emails(locked.program)
        if recipients:
            subject = one_line(
                f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}Re-match requested in {locked.program.name}"
            )
            body = (
                f"{by.person.full_name} asked for a new partner in {locked.program.name}.\n"
                f"Reason: {reason}\n\nOpen the pair to end it and start a re-match:\n"
                f"{settings.SITE_URL}"
                f"{reverse('pair_detail', args=(locked.program.organization.slug, locked.pk))}\n"
            )
            transaction.on_commit(
                lambda: mail.send_texts(
                    locked.program.organization, [(subject, body, None, recipients)]
                )
            )
    return locked


def _staff_emails(program: Program) -> list[str]:
    return [user.email for user in program_contacts(program=program)]
