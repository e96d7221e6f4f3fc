from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from accounts.models import User
        from organizations import checks  # noqa: F401  (registers system checks)
        from organizations.api import token_memory
        from organizations.changes import tenant_data_changed
        from organizations.models import Organization
        from organizations.scope import on_connection_created
        from organizations.selectors import forget_organizations

        connection_created.connect(on_connection_created, dispatch_uid="flipside-rls-scope")
        # The tenancy middleware's remembered organisations (selectors.organization_for_request).
        for signal in (post_save, post_delete):
            signal.connect(
                forget_organizations, sender=Organization, dispatch_uid="flipside-forget-orgs"
            )
        # The API token memory's generations (organizations/api/token_memory.py).
        tenant_data_changed.connect(
            token_memory.on_tenant_data_changed, dispatch_uid="flipside-token-memory-writes"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                token_memory.on_organization_changed,
                sender=Organization,
                dispatch_uid="flipside-token-memory-organization",
            )
            signal.connect(
                token_memory.on_user_changed,
                sender=User,
                dispatch_uid="flipside-token-memory-user",
            )
