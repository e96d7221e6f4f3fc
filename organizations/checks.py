"""System checks that keep tenancy honest (run by `manage.py check --database default` in CI)."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError, connection


@register(Tags.models)
def check_tenant_many_to_many_have_tenant_through(**kwargs: Any) -> list[CheckMessage]:
    """An auto-created M2M table has no organisation column, so RLS could not protect it."""
    from organizations.tenancy import tenant_models

    errors: list[CheckMessage] = []
    for model in tenant_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through is not None and through._meta.auto_created:
                errors.append(
                    Error(
                        f"{model._meta.label}.{field.name} uses an auto-created through table.",
                        hint="Give it a through=TenantModel subclass so its rows carry the organisation.",
                        id="organizations.E003",
                    )
                )
    return errors


@register(Tags.database)
def check_tenant_tables_have_rls(databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    from organizations.rls import tables_missing_policy

    try:
        missing = tables_missing_policy()
    except DatabaseError as exc:
        return [Error(f"Could not inspect row-level security: {exc}", id="organizations.E000")]
    return [
        Error(
            f"Tenant table {table} has no row-level security policy.",
            hint="Add organizations.rls.EnableTenantRLS('<Model>') to the migration creating it.",
            id="organizations.E001",
        )
        for table in missing
    ]


@register(Tags.database)
def check_database_role_cannot_bypass_rls(
    databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            row = cursor.fetchone()
    except DatabaseError as exc:
        return [Error(f"Could not inspect the database role: {exc}", id="organizations.E000")]
    if row and (row[0] or row[1]):
        return [
            Error(
                "The application connects to PostgreSQL as a superuser or a BYPASSRLS role, which "
                "ignores row-level security.",
                hint="Connect as a role with NOSUPERUSER NOBYPASSRLS (./flip db-role creates one).",
                id="organizations.E002",
            )
        ]
    return []


def server_side_cursor_errors(settings_dict: dict[str, Any]) -> list[CheckMessage]:
    """Row-level security settings ride in front of each transaction's first statement
    (``organizations/scope.py``). A server-side cursor would declare itself over that prefix
    instead of the query (``DECLARE … CURSOR FOR SELECT set_config(…); SELECT …``): its rows
    would be the settings, not the model's, and ``.iterator()`` would fail on every row."""
    if settings_dict.get("ENGINE", "").endswith("postgresql") and not settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    ):
        return [
            Error(
                "DATABASES['default'] allows server-side cursors, which row-level security per "
                "transaction cannot run through.",
                hint="Set DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'] = True (as "
                "mentoring/settings.py does) in every settings module that replaces DATABASES.",
                id="organizations.E004",
            )
        ]
    return []


@register(Tags.compatibility)
def check_server_side_cursors_disabled(**kwargs: Any) -> list[CheckMessage]:
    return server_side_cursor_errors(connection.settings_dict)
