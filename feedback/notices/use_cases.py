"""A person's own email preferences, shared by the page (``me/emails/``) and the API
(``me/email-preferences/``). There is no id: every member reads and changes their own row, and
nobody else's (the policy is the URL)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from accounts.models import User
from feedback.notices.preferences import KIND_FIELDS, preferences_of, preferences_save
from organizations.models import Membership


def my_email_preferences(*, membership: Membership) -> dict[str, bool]:
    """The member's choices in the membership's organisation (every kind on by default)."""
    return preferences_of(membership.user_id)


def save_my_email_preferences(
    *, membership: Membership, actor: User, values: Mapping[str, object], partial: bool = False
) -> dict[str, bool]:
    """Store the member's choices. ``partial`` keeps the kinds not given; otherwise every kind
    is given. A kind we do not send, or a value that is not true or false, is a field error."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name not in KIND_FIELDS:
            errors[name] = f"Not an email kind: choose among {', '.join(KIND_FIELDS)}."
        elif not isinstance(value, bool):
            errors[name] = "Give true or false."
    if not partial:
        for name in KIND_FIELDS:
            if name not in values:
                errors[name] = "This field is required."
    if errors:
        raise ValidationError(errors)
    current = preferences_of(membership.user_id)
    chosen = {name: bool(values.get(name, current[name])) for name in KIND_FIELDS}
    return preferences_save(
        organization_id=membership.organization_id,
        user=membership.user,
        actor=actor,
        values=chosen,
    )
