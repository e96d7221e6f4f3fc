from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys and outcomes"

    def ready(self) -> None:
        from feedback import hooks as feedback_hooks
        from surveys.results.review import review_pair_surveys

        feedback_hooks.review_pair_surveys.register(review_pair_surveys)
