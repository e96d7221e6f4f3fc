from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from organizations import checks  # noqa: F401  (registers system checks)
        from organizations.scope import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="flipside-rls-scope")
