"""Policies of the organisation's own objects. API tokens:

| permission | who                     | what                                                 |
|------------|-------------------------|------------------------------------------------------|
| ``manage`` | admins and coordinators | list, create and revoke their own tokens in this org |
| (refused)  | members                 | they take part through the pages: 403 with the reason |

A token acts as the person who made it, in one organisation. Members are refused before anything
is read (the page, a creation, a revocation: 403), so a URL typed by hand reaches nothing. The
service that creates a token asks this policy again (``services.api_token_create``), so a shell or
a task is refused the same way.
"""

from __future__ import annotations

from core.access import Access
from organizations.models import Membership

MANAGE = "manage"
STAFF_ONLY = "API tokens are for administrators and coordinators."


def token_access(membership: Membership | None) -> Access:
    if membership is not None and membership.is_staff_role:
        return Access.of({MANAGE})
    return Access.of((), {MANAGE: STAFF_ONLY})


# --- The organisation's own settings and who coordinates what ----------------------------------
#
# | permission                  | who     | what                                                  |
# |-----------------------------|---------|-------------------------------------------------------|
# | ``organization.settings``   | admins  | name, address, time zone, branding, privacy, MFA rule |
# | ``membership.scope``        | admins  | make a coordinator org-wide (every program) or not    |
#
# Everyone else is refused with the reason (403): they are members, so nothing is hidden.

SETTINGS = "organization.settings"
MEMBERSHIP_SCOPE = "membership.scope"
_ORGANIZATION_REFUSALS = {
    SETTINGS: "Only an admin changes the organisation's settings.",
    MEMBERSHIP_SCOPE: "Only an admin decides which programs a coordinator coordinates.",
}


def organization_access(membership: Membership | None) -> Access:
    if membership is not None and membership.is_admin:
        return Access.of({SETTINGS, MEMBERSHIP_SCOPE}, _ORGANIZATION_REFUSALS)
    return Access.of((), _ORGANIZATION_REFUSALS)
