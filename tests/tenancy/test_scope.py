"""The scoped manager fails closed: outside a scope it raises, inside it sees one organisation."""

from __future__ import annotations

import pytest
from django.db import connection

from feedback.models import Touchpoint
from organizations.models import AuditEntry, Membership
from organizations.scope import ScopeError, dangerously_unscoped, tenant_scope
from organizations.tenancy import tenant_models
from tests.conftest import Tenant


def test_query_outside_scope_raises(tenants: tuple[Tenant, Tenant]) -> None:
    with pytest.raises(ScopeError):
        list(Membership.objects.all())
    with pytest.raises(ScopeError):
        Membership.objects.filter(role="admin").count()


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m._meta.label)
def test_every_tenant_model_raises_outside_scope(db: None, model: type) -> None:
    with pytest.raises(ScopeError):
        model.objects.exists()  # type: ignore[attr-defined]


def test_scope_a_never_returns_b_rows(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    with org_a.scope():
        emails = set(Membership.objects.values_list("user__email", flat=True))
    assert emails == {"admin@acme.test", "coordinator@acme.test", "member@acme.test"}
    with org_b.scope():
        assert not Membership.objects.filter(pk=org_a.admin.pk).exists()
        assert Membership.objects.count() == 3


def test_unscoped_manager_needs_the_escape_hatch(tenants: tuple[Tenant, Tenant]) -> None:
    with pytest.raises(ScopeError):
        Membership.dangerously_unscoped_objects.count()
    with dangerously_unscoped():
        assert Membership.dangerously_unscoped_objects.count() == 6


def test_saving_into_another_organisation_is_refused(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    with org_b.scope(), pytest.raises(ScopeError):
        AuditEntry.objects.create(organization=org_a.organization, action="sneaky")


def test_new_rows_take_the_scoped_organisation(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    with org_a.scope():
        entry = AuditEntry.objects.create(action="test.created")
    assert entry.organization_id == org_a.organization.pk


def test_saving_without_organisation_or_scope_is_refused(db: None) -> None:
    with pytest.raises(ScopeError):
        AuditEntry(action="orphan").save()


def test_scopes_nest_and_restore(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    with org_a.scope():
        with org_b.scope():
            assert Membership.objects.get(user=org_b.admin.user).pk == org_b.admin.pk
        assert Membership.objects.filter(user=org_b.admin.user).count() == 0
        assert Membership.objects.get(user=org_a.admin.user).pk == org_a.admin.pk


def test_scope_is_restored_after_an_exception(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    with pytest.raises(ValueError, match="boom"), org_a.scope():
        raise ValueError("boom")
    with pytest.raises(ScopeError):
        Membership.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM organizations_membership")
        assert cursor.fetchone() == (0,)


def test_related_access_uses_the_scoped_manager(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, _ = tenants
    with org_a.scope():
        touchpoint = Touchpoint.objects.create(
            kind="email", idempotency_key="k1", due_at="2026-01-01T00:00:00Z"
        )
    with pytest.raises(ScopeError):
        touchpoint.refresh_from_db()
    with tenant_scope(org_a.organization):
        touchpoint.refresh_from_db()
