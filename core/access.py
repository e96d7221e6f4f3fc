"""Access policies: what one actor may do with one object, as named permissions.

Each object type has one policy function in the app that owns it (``programs.access``,
``participants.access``, ``matching.access``, ``feedback.visibility``…) returning an ``Access``.
Use cases and services ask it before they act; pages, API, tasks and emails never decide on their
own. A refusal is ``Forbidden``: a 403 with the same message on a page and in the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

DEFAULT_REFUSAL = "Your role does not allow this."


class Forbidden(PermissionDenied):
    """The actor may see the object but not do this to it (403, the message shown as is)."""

    def __init__(self, message: str = DEFAULT_REFUSAL) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Access:
    """The permissions one actor holds on one object, and why each other one is refused."""

    granted: frozenset[str]
    refusals: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, granted: Iterable[str], refusals: Mapping[str, str] | None = None) -> Access:
        return cls(frozenset(granted), dict(refusals or {}))

    def allows(self, permission: str) -> bool:
        return permission in self.granted

    def require(self, permission: str) -> None:
        """Raise ``Forbidden`` (with this policy's reason) unless ``permission`` is granted."""
        if permission not in self.granted:
            raise Forbidden(self.refusals.get(permission, DEFAULT_REFUSAL))
