"""Signed links of a survey invitation email: the token is the authority, not the session.

A token names one organisation, one invitation and the enrolment it was sent to, and the last day
it works: ``LINK_GRACE_DAYS`` after the invitation closes, so that a late click says "closed"
rather than "invalid", and a much later one "expired". It works signed out (the email is the
credential, as for a check-in) and acts only on that one invitation, whoever is signed in. "One
use" is the invitation's own state: once answered, the link shows "already answered".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from surveys.models import SurveyInvitation

SALT = "surveys.invitation_link.v1"
LINK_GRACE_DAYS = 7


class InvalidLinkError(Exception):
    """Not a token we signed (tampered, truncated, or for another purpose)."""


@dataclass(frozen=True)
class InvitationLink:
    organization_id: int
    invitation_id: int
    enrollment_id: int
    expires_on: date

    def expired(self, today: date) -> bool:
        """Past its last day (``today`` in the person's time zone)."""
        return today > self.expires_on


def expires_on(invitation: SurveyInvitation) -> date:
    return invitation.closes_on + timedelta(days=LINK_GRACE_DAYS)


def make_token(invitation: SurveyInvitation) -> str:
    return signing.dumps(
        {
            "o": invitation.organization_id,
            "i": invitation.pk,
            "e": invitation.enrollment_id,
            "x": expires_on(invitation).isoformat(),
        },
        salt=SALT,
        compress=True,
    )


def _parse(value: object) -> InvitationLink:
    if not isinstance(value, dict):
        raise InvalidLinkError
    ids = [value.get(key) for key in ("o", "i", "e")]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise InvalidLinkError
    try:
        expiry = date.fromisoformat(str(value.get("x")))
    except ValueError:
        raise InvalidLinkError from None
    return InvitationLink(
        organization_id=ids[0],  # type: ignore[arg-type]
        invitation_id=ids[1],  # type: ignore[arg-type]
        enrollment_id=ids[2],  # type: ignore[arg-type]
        expires_on=expiry,
    )


def read_token(token: str) -> InvitationLink:
    """The link a token stands for, expired or not; InvalidLinkError if we did not sign it. The
    caller checks ``expired`` against the person's day once it has loaded the invitation."""
    try:
        return _parse(signing.loads(token, salt=SALT))
    except signing.BadSignature:
        raise InvalidLinkError from None


def answer_url(invitation: SurveyInvitation, *, org_slug: str, token: str | None = None) -> str:
    token = token or make_token(invitation)
    path = reverse("survey_link", kwargs={"org_slug": org_slug, "token": token})
    return settings.SITE_URL + path
