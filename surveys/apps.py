from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys and outcomes"

    def ready(self) -> None:
        from feedback import hooks as feedback_hooks
        from surveys.builder import program_hooks  # noqa: F401  (registers on programs' hooks)
        from surveys.results.review import review_pair_surveys

        # Waves: touchpoint handlers register themselves on import (the worker must know every
        # kind); the re-planning receivers and tasks likewise.
        from surveys.waves import reactions, sending, tasks  # noqa: F401

        feedback_hooks.review_pair_surveys.register(review_pair_surveys)
