"""Who may operate the platform (open organisations for clients).

| action | who |
|---|---|
| list organisations, open a new one | platform operators: active superusers (the people who run ``./flip manage createsuperuser``) |
| anyone else, signed in | 404: the platform pages do not exist for them |

Operators act outside any organisation; inside one they are whatever their membership says.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from core.access import Access

OPEN_ORGANIZATION = "open_organization"
LIST_ORGANIZATIONS = "list_organizations"


def platform_access(user: Any) -> Access:
    if getattr(user, "is_active", False) and getattr(user, "is_superuser", False):
        return Access.of({OPEN_ORGANIZATION, LIST_ORGANIZATIONS})
    return Access.of(set(), {OPEN_ORGANIZATION: "Only platform operators open organisations."})


def require_operator(user: Any) -> None:
    """Non-operators get 404 (the pages are not theirs to know about); the command has no user."""
    if not platform_access(user).allows(LIST_ORGANIZATIONS):
        raise Http404("No such page.")
