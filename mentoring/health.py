"""Liveness and readiness. Neither touches tenant data nor needs a session."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready", reported, never a 500
        return f"database unavailable: {exc.__class__.__name__}"
    return None


def _check_redis() -> tuple[str | None, float | None]:
    try:
        beat = cache.get(settings.FLIPSIDE_HEARTBEAT_KEY)
    except Exception as exc:
        return f"redis unavailable: {exc.__class__.__name__}", None
    return None, beat


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Database and Redis answer, and a Celery worker has beaten recently."""
    checks: dict[str, str] = {}
    database_error = _check_database()
    checks["database"] = database_error or "ok"
    redis_error, last_beat = _check_redis()
    checks["redis"] = redis_error or "ok"
    if redis_error:
        checks["worker"] = "unknown (redis unavailable)"
    elif last_beat is None:
        checks["worker"] = "no heartbeat yet"
    else:
        age = time.time() - float(last_beat)
        max_age = settings.FLIPSIDE_HEARTBEAT_MAX_AGE
        checks["worker"] = (
            "ok" if age <= max_age else f"last heartbeat {age:.0f}s ago (> {max_age}s)"
        )
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
