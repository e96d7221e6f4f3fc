"""Policy of the organisation's single sign-on settings.

| permission  | who       | what                                                              |
|-------------|-----------|-------------------------------------------------------------------|
| ``configure`` | admins  | see and change the identity provider, "SSO required", enable/disable |
| (refused)   | coordinators, members | 403 with the reason, before anything is read          |

Signing in through the provider is open to anyone the provider vouches for (``sso.signin``); it is
not a permission of this table. The service that saves the settings asks again.
"""

from __future__ import annotations

from core.access import Access
from organizations.models import Membership

CONFIGURE = "configure"
ADMINS_ONLY = "Single sign-on is set up by the organisation's administrators."


def sso_access(membership: Membership | None) -> Access:
    if membership is not None and membership.is_admin:
        return Access.of({CONFIGURE})
    return Access.of((), {CONFIGURE: ADMINS_ONLY})
