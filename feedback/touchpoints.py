"""Touchpoints: scheduled sends as rows (DESIGN.md §6).

``sweep_due`` runs every minute from beat, across all organisations (a sanctioned use of the escape
hatch); ``deliver`` runs in a send task inside the row's organisation scope, one task per chunk of up to
``SEND_CHUNK`` rows of one organisation, claimed ``CLAIM_GROUP`` at a time. A row moves
pending → queued (sweeper) → sending (send task's conditional claim) → done | pending (retry later) |
failed. A duplicate message finds a row no longer ``queued`` and leaves it alone.
A kind with a batch handler (survey invitations and reminders) performs a group's rows together.

Each row is done exactly once, also when a worker dies (SIGKILL, out of memory) in the middle:
the send task writes its process's lease token (``core.leases``) on the rows it holds, and each
row is marked done as soon as its email is handed over. The sweep takes back the rows of a dead
process: those it had not reached go back to pending; the one it was sending goes back to pending
marked ``interrupted``, so its handler sends it again although its own record (a check-in marked
sent) says it went out. A live process that is slow keeps its rows (after two visibility
timeouts they fail instead of being sent twice). What no code can close is the instant between
the mail server accepting a message and the row's update committing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import leases
from core.text import one_line
from feedback.models import Touchpoint, TouchpointStatus
from organizations import mail
from organizations.scope import dangerously_unscoped

logger = logging.getLogger(__name__)

Handler = Callable[[Touchpoint], None]
# A batch handler performs one kind's rows of a chunk together (one query for all, one mail
# connection) and reports each row's outcome as it goes: ``report(row, None)`` once its email is
# handed over, ``report(row, error)`` when nothing went out for it (retried). It may raise only
# before it mails anything; the rows it has not reported are then retried.
Report = Callable[[Touchpoint, BaseException | None], None]
BatchHandler = Callable[[list[Touchpoint], Report], None]
_HANDLERS: dict[str, Handler] = {}
_BATCH_HANDLERS: dict[str, BatchHandler] = {}
MAX_ATTEMPTS = 5
SWEEP_BATCH = 500
# Rows of one organisation sent by one task: a wave of thousands of invitations costs a few hundred
# task messages, not thousands.
SEND_CHUNK = 25
# Rows of a chunk claimed and performed together (see ``deliver_many``).
CLAIM_GROUP = 5


def touchpoint_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that performs one kind of touchpoint (check-in, survey wave, …)."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return register


def touchpoint_batch_handler(kind: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register the function that performs a chunk's rows of one kind together."""

    def register(handler: BatchHandler) -> BatchHandler:
        _BATCH_HANDLERS[kind] = handler
        return handler

    return register


