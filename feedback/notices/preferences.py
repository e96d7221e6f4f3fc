"""Which non-essential emails a person gets: a row of ``EmailPreferences`` per person and
organisation, every kind on until they turn it off.

==========================  ===================================================================
kind                        what it covers
==========================  ===================================================================
partner_activity            the partner logged a session to confirm, or added a shared note
check_in_reminders          the reminders after a check-in (the check-in email itself is essential)
survey_reminders            the reminders of a survey wave (the invitation itself is essential)
==========================  ===================================================================

Essential mail (invitations, the check-in itself, a pair published, paused or ended, survey
invitations) is not listed and always goes. Each person edits only their own row; the write is
audited with the values before and after.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from feedback.models import EmailPreferences
from organizations.audit import log_action


@dataclass(frozen=True)
class Kind:
    field: str
    label: str
    help_text: str


KINDS: tuple[Kind, ...] = (
    Kind(
        "partner_activity",
        "When my partner logs a session for me to confirm or adds a shared note",
        "Also shown on your home page, whatever you choose here.",
    ),
    Kind(
        "check_in_reminders",
        "Reminders about a check-in I have not answered yet",
        "The check-in email itself always comes.",
    ),
    Kind(
        "survey_reminders",
        "Reminders about a survey I have not answered yet",
        "The survey invitation itself always comes.",
    ),
)
KIND_FIELDS = tuple(kind.field for kind in KINDS)


def preferences_of(user_id: int) -> dict[str, bool]:
    """The person's choices in the current organisation (every kind on without a row)."""
    row = EmailPreferences.objects.filter(user_id=user_id).values(*KIND_FIELDS).first()
    return dict.fromkeys(KIND_FIELDS, True) | (row or {})


def wants(user_id: int | None, kind: str) -> bool:
    """Whether a non-essential email of ``kind`` may go to this person (no account: yes, the
    default)."""
    if kind not in KIND_FIELDS:
        raise ValueError(f"Unknown email kind {kind!r}")
    if user_id is None:
        return True
    return preferences_of(user_id)[kind]


def preferences_save(
    *, organization_id: int, user: User, actor: User | None, values: dict[str, bool]
) -> dict[str, bool]:
    """Store the person's choices (``values`` must name every kind); audited when they change."""
    if set(values) != set(KIND_FIELDS):
        raise ValueError(f"Email preferences need exactly {KIND_FIELDS}, got {sorted(values)}")
    with transaction.atomic():
        before = preferences_of(user.pk)
        row, _ = EmailPreferences.objects.select_for_update().get_or_create(
            organization_id=organization_id, user=user
        )
        for field, value in values.items():
            setattr(row, field, bool(value))
        row.updated_at = timezone.now()
        row.save()
        changed = {field: values[field] for field in KIND_FIELDS if before[field] != values[field]}
        if changed:
            log_action(
                actor=actor,
                action="email_preferences.update",
                target=row,
                data={"before": before, "after": dict(values)},
            )
    return dict(values)


def unsubscribe(*, organization_id: int, user_id: int, kind: str) -> bool:
    """Turn one kind off for a person, from the signed unsubscribe link of an email (no sign-in:
    the link's signature is the authority). False when the link names nobody here any more."""
    from organizations.models import Membership

    if kind not in KIND_FIELDS:
        return False
    if not Membership.objects.filter(user_id=user_id).exists():
        return False
    user = User.objects.get(pk=user_id)
    values = preferences_of(user_id) | {kind: False}
    preferences_save(organization_id=organization_id, user=user, actor=None, values=values)
    return True
