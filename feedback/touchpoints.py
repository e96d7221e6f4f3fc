"""Touchpoints: scheduled sends as rows (DESIGN.md §6).

``sweep_due`` runs every minute from beat, across all organisations (a sanctioned use of the escape
hatch); ``deliver`` runs in a send task inside the row's organisation scope, one task per chunk of up to
``SEND_CHUNK`` rows of one organisation. A row moves
pending → queued (sweeper) → sending (send task's conditional claim) → done | pending (retry later) |
failed. A row is acted on at most once: a duplicate message finds it no longer ``queued``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from feedback.models import Touchpoint, TouchpointStatus
from organizations.scope import dangerously_unscoped

logger = logging.getLogger(__name__)

Handler = Callable[[Touchpoint], None]
_HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500
# Rows of one organisation sent by one task: a wave of thousands of invitations costs a few hundred
# task messages, not thousands (each row is still claimed and performed on its own by ``deliver``).
SEND_CHUNK = 25


def touchpoint_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that performs one kind of touchpoint (check-in, survey wave, …)."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return register


@touchpoint_handler("email")
def _send_plain_email(touchpoint: Touchpoint) -> None:
    payload = touchpoint.payload
    send_mail(
        subject=str(payload["subject"]),
        message=str(payload["body"]),
        from_email=None,
        recipient_list=[str(payload["to"])],
    )


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.CELERY_VISIBILITY_TIMEOUT * 2)


def sweep_due(*, now: datetime | None = None, enqueue: bool = True) -> list[tuple[int, int]]:
    """Claim due rows and queue one send task per row after commit. Returns (id, organization_id).

    Concurrent sweeps never claim the same row: ``FOR UPDATE SKIP LOCKED`` hands each row to one of
    them, and the claim is committed before any task is queued.
    """
    from feedback.tasks import send_touchpoints

    now = now or timezone.now()
    with dangerously_unscoped(), transaction.atomic():
        due = list(
            Touchpoint.dangerously_unscoped_objects.select_for_update(skip_locked=True)
            .filter(status=TouchpointStatus.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("id", "organization_id")[:SWEEP_BATCH]
        )
        if due:
            Touchpoint.dangerously_unscoped_objects.filter(id__in=[row[0] for row in due]).update(
                status=TouchpointStatus.QUEUED, claimed_at=now
            )
        _recover_stuck(now)
        if enqueue:
            for organization_id, ids in _chunks(due):
                transaction.on_commit(
                    partial(
                        send_touchpoints.apply_async,
                        kwargs={"organization_id": organization_id, "touchpoint_ids": ids},
                        expires=3600,
                    )
                )
    return due


def _chunks(due: list[tuple[int, int]]) -> list[tuple[int, list[int]]]:
    """(organisation, up to SEND_CHUNK row ids) in due order, one organisation per chunk."""
    by_organization: dict[int, list[int]] = {}
    for touchpoint_id, organization_id in due:
        by_organization.setdefault(organization_id, []).append(touchpoint_id)
    return [
        (organization_id, ids[start : start + SEND_CHUNK])
        for organization_id, ids in by_organization.items()
        for start in range(0, len(ids), SEND_CHUNK)
    ]


def _recover_stuck(now: datetime) -> None:
    """Rows whose message was lost go back to pending; rows lost mid-send fail (never sent twice)."""
    cutoff = now - _stale_after()
    stale = Touchpoint.dangerously_unscoped_objects.select_for_update(skip_locked=True).filter(
        claimed_at__lt=cutoff
    )
    requeued = stale.filter(status=TouchpointStatus.QUEUED).update(
        status=TouchpointStatus.PENDING, claimed_at=None
    )
    failed = stale.filter(status=TouchpointStatus.SENDING).update(
        status=TouchpointStatus.FAILED,
        last_error="The worker stopped while sending; not retried so that nobody gets it twice.",
    )
    if requeued or failed:
        logger.warning("touchpoints recovered: %s re-queued, %s failed mid-send", requeued, failed)


def deliver(*, touchpoint_id: int, now: datetime | None = None) -> str:
    """Claim one queued row of the scoped organisation and perform it. Returns the outcome."""
    now = now or timezone.now()
    claimed = Touchpoint.objects.filter(pk=touchpoint_id, status=TouchpointStatus.QUEUED).update(
        status=TouchpointStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if not claimed:
        return "skipped"
    touchpoint = Touchpoint.objects.get(pk=touchpoint_id)
    handler = _HANDLERS.get(touchpoint.kind)
    if handler is None:
        _finish(
            touchpoint,
            TouchpointStatus.FAILED,
            f"No handler for touchpoint kind {touchpoint.kind!r}.",
        )
        return "failed"
    try:
        handler(touchpoint)
    except Exception as exc:
        logger.exception("touchpoint %s failed (attempt %s)", touchpoint.pk, touchpoint.attempts)
        if touchpoint.attempts >= MAX_ATTEMPTS:
            _finish(touchpoint, TouchpointStatus.FAILED, repr(exc))
            return "failed"
        # Retry by moving due_at forward; the sweeper picks it up again (no long countdowns).
        Touchpoint.objects.filter(pk=touchpoint.pk).update(
            status=TouchpointStatus.PENDING,
            due_at=now + timedelta(minutes=2**touchpoint.attempts),
            claimed_at=None,
            last_error=repr(exc),
        )
        return "retry"
    _finish(touchpoint, TouchpointStatus.DONE, "")
    return "done"


def _finish(touchpoint: Touchpoint, status: str, error: str) -> None:
    Touchpoint.objects.filter(pk=touchpoint.pk, status=TouchpointStatus.SENDING).update(
        status=status, done_at=timezone.now(), last_error=error
    )
