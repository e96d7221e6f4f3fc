from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants"

    def ready(self) -> None:
        from participants import program_hooks  # noqa: F401  (registers on programs' hooks)
