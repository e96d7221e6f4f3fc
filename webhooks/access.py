"""Who may manage the organisation's webhooks: its admins, nobody else.

=============================================  ======  ===========  ======
permission                                     admin   coordinator  member
=============================================  ======  ===========  ======
webhooks.manage (list, create, edit, delete,   yes     403          403
  rotate the secret, read the delivery log,
  redeliver, send a test event)
=============================================  ======  ===========  ======

Events leave the organisation for a URL an admin chose: the same trust as the organisation's data
rights. The role is checked before any id is read (403 first), then an id is resolved inside the
organisation (404 otherwise).
"""

from __future__ import annotations

from accounts.models import User
from core.access import Forbidden
from organizations.models import Membership, Role
from organizations.selectors import membership_of

ADMINS_ONLY = "Only the organisation's admins manage its webhooks."


def require_admin(membership: Membership) -> None:
    if membership.role != Role.ADMIN:
        raise Forbidden(ADMINS_ONLY)


def require_admin_user(actor: User | None) -> None:
    """For services: ``actor`` must be an admin of the scoped organisation (``None``: the system)."""
    if actor is None:
        return
    membership = membership_of(actor)
    if membership is None or membership.role != Role.ADMIN:
        raise Forbidden(ADMINS_ONLY)
