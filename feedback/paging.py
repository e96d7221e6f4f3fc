"""Pages of the pair page's lists without a COUNT query in the common case.

A pair's lists (sessions, notes, actions, stories) are short: their first page usually holds
every row. Reading one row more than a page tells whether there is a second page, so the count
query is only needed when there is one (and then the rows read already are the first page).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet

_FIRST = (None, "", "1")


def list_page[M: Model](
    queryset: QuerySet[M], per_page: int, number: str | None, *, count: int | None = None
) -> Page[M]:
    """``Paginator(queryset, per_page).get_page(number)``, in one query for a first page that
    holds every row (or when ``count`` is already known)."""
    paginator: Paginator[M] = Paginator(queryset, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # cached_property: the count is not queried again
    if number not in _FIRST:
        return paginator.get_page(number)
    rows = list(queryset[: per_page + 1])
    if count is None and len(rows) <= per_page:
        paginator.__dict__["count"] = len(rows)
    # Else Paginator counts them when asked (one query), as it always did.
    return Page(rows[:per_page], 1, paginator)
