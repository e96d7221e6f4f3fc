"""Extension points: how a lower app lets the apps above it add to what it does.

An app may import only from the apps below it (docs/architecture.md). When a page or a rule of a
lower app needs something only a higher app knows (the pairs on a participant's program page, the
enrolment counts a program transition waits for), the lower app declares a ``Hook`` and the higher
app registers a function on it in its ``AppConfig.ready()``. State changes that a higher app reacts
to travel as Django signals instead (see each app's ``signals.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Hook[F: Callable[..., Any]]:
    """A named list of functions, registered once each, called in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[F] = []

    def register(self, function: F) -> F:
        """Add ``function`` (usable as a decorator); registering it twice keeps one entry."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __iter__(self) -> Iterator[F]:
        return iter(tuple(self._functions))

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._functions)} function(s)>"


class ContextHook(Hook[Callable[..., dict[str, Any]]]):
    """Functions that each return template context for a page of a lower app."""

    def context(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for function in self:
            merged.update(function(*args, **kwargs))
        return merged
