"""A person's private calendar feed token: made, reset and turned off by its owner only.

The token is a random secret shown once; only its SHA-256 is stored, so a leaked database does not
leak working feed URLs. Looking a token up happens inside the organisation named by the URL.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from accounts.models import User
from feedback.models import CalendarFeed
from organizations.audit import log_action


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user_id: int) -> CalendarFeed | None:
    """The person's feed in the current organisation, if they made one."""
    return CalendarFeed.objects.filter(user_id=user_id).first()


def feed_reset(*, organization_id: int, user: User) -> str:
    """Make the person's feed token (or a new one, ending the old URL); returns the token."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        feed = CalendarFeed.objects.create(
            organization_id=organization_id, user=user, token_hash=_hash(token)
        )
        log_action(actor=user, action="calendar_feed.reset", target=feed, data={})
    return token


def feed_revoke(*, user: User) -> bool:
    """Turn the person's feed off (its URL answers 404 from now on)."""
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(user=user).first()
        if feed is None:
            return False
        log_action(actor=user, action="calendar_feed.revoke", target=feed, data={})
        feed.delete()
    return True


def feed_user_id(token: str) -> int | None:
    """Whose feed a token opens in the current organisation (None: unknown or turned off)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.filter(token_hash=_hash(token))
        .values_list("user_id", flat=True)
        .first()
    )
