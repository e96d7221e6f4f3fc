from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Touchpoint handlers register themselves on import (the worker must know every kind), and
        # Celery autodiscovers ``tasks.py`` only.
        from feedback import checkins, reactions, tasks_engagement  # noqa: F401
