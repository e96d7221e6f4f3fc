from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from mentoring.tasks import heartbeat


def test_healthz_answers_without_a_session(db: None) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_unavailable_until_a_worker_beats(db: None) -> None:
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "worker": "no heartbeat yet",
    }
    heartbeat()
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "worker": "ok"},
    }


def test_readyz_reports_a_stale_heartbeat(db: None) -> None:
    cache.set(
        settings.FLIPSIDE_HEARTBEAT_KEY, time.time() - settings.FLIPSIDE_HEARTBEAT_MAX_AGE - 5
    )
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("last heartbeat")
