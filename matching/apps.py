from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from matching import participant_hooks  # noqa: F401  (signal receivers and page hooks)
        from matching.rounds import whatif
        from organizations.changes import tenant_data_changed

        tenant_data_changed.connect(whatif.on_tenant_data_changed, dispatch_uid="matching_whatif")
