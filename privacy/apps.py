from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "People's data rights"

    def ready(self) -> None:
        from privacy import hooks  # noqa: F401  (page hooks and rotation history for matching)
