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
