"""Which routes and methods the role matrix must cover, read from the URL resolver (no tests here).

API views: the methods DRF routes to the view (a viewset's ``actions`` map, an ``APIView``'s
handler methods). Pages: the methods of the view's ``require_http_methods`` decorator
(``require_GET`` / ``require_POST`` included); a page view without one answers every method, so the
matrix must cover at least GET and POST for it. OPTIONS (DRF's metadata) and HEAD (GET without a
body) are left out everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tests.tenancy.test_route_matrix import GLOBAL_PREFIXES, GLOBAL_ROUTES

# Methods an unrestricted page view answers that the matrix must cover.
UNRESTRICTED = ("GET", "POST")
_NOT_COVERED = {"OPTIONS", "HEAD"}


@dataclass(frozen=True)
class Found:
    name: str
    route: str
    methods: tuple[str, ...]
    # True for a page view with no method decorator (it answers every method).
    unrestricted: bool = False


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _page_methods(view: Callable[..., Any]) -> tuple[str, ...] | None:
    """The method list of the outermost ``require_http_methods`` in the decorator chain."""
    function: Any = view
    while function is not None:
        code = getattr(function, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = function.__closure__[code.co_freevars.index("request_method_list")]
            return tuple(method.upper() for method in cell.cell_contents)
        function = getattr(function, "__wrapped__", None)
    return None


def _api_methods(view: Any) -> tuple[str, ...]:
    actions = getattr(view, "actions", None)
    if actions:
        names = list(actions)
    else:
        cls = view.cls
        names = [name for name in cls.http_method_names if hasattr(cls, name)]
    return tuple(name.upper() for name in names if name.upper() not in _NOT_COVERED)


def is_global(route: str, name: str | None) -> bool:
    return route.lstrip("^").startswith(GLOBAL_PREFIXES) or name in GLOBAL_ROUTES


def organisation_routes() -> list[Found]:
    """Every named route that is not global (same exclusions as the cross-tenant matrix)."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if is_global(route, pattern.name):
            continue
        view = pattern.callback
        name = pattern.name or f"<unnamed {route}>"
        if getattr(view, "cls", None) is not None:
            found.append(Found(name, route, _api_methods(view)))
            continue
        methods = _page_methods(view)
        if methods is None:
            found.append(Found(name, route, UNRESTRICTED, unrestricted=True))
        else:
            found.append(Found(name, route, tuple(m for m in methods if m not in _NOT_COVERED)))
    return found
