from django.apps import AppConfig


class MentoringConfig(AppConfig):
    """The project package, as an app for its management commands (seed_demo)."""

    name = "mentoring"
    verbose_name = "Flipside"
