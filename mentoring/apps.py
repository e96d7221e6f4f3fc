from django.apps import AppConfig


class MentoringConfig(AppConfig):
    """The project package, as an app for its management commands (seed_demo) and the API's
    process-wide rules."""

    name = "mentoring"
    verbose_name = "Flipside"

    def ready(self) -> None:
        from core.api.text_fields import refuse_numbers_as_text

        refuse_numbers_as_text()
