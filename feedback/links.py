"""Signed one-click links of a check-in email: the token is the authority, not the session.

A token names one organisation, one check-in and the person it was sent to. It works without
signing in (the email is the credential, as for a password reset) and acts only on that one
check-in, whoever is signed in. "One use" is the check-in's own state: once answered, the answer
link shows "already answered"; the "we met" link records one draft session per check-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from feedback.models import CheckIn

SALT = "feedback.check_in_link.v1"
# A link outlives the answering window a little so that a late click says "closed", not "invalid".
LINK_MAX_AGE = timedelta(days=21)


class InvalidLinkError(Exception):
    """Not a token we signed (tampered, truncated, or for another purpose)."""


class ExpiredLinkError(Exception):
    """A token we signed, too old to act on. ``link`` still says whose it was."""

    def __init__(self, link: CheckInLink) -> None:
        super().__init__("expired")
        self.link = link


@dataclass(frozen=True)
class CheckInLink:
    organization_id: int
    check_in_id: int
    enrollment_id: int


def make_token(check_in: CheckIn) -> str:
    return signing.dumps(
        {"o": check_in.organization_id, "c": check_in.pk, "e": check_in.enrollment_id}, salt=SALT
    )


def _parse(value: object) -> CheckInLink:
    if not isinstance(value, dict):
        raise InvalidLinkError
    ids = [value.get(key) for key in ("o", "c", "e")]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidLinkError
    return CheckInLink(organization_id=ids[0], check_in_id=ids[1], enrollment_id=ids[2])  # type: ignore[arg-type]


def read_token(token: str) -> CheckInLink:
    """The link a token stands for; InvalidLinkError or ExpiredLinkError otherwise."""
    try:
        return _parse(signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE))
    except signing.SignatureExpired:
        try:
            expired = _parse(signing.loads(token, salt=SALT))
        except signing.BadSignature:
            raise InvalidLinkError from None
        raise ExpiredLinkError(expired) from None
    except signing.BadSignature:
        raise InvalidLinkError from None


def answer_url(check_in: CheckIn, *, org_slug: str, token: str | None = None) -> str:
    token = token or make_token(check_in)
    path = reverse("check_in_link", kwargs={"org_slug": org_slug, "token": token})
    return settings.SITE_URL + path


def we_met_url(check_in: CheckIn, *, org_slug: str, token: str | None = None) -> str:
    token = token or make_token(check_in)
    path = reverse("check_in_link_we_met", kwargs={"org_slug": org_slug, "token": token})
    return settings.SITE_URL + path
