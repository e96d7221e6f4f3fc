"""Defence in depth: PostgreSQL itself hides other organisations' rows from the application role."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from organizations.rls import POLICY_NAME, tables_missing_policy
from organizations.scope import dangerously_unscoped
from organizations.tenancy import tenant_models
from tests.conftest import Tenant

TENANT_TABLES = sorted(model._meta.db_table for model in tenant_models())


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        return int(cursor.fetchone()[0])


def test_database_role_is_neither_superuser_nor_bypassrls(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


@pytest.mark.parametrize("table", TENANT_TABLES)
def test_every_tenant_table_forces_rls_with_the_policy(db: None, table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c WHERE c.relname = %s",
            [table],
        )
        assert cursor.fetchone() == (True, True)
        cursor.execute(
            "SELECT count(*) FROM pg_policies WHERE tablename = %s AND policyname = %s",
            [table, POLICY_NAME],
        )
        assert cursor.fetchone() == (1,)


def test_check_finds_no_unprotected_table(db: None) -> None:
    assert tables_missing_policy() == []


def test_check_reports_a_table_without_policy(db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE organizations_auditentry NO FORCE ROW LEVEL SECURITY")
    assert tables_missing_policy() == ["organizations_auditentry"]


def test_raw_select_outside_scope_sees_no_rows(tenants: tuple[Tenant, Tenant]) -> None:
    assert _count("organizations_membership") == 0


def test_raw_select_inside_scope_sees_only_that_organisation(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, _ = tenants
    with org_a.scope(), connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT organization_id FROM organizations_membership")
        assert cursor.fetchall() == [(org_a.organization.pk,)]
    with dangerously_unscoped():
        assert _count("organizations_membership") == 6


def test_raw_insert_for_another_organisation_is_rejected(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    sql = (
        "INSERT INTO organizations_auditentry"
        " (organization_id, action, object_type, object_id, data, created_at)"
        " VALUES (%s, 'x', '', '', '{}', now())"
    )

    def insert_for_org_b() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [org_b.organization.pk])

    with org_a.scope(), pytest.raises(DatabaseError, match="row-level security"):
        insert_for_org_b()