@touchpoint_handler("email")
def _send_plain_email(touchpoint: Touchpoint) -> None:
    payload = touchpoint.payload
    mail.send(
        mail.Notification(
            organization=touchpoint.organization,
            to=str(payload["to"]),
            subject=one_line(str(payload["subject"])),
            text_template="email/plain.txt",
            context={"body": str(payload["body"])},
        )
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
        _recover_stuck(now)
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
    """Rows held by a dead process are taken back (see the module's docstring); rows whose message
    was lost go back to pending; rows still sending after two visibility timeouts under a live (or
    unknown) process fail, never sent twice."""
    _recover_from_dead_processes(now)
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


def _recover_from_dead_processes(now: datetime) -> None:
    lease = timedelta(seconds=settings.FLIPSIDE_WORKER_LEASE_SECONDS)
    held = Touchpoint.dangerously_unscoped_objects.filter(
        status__in=(TouchpointStatus.QUEUED, TouchpointStatus.SENDING), claimed_at__lt=now - lease
    ).exclude(claimed_by="")
    gone = leases.dead(held.order_by().values_list("claimed_by", flat=True).distinct())
    if not gone:
        return
    # Each update re-checks its rows under their locks: a concurrent sweep finds them taken back.
    lost = held.filter(claimed_by__in=gone)
    not_reached = lost.filter(status=TouchpointStatus.QUEUED).update(
        status=TouchpointStatus.PENDING, claimed_at=None, claimed_by=""
    )
    given_up = lost.filter(status=TouchpointStatus.SENDING, attempts__gte=MAX_ATTEMPTS).update(
        status=TouchpointStatus.FAILED,
        done_at=now,
        last_error=f"The worker stopped while sending, {MAX_ATTEMPTS} times; not tried again.",
    )
    interrupted = lost.filter(status=TouchpointStatus.SENDING).update(
        status=TouchpointStatus.PENDING,
        interrupted=True,
        claimed_at=None,
        claimed_by="",
        last_error="The worker sending this stopped before it finished; sent again.",
    )
    logger.warning(
        "touchpoints of stopped workers: %s not reached, %s interrupted mid-send, %s given up",
        not_reached,
        interrupted,
        given_up,
    )


def deliver(*, touchpoint_id: int, now: datetime | None = None) -> str:
    """Claim one queued row of the scoped organisation and perform it. Returns the outcome."""
    outcomes = deliver_many(touchpoint_ids=[touchpoint_id], now=now)
    return next(iter(outcomes))


def deliver_many(*, touchpoint_ids: Sequence[int], now: datetime | None = None) -> Counter[str]:
    """Perform the queued rows among ``touchpoint_ids`` (one organisation's, in scope), a group of
    up to ``CLAIM_GROUP`` at a time: each group is claimed in one statement, then a kind's rows are
    performed together when the kind has a batch handler. Returns outcome counts (done, retry,
    failed, skipped).

    Claiming a group at a time bounds what a dead worker leaves behind: the rows of the group it
    was sending stay ``sending`` until the sweep takes them back (the ones already handed over are
    done); the chunk's later rows are still ``queued`` and go back to pending.
    """
    now = now or timezone.now()
    token = leases.process_token()
    outcomes: Counter[str] = Counter()
    # The chunk's rows are this process's from now on: if it dies, the sweep takes them back.
    Touchpoint.objects.filter(pk__in=touchpoint_ids, status=TouchpointStatus.QUEUED).update(
        claimed_by=token, claimed_at=now
    )
    for start in range(0, len(touchpoint_ids), CLAIM_GROUP):
        group = touchpoint_ids[start : start + CLAIM_GROUP]
        claimed = _claim(group, now, token)
        if len(claimed) < len(group):
            outcomes["skipped"] += len(group) - len(claimed)
        by_kind: dict[str, list[Touchpoint]] = {}
        for row in claimed:
            by_kind.setdefault(row.kind, []).append(row)
        for kind, rows in by_kind.items():
            _perform(kind, rows, _Outcomes(now, outcomes))
    return outcomes


def _claim(touchpoint_ids: Sequence[int], now: datetime, token: str) -> list[Touchpoint]:
    """queued → sending for the rows still queued, committed before anything is performed."""
    with transaction.atomic():
        claimed = list(
            Touchpoint.objects.select_for_update()
            .filter(pk__in=touchpoint_ids, status=TouchpointStatus.QUEUED)
            .order_by("pk")
        )
        if claimed:
            Touchpoint.objects.filter(pk__in=[row.pk for row in claimed]).update(
                status=TouchpointStatus.SENDING,
                attempts=F("attempts") + 1,
                claimed_at=now,
                claimed_by=token,
            )
    for row in claimed:
        row.status, row.attempts, row.claimed_at = TouchpointStatus.SENDING, row.attempts + 1, now
    return claimed


def _perform(kind: str, rows: list[Touchpoint], report: _Outcomes) -> None:
    batch = _BATCH_HANDLERS.get(kind)
    single = _HANDLERS.get(kind)
    if batch is not None:
        try:
            batch(rows, report)
        except Exception as exc:
            # A batch handler raises only before it mails anything: every row it has not
            # reported is retried.
            logger.exception("touchpoint batch of %s %s rows failed", len(rows), kind)
            for row in rows:
                if row.pk not in report.reported:
                    report(row, exc)
    elif single is not None:
        for row in rows:
            try:
                single(row)
            except Exception as exc:
                logger.exception("touchpoint %s failed (attempt %s)", row.pk, row.attempts)
                report(row, exc)
            else:
                report(row, None)
    else:
        error = f"No handler for touchpoint kind {kind!r}."
        for row in rows:
            report.fail(row, error)


class _Outcomes:
    """Records each row's outcome as the handler reports it, at once: a row is marked done as
    soon as its email is handed over, so a worker dying later in the group cannot leave it to be
    sent again."""

    def __init__(self, now: datetime, counts: Counter[str]) -> None:
        self.now = now
        self.counts = counts
        self.reported: set[int] = set()

    def __call__(self, row: Touchpoint, error: BaseException | None) -> None:
        if row.pk in self.reported:
            return
        self.reported.add(row.pk)
        if error is None:
            Touchpoint.objects.filter(pk=row.pk, status=TouchpointStatus.SENDING).update(
                status=TouchpointStatus.DONE,
                done_at=timezone.now(),
                last_error="",
                interrupted=False,
            )
            self.counts["done"] += 1
        elif row.attempts >= MAX_ATTEMPTS:
            self.fail(row, repr(error))
        else:
            # Retry by moving due_at forward; the sweeper picks it up again (no long countdowns).
            Touchpoint.objects.filter(pk=row.pk, status=TouchpointStatus.SENDING).update(
                status=TouchpointStatus.PENDING,
                due_at=self.now + timedelta(minutes=2**row.attempts),
                claimed_at=None,
                last_error=repr(error),
            )
            self.counts["retry"] += 1

    def fail(self, row: Touchpoint, error: str) -> None:
        self.reported.add(row.pk)
        Touchpoint.objects.filter(pk=row.pk, status=TouchpointStatus.SENDING).update(
            status=TouchpointStatus.FAILED, done_at=timezone.now(), last_error=error
        )
        self.counts["failed"] += 1
