from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Touchpoint handlers register themselves on import (the worker must know every kind), and
        # the receivers of lower apps' signals connect on import.
        from feedback import checkins, reactions  # noqa: F401
