from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from dashboards import freshness
        from organizations.changes import tenant_data_changed

        # Cached figures go out of date with any write to the organisation's data.
        tenant_data_changed.connect(freshness.on_tenant_data_changed, dispatch_uid="dashboards")
