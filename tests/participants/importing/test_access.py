"""The import job policy, role by role, as the table in ``participants.importing.access`` says;
and the services and the commit task asking it themselves."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core.access import Forbidden
from organizations.models import AuditEntry, Membership, Role
from participants.importing import access, jobs
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import Tenant
from tests.participants.importing.test_import import GOOD_ROWS, csv_bytes, dry_run, upload

# permission → the roles it is granted to (the module docstring's table, as data).
TABLE: dict[str, set[str]] = {
    access.VIEW: {Role.ADMIN},
    access.UPLOAD: {Role.ADMIN},
    access.MAP: {Role.ADMIN},
    access.CHECK: {Role.ADMIN},
    access.COMMIT: {Role.ADMIN},
}
ROLES = (Role.ADMIN, Role.COORDINATOR, Role.MEMBER)


def _membership(tenant: Tenant, role: str) -> Membership:
    return {Role.ADMIN: tenant.admin, Role.COORDINATOR: tenant.coordinator}.get(role, tenant.member)


def test_the_table_names_every_permission() -> None:
    assert set(TABLE) == set(access.PERMISSIONS)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission", access.PERMISSIONS)
def test_import_policy_per_role(org_a: Tenant, role: str, permission: str) -> None:
    answer = access.import_access(_membership(org_a, role))
    if role in TABLE[permission]:
        assert answer.allows(permission)
        answer.require(permission)
    else:
        assert not answer.allows(permission)
        with pytest.raises(Forbidden, match=access.REFUSAL):
            answer.require(permission)


def test_no_membership_may_do_nothing() -> None:
    answer = access.import_access(None)
    assert not any(answer.allows(permission) for permission in access.PERMISSIONS)


def test_services_refuse_a_coordinator_themselves(org_a: Tenant) -> None:
    job = upload(org_a, csv_bytes(GOOD_ROWS))
    coordinator = org_a.coordinator.user
    with org_a.scope():
        with pytest.raises(Forbidden, match=access.REFUSAL):
            jobs.import_upload(
                organization=org_a.organization,
                actor=coordinator,
                file_name="people.csv",
                content=csv_bytes(GOOD_ROWS),
            )
        with pytest.raises(Forbidden):
            jobs.import_set_mapping(
                organization=org_a.organization, actor=coordinator, job=job, mapping={}
            )
        with pytest.raises(Forbidden):
            jobs.import_request_validation(
                organization=org_a.organization, actor=coordinator, job=job
            )
        with pytest.raises(Forbidden):
            jobs.import_request_commit(organization=org_a.organization, actor=coordinator, job=job)
        assert ImportJob.objects.get().status == ImportStatus.UPLOADED


def test_the_commit_task_asks_again_for_whoever_queued_it(org_a: Tenant) -> None:
    job = dry_run(org_a, upload(org_a, csv_bytes(GOOD_ROWS)))
    with org_a.scope():
        jobs.import_request_commit(organization=org_a.organization, actor=org_a.admin.user, job=job)
        # Demoted between the click and the run: the task refuses and writes nothing.
        Membership.objects.filter(pk=org_a.admin.pk).update(role=Role.MEMBER)
        assert jobs.run_commit(job_id=job.pk, actor_id=org_a.admin.user.pk) == "refused"
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED
        assert job.problems[0]["message"].startswith(access.REFUSAL)
        assert not Person.objects.exists()
        assert not AuditEntry.objects.filter(action="import.committed").exists()


def test_task_names_stay_what_queued_messages_carry() -> None:
    """A fresh worker process registers the tasks of the feature folder under their old names."""
    program = (
        "import django; django.setup(); from mentoring.celery import app; "
        "app.loader.import_default_modules(); print(' '.join(sorted(app.tasks)))"
    )
    found = subprocess.run(  # noqa: S603 (a constant program run by this interpreter)
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=os.environ
    ).stdout.split()
    assert {"participants.validate_import", "participants.commit_import"} <= set(found)
    assert jobs.validate_import.name == "participants.validate_import"
    assert jobs.commit_import.name == "participants.commit_import"
