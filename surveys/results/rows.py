"""Plain rows for the results computation.

``values_list`` runs every row through Django's per-column converters; for tens of thousands of
anchor answers that costs more than the query. ``plain_rows`` runs the queryset's own SQL (the
tenant filter included; row-level security applies as always) and returns the driver's tuples.
Only for columns the driver already returns as the Python value (text, integers, floats): never
for JSON, UUIDs or decimals, which need Django's converters.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet


def plain_rows(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
