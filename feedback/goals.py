"""Goals of a pair: one side owns each, progress 0-100 % moves with dated updates.

The pair's members write goals; staff read owner, description, target and progress (not the
update comments, see visibility.py). Goal progress is an engagement signal: setting a goal or
moving it rescores the pair once it commits.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from feedback.engagement import refresh_on_commit
from feedback.models import Goal, GoalOwner, GoalStatus, GoalUpdate
from matching.models import Pair, PairStatus
from organizations.audit import log_action
from participants.models import Enrollment
from programs.lifecycle import program_today

DESCRIPTION_MAX_LENGTH = 300
COMMENT_MAX_LENGTH = 2000
WRITABLE_PAIR_STATUSES = (PairStatus.ACTIVE, PairStatus.PAUSED)


def _require_member(pair: Pair, by: Enrollment) -> None:
    if by.pk not in (pair.mentor_id, pair.mentee_id):
        raise ValidationError("Only the two people of this pair set its goals.")
    if pair.status == PairStatus.PENDING:
        raise ValidationError("The pair starts once both of you accepted the charter.")
    if pair.status not in WRITABLE_PAIR_STATUSES:
        raise ValidationError(f"This pair is {pair.get_status_display().lower()}.")


def _clean(pair: Pair, owner: str, description: str, target_date: date | None) -> str:
    errors: dict[str, str] = {}
    description = (description or "").strip()
    if owner not in GoalOwner.values:
        errors["owner"] = "Say whose goal it is: the mentor's or the mentee's."
    if not description:
        errors["description"] = "Describe the goal."
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = (
            f"Keep it to {DESCRIPTION_MAX_LENGTH} characters (it has {len(description)})."
        )
    if target_date is not None and target_date < program_today(pair.program):
        errors["target_date"] = "The target date is in the past: choose a later one."
    if errors:
        raise ValidationError(errors)
    return description


def goal_create(
    *,
    pair: Pair,
    by: Enrollment,
    actor: User | None,
    owner: str,
    description: str,
    target_date: date | None = None,
) -> Goal:
    _require_member(pair, by)
    description = _clean(pair, owner, description, target_date)
    with transaction.atomic():
        goal = Goal.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            owner=owner,
            description=description,
            target_date=target_date,
            created_by=by,
        )
        log_action(actor=actor, action="goal.create", target=goal, data={"owner": owner})
        refresh_on_commit(pair)
    return goal


def goal_edit(
    *,
    goal: Goal,
    by: Enrollment,
    actor: User | None,
    owner: str,
    description: str,
    target_date: date | None,
) -> Goal:
    _require_member(goal.pair, by)
    unchanged_past_target = target_date is not None and target_date == goal.target_date
    description = _clean(
        goal.pair, owner, description, None if unchanged_past_target else target_date
    )
    with transaction.atomic():
        goal.owner, goal.description, goal.target_date = owner, description, target_date
        goal.updated_at = timezone.now()
        goal.save(update_fields=["owner", "description", "target_date", "updated_at"])
        log_action(actor=actor, action="goal.edit", target=goal)
    return goal


def goal_progress(
    *,
    goal: Goal,
    by: Enrollment,
    actor: User | None,
    progress: int,
    comment: str = "",
    status: str | None = None,
) -> GoalUpdate:
    """Record progress (0-100) with an optional comment; 100 % marks the goal achieved unless
    another status is given; ``dropped`` keeps the progress reached."""
    _require_member(goal.pair, by)
    errors: dict[str, str] = {}
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        errors["progress"] = "Progress is a whole number from 0 to 100 (%)."
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = f"Keep it to {COMMENT_MAX_LENGTH} characters (it has {len(comment)})."
    if status is not None and status not in GoalStatus.values:
        errors["status"] = f"Choose one of: {', '.join(GoalStatus.labels)}."
    if errors:
        raise ValidationError(errors)
    new_status = status or (GoalStatus.ACHIEVED if progress == 100 else GoalStatus.OPEN)
    with transaction.atomic():
        update = GoalUpdate.objects.create(
            organization_id=goal.organization_id,
            goal=goal,
            author=by,
            progress=progress,
            comment=comment,
        )
        goal.progress, goal.status, goal.updated_at = progress, new_status, timezone.now()
        goal.save(update_fields=["progress", "status", "updated_at"])
        log_action(
            actor=actor,
            action="goal.progress",
            target=goal,
            data={"progress": progress, "status": new_status},
        )
        refresh_on_commit(goal.pair)
    return update
