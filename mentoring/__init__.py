from core import converters  # noqa: F401  (registers the <id:…> URL converter)
from mentoring.celery import app as celery_app

__all__ = ("celery_app",)
