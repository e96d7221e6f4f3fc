"""Who may manage the organisation's SCIM provisioning tokens: its admins.

| permission     | who    | what                                                    |
|----------------|--------|---------------------------------------------------------|
| ``scim.manage``| admins | list, create and revoke the provisioning tokens         |
| (refused)      | others | 403 with the reason, before anything is read            |

A provisioning token writes the whole directory, so it is an admin's decision, like the directory
import's commit. The SCIM endpoint itself is reached with a token, never with a session.
"""

from __future__ import annotations

from core.access import Access
from organizations.models import Membership, Role

MANAGE = "scim.manage"
ADMINS_ONLY = "Provisioning (SCIM) tokens are managed by the organisation's administrators."


def scim_access(membership: Membership | None) -> Access:
    if membership is not None and membership.role == Role.ADMIN:
        return Access.of({MANAGE})
    return Access.of((), {MANAGE: ADMINS_ONLY})
