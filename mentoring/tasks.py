from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import cache


@shared_task(name="mentoring.heartbeat", ignore_result=True)
def heartbeat() -> float:
    """Beat runs this every minute; /readyz reads the timestamp to know a worker is consuming."""
    now = time.time()
    cache.set(settings.FLIPSIDE_HEARTBEAT_KEY, now, timeout=settings.FLIPSIDE_HEARTBEAT_MAX_AGE * 2)
    return now
