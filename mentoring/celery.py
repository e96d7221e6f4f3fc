"""The Celery app. Configuration lives in settings (CELERY_*); beat's schedule is code-defined there."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

app = Celery("flipside")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["mentoring"])
# Feature folders keep their tasks beside their job rows (<app>/<feature>/jobs.py).
app.autodiscover_tasks(["participants.importing", "dashboards.exports"], related_name="jobs")
app.autodiscover_tasks(["participants.onboarding"], related_name="sending")


@worker_ready.connect
def _announce_worker(**kwargs: object) -> None:
    """Beat within seconds of start-up, so /readyz does not wait for the first minute tick."""
    from mentoring.tasks import heartbeat

    heartbeat()
