"""The program lifecycle: draft → enrolling → matching → active → closing → closed.

Each move has preconditions; `missing_preconditions` names every one that is not met, so the page's
lifecycle panel and the API's 400 body can say exactly what to do next. Back moves exist where they
undo a step without losing anything: enrolling → draft (nobody accepted yet), matching → enrolling
(recruit more people), closing → active (closed too early, end date not passed).

Judgement calls, written down once:
- **active** needs the start date to have been reached in the program's own time zone (pairs meet
  from that day; move the start date to start earlier) and the end date not to have passed;
- **closing** is the coordinator's call once a program is active (wrap-up, final surveys): no
  precondition; **closed** is final.
- An archived program does not move until it is unarchived.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organizations.audit import log_action
from programs import hooks, selectors
from programs.models import Program, ProgramStatus
from programs.validation import valid_time_zones

S = ProgramStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.ENROLLING,),
    S.ENROLLING: (S.MATCHING, S.DRAFT),
    S.MATCHING: (S.ACTIVE, S.ENROLLING),
    S.ACTIVE: (S.CLOSING,),
    S.CLOSING: (S.CLOSED, S.ACTIVE),
    S.CLOSED: (),
}


@dataclass(frozen=True)
class Missing:
    """One unmet precondition: the field (or area) it concerns and what to do about it."""

    field: str
    message: str


@dataclass(frozen=True)
class TransitionOption:
    to: str
    label: str
    is_forward: bool
    missing: list[Missing]

    @property
    def allowed(self) -> bool:
        return not self.missing


def program_zone(program: Program) -> ZoneInfo:
    """The program's time zone (UTC when its name is not a known zone)."""
    return ZoneInfo(program.time_zone if program.time_zone in valid_time_zones() else "UTC")


def program_today(program: Program, now: datetime | None = None) -> date:
    """Today's date where the program runs (at ``now``, default the current time)."""
    return timezone.localtime(now or timezone.now(), program_zone(program)).date()


def _to_enrolling(program: Program) -> list[Missing]:
    missing = []
    if program.start_date is None:
        missing.append(Missing("start_date", "Set a start date."))
    if program.end_date is None:
        missing.append(Missing("end_date", "Set an end date."))
    if not selectors.objective_list(program=program).exists():
        missing.append(Missing("objectives", "Add at least one objective."))
    if selectors.current_charter(program=program) is None:
        missing.append(Missing("charter", "Publish the ground rules and confidentiality charter."))
    return missing


def _to_active(program: Program) -> list[Missing]:
    today = program_today(program)
    missing = []
    if program.start_date is None:
        missing.append(Missing("start_date", "Set a start date."))
    elif program.start_date > today:
        missing.append(
            Missing(
                "start_date",
                f"The start date ({program.start_date:%d %b %Y}) has not been reached yet in "
                f"{program.time_zone}.",
            )
        )
    if program.end_date is not None and program.end_date < today:
        missing.append(Missing("end_date", "The end date has passed; move it into the future."))
    return missing


def _back_to_active(program: Program) -> list[Missing]:
    if program.end_date is not None and program.end_date < program_today(program):
        return [Missing("end_date", "The end date has passed; move it into the future.")]
    return []


def missing_preconditions(program: Program, to: str) -> list[Missing]:
    """What stops ``program`` from moving to ``to`` (empty when it may move)."""
    if program.archived_at is not None:
        return [Missing("archived", "Unarchive the program first.")]
    checks: dict[tuple[str, str], Callable[[Program], list[Missing]]] = {
        (S.DRAFT, S.ENROLLING): _to_enrolling,
        (S.MATCHING, S.ACTIVE): _to_active,
        (S.CLOSING, S.ACTIVE): _back_to_active,
    }
    check = checks.get((program.status, to))
    missing = check(program) if check else []
    for registered in hooks.transition_checks:
        missing.extend(registered(program, program.status, to))
    return missing


def transition_options(program: Program) -> list[TransitionOption]:
    """The moves available from the current status, forward first, with what each still needs."""
    return [
        TransitionOption(
            to=to,
            label=S(to).label,
            is_forward=_is_forward(program.status, to),
            missing=missing_preconditions(program, to),
        )
        for to in TRANSITIONS[program.status]
    ]


def _is_forward(current: str, to: str) -> bool:
    order = list(S.values)
    return order.index(to) > order.index(current)


def program_transition(*, actor: User, program: Program, to: str) -> Program:
    """Move a program to ``to`` if its preconditions hold; otherwise a ValidationError that names
    every missing one by field (``__all__`` says what was attempted)."""
    with transaction.atomic():
        locked = Program.objects.select_for_update().get(pk=program.pk)
        allowed = TRANSITIONS.get(locked.status, ())
        if to not in allowed:
            options = ", ".join(allowed) or "nothing (it is final)"
            raise ValidationError(
                {"to": f"A {locked.get_status_display().lower()} program can move to: {options}."}
            )
        missing = missing_preconditions(locked, to)
        if missing:
            errors: dict[str, list[str]] = {
                "__all__": [f"The program cannot move to {S(to).label.lower()} yet."]
            }
            for item in missing:
                errors.setdefault(item.field, []).append(item.message)
            raise ValidationError(errors)
        previous = locked.status
        locked.status = to
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        log_action(
            actor=actor,
            action="program.transitioned",
            target=locked,
            data={"from": previous, "to": to},
        )
    program.status, program.updated_at = locked.status, locked.updated_at
    return program
