"""PostgreSQL row-level security for tenant tables.

Each tenant table gets ``ENABLE`` + ``FORCE ROW LEVEL SECURITY`` (FORCE because the application role
owns its tables) and one policy: a row is visible and writable only when its ``organization_id``
equals the connection's ``flipside.organization_id`` setting, or when the named escape hatch
``dangerously_unscoped()`` has set ``flipside.rls_bypass``. Outside any scope both are empty, so raw
SQL sees no tenant rows at all.

Add ``EnableTenantRLS("ModelName")`` to the migration that creates a tenant model; the system check
``organizations.E001`` fails when a tenant table has no policy.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from organizations.scope import RLS_BYPASS_SETTING, RLS_ORGANIZATION_SETTING

POLICY_NAME = "flipside_tenant_isolation"

_CONDITION = (
    f"(current_setting('{RLS_BYPASS_SETTING}', true) = 'on' OR organization_id = "
    f"nullif(current_setting('{RLS_ORGANIZATION_SETTING}', true), '')::bigint)"
)


def enable_sql(table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    return [
        f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}",
        f"CREATE POLICY {POLICY_NAME} ON {quoted} USING {_CONDITION} WITH CHECK {_CONDITION}",
    ]


def disable_sql(table: str) -> list[str]:
    quoted = connection.ops.quote_name(table)
    return [
        f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}",
        f"ALTER TABLE {quoted} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {quoted} DISABLE ROW LEVEL SECURITY",
    ]


class EnableTenantRLS(Operation):
    """Migration operation: turn on the tenant isolation policy for one model's table."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.model_name], {})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def _table(self, app_label: str, state: ProjectState) -> str:
        model = state.apps.get_model(app_label, self.model_name)
        return str(model._meta.db_table)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        for statement in enable_sql(self._table(app_label, to_state)):
            schema_editor.execute(statement)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        for statement in disable_sql(self._table(app_label, from_state)):
            schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Enable tenant row-level security on {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"rls_{self.model_name.lower()}"


def tables_missing_policy() -> list[str]:
    """Existing tenant tables that lack FORCE'd row-level security or the isolation policy.

    Tables not created yet are skipped (``migrate`` runs this check before it creates them).
    """
    from organizations.tenancy import tenant_models

    tables = [model._meta.db_table for model in tenant_models()]
    if not tables:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE c.relname = ANY(%s) AND c.relkind = 'r'
              AND NOT (
                c.relrowsecurity AND c.relforcerowsecurity
                AND EXISTS (SELECT 1 FROM pg_policies p
                            WHERE p.schemaname = n.nspname AND p.tablename = c.relname
                              AND p.policyname = %s)
              )
            """,
            [tables, POLICY_NAME],
        )
        return sorted(row[0] for row in cursor.fetchall())
