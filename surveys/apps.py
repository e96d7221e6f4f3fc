from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys and outcomes"

    def ready(self) -> None:
        from surveys.builder import program_hooks  # noqa: F401  (registers on programs' hooks)

        # Waves: touchpoint handlers register themselves on import (the worker must know every
        # kind); the re-planning receivers and tasks likewise.
        from surveys.waves import reactions, sending, tasks  # noqa: F401
