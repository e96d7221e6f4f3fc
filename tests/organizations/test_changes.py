"""Every write to a tenant model announces itself (``organizations.changes``): at once, and once
per model and organisation after the transaction commits; never after a rollback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from organizations.changes import tenant_data_changed
from organizations.scope import dangerously_unscoped
from programs.models import Program, ProgramStatus
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db(transaction=True)

Sent = list[tuple[str, int | None, bool]]


@pytest.fixture
def sent() -> Iterator[Sent]:
    seen: Sent = []

    def receive(
        sender: Any, *, model: Any, organization_id: Any, committed: bool, **_: Any
    ) -> None:
        seen.append((model.__name__, organization_id, committed))

    tenant_data_changed.connect(receive, dispatch_uid="test_changes")
    try:
        yield seen
    finally:
        tenant_data_changed.disconnect(dispatch_uid="test_changes")


def _program(tenant: Tenant, name: str = "Cohort") -> Program:
    with tenant.scope():
        return Program.objects.create(organization=tenant.organization, name=name)


def test_save_outside_a_transaction_is_announced_now_and_as_committed(
    org_a: Tenant, sent: Sent
) -> None:
    sent.clear()
    _program(org_a)
    org = org_a.organization.pk
    assert sent == [("Program", org, False), ("Program", org, True)]


def test_a_transaction_announces_each_write_now_and_each_model_once_after_commit(
    org_a: Tenant, sent: Sent
) -> None:
    org = org_a.organization.pk
    with org_a.scope():
        sent.clear()
        with transaction.atomic():
            program = Program.objects.create(organization=org_a.organization, name="One")
            program.name = "Two"
            program.save()
            Program.objects.filter(pk=program.pk).update(status=ProgramStatus.ACTIVE)
            assert sent == [("Program", org, False)] * 3  # nothing committed yet
        assert sent[3:] == [("Program", org, True)]


def test_bulk_writes_and_deletes_are_announced(org_a: Tenant, sent: Sent) -> None:
    org = org_a.organization.pk
    with org_a.scope():
        sent.clear()
        programs = Program.objects.bulk_create(
            [Program(organization=org_a.organization, name=f"P{i}") for i in range(3)]
        )
        for program in programs:
            program.name += "!"
        Program.objects.bulk_update(programs, ["name"])
        Program.objects.filter(pk=programs[0].pk).delete()
        programs[1].delete()
    assert sent == [("Program", org, False), ("Program", org, True)] * 4


def test_a_write_that_changes_nothing_is_not_announced(org_a: Tenant, sent: Sent) -> None:
    with org_a.scope():
        sent.clear()
        Program.objects.filter(name="nobody").update(name="still nobody")
        Program.objects.filter(name="nobody").delete()
    assert sent == []


def _create_then_fail(tenant: Tenant, name: str) -> None:
    with transaction.atomic():
        Program.objects.create(organization=tenant.organization, name=name)
        raise RuntimeError("roll back")


def test_a_rolled_back_transaction_is_never_announced_as_committed(
    org_a: Tenant, sent: Sent
) -> None:
    with org_a.scope():
        sent.clear()
        with pytest.raises(RuntimeError):
            _create_then_fail(org_a, "Gone")
        assert sent == [("Program", org_a.organization.pk, False)]
        # The next transaction announces its own commit (nothing left over from the rolled back one).
        sent.clear()
        with transaction.atomic():
            Program.objects.create(organization=org_a.organization, name="Kept")
        assert sent[-1] == ("Program", org_a.organization.pk, True)


def test_a_savepoint_rolled_back_does_not_swallow_the_commit_announcement(
    org_a: Tenant, sent: Sent
) -> None:
    org = org_a.organization.pk
    with org_a.scope():
        sent.clear()
        with transaction.atomic():
            with pytest.raises(RuntimeError):
                _create_then_fail(org_a, "Inner")  # a savepoint, rolled back
            # The callback queued inside the savepoint is gone; this write queues a new one.
            Program.objects.create(organization=org_a.organization, name="Outer")
        assert [entry for entry in sent if entry[2]] == [("Program", org, True)]


def test_each_organisation_is_announced_and_unscoped_writes_mean_any(
    tenants: tuple[Tenant, Tenant], sent: Sent
) -> None:
    org_a, org_b = tenants
    _program(org_a)
    _program(org_b)
    sent.clear()
    with dangerously_unscoped():
        assert Program.dangerously_unscoped_objects.update(description="Every program") == 2
    assert sent == [("Program", None, False), ("Program", None, True)]
    with dangerously_unscoped(), transaction.atomic():
        sent.clear()
        Program.dangerously_unscoped_objects.bulk_create(
            [
                Program(organization=org_a.organization, name="A2"),
                Program(organization=org_b.organization, name="B2"),
            ]
        )
    committed = sorted(entry[1] or 0 for entry in sent if entry[2])
    assert committed == sorted([org_a.organization.pk, org_b.organization.pk])


def test_the_written_rows_keys_are_announced_and_unknown_rows_are_none(org_a: Tenant) -> None:
    seen: list[tuple[bool, Any]] = []

    def receive(sender: Any, *, committed: bool, keys: Any = None, **_: Any) -> None:
        if sender is Program:
            seen.append((committed, keys))

    tenant_data_changed.connect(receive, dispatch_uid="test_changes_keys")
    try:
        org = org_a.organization.pk
        with org_a.scope():
            with transaction.atomic():
                one = Program.objects.create(organization=org_a.organization, name="One")
                two = Program.objects.create(organization=org_a.organization, name="Two")
            assert seen[0][0] is False
            assert {("id", one.pk), ("organization_id", org)} <= seen[0][1]
            assert seen[-1][0] is True
            assert {("id", one.pk), ("id", two.pk)} <= seen[-1][1]  # the transaction's union
            seen.clear()
            one_pk = one.pk
            with transaction.atomic():
                one.delete()  # the key is read before Django clears it
                Program.objects.filter(pk=two.pk).update(name="Renamed")
            deleted, updated, after_commit = seen
            assert deleted[0] is False
            assert {("id", one_pk), ("organization_id", org)} <= deleted[1]
            assert updated == (False, None)  # a filter's rows are not known
            assert after_commit == (True, None)
    finally:
        tenant_data_changed.disconnect(dispatch_uid="test_changes_keys")
