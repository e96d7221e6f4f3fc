"""Import use cases: one refusal, said the same way by the use case, the page and the API; ids
resolved inside the organisation; the use cases drive a whole import."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client

from core.access import Forbidden
from organizations.changes import Announcement
from organizations.models import Membership
from participants.importing import access, jobs, use_cases
from participants.importing.parsing import MAX_UPLOAD_BYTES
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import Tenant, login
from tests.participants.importing.test_import import GOOD_ROWS, csv_bytes, upload


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", csv_bytes(GOOD_ROWS))


# action → (use case call, page request, API request); each takes (actor, job id, client, slug).
Call = Callable[[Membership, int], Any]
Send = Callable[[Client, str, int], Any]
ACTIONS: dict[str, tuple[Call, Send, Send]] = {
    "view": (
        lambda actor, pk: use_cases.show_import(actor=actor, job_id=pk),
        lambda c, slug, pk: c.get(f"/o/{slug}/people/imports/{pk}/"),
        lambda c, slug, pk: c.get(f"/api/v1/o/{slug}/people/imports/{pk}/"),
    ),
    "list": (
        lambda actor, pk: use_cases.list_imports(actor=actor),
        lambda c, slug, pk: c.get(f"/o/{slug}/people/imports/"),
        lambda c, slug, pk: c.get(f"/api/v1/o/{slug}/people/imports/"),
    ),
    "upload": (
        lambda actor, pk: use_cases.upload_import(actor=actor, upload=_file()),
        lambda c, slug, pk: c.post(f"/o/{slug}/people/imports/", {"file": _file()}),
        lambda c, slug, pk: c.post(f"/api/v1/o/{slug}/people/imports/", {"file": _file()}),
    ),
    "map": (
        lambda actor, pk: use_cases.map_import_columns(actor=actor, job_id=pk, mapping={}),
        lambda c, slug, pk: c.post(f"/o/{slug}/people/imports/{pk}/check/", {"email": "2"}),
        lambda c, slug, pk: c.post(
            f"/api/v1/o/{slug}/people/imports/{pk}/mapping/",
            json.dumps({"mapping": {}}),
            content_type="application/json",
        ),
    ),
    "check": (
        lambda actor, pk: use_cases.start_dry_run(actor=actor, job_id=pk),
        lambda c, slug, pk: c.post(f"/o/{slug}/people/imports/{pk}/check/", {"email": "2"}),
        lambda c, slug, pk: c.post(f"/api/v1/o/{slug}/people/imports/{pk}/validate/"),
    ),
    "commit": (
        lambda actor, pk: use_cases.start_commit(actor=actor, job_id=pk),
        lambda c, slug, pk: c.post(f"/o/{slug}/people/imports/{pk}/commit/"),
        lambda c, slug, pk: c.post(f"/api/v1/o/{slug}/people/imports/{pk}/commit/"),
    ),
}


@pytest.mark.parametrize("role", ["coordinator", "member"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_a_refused_actor_hears_the_same_from_use_case_page_and_api(
    org_a: Tenant, role: str, action: str
) -> None:
    job = upload(org_a, csv_bytes(GOOD_ROWS))
    actor: Membership = getattr(org_a, role)
    call, page, api = ACTIONS[action]
    with org_a.scope(), pytest.raises(Forbidden) as refused:
        call(actor, job.pk)
    assert refused.value.message == access.REFUSAL

    client = login(Client(), actor.user)
    response = page(client, org_a.slug, job.pk)
    assert response.status_code == 403
    assert access.REFUSAL in response.content.decode()

    response = api(client, org_a.slug, job.pk)
    assert response.status_code == 403
    assert response.json() == {"detail": access.REFUSAL, "fields": {}}

    with org_a.scope():
        assert ImportJob.objects.get().status == ImportStatus.UPLOADED
        assert ImportJob.objects.count() == 1


@pytest.mark.parametrize("action", ["view", "map", "check", "commit"])
def test_another_organisations_job_is_unknown(tenants: tuple[Tenant, Tenant], action: str) -> None:
    org_a, org_b = tenants
    job = upload(org_a, csv_bytes(GOOD_ROWS))
    call, page, api = ACTIONS[action]
    with org_b.scope(), pytest.raises(Http404):
        call(org_b.admin, job.pk)
    client = login(Client(), org_b.admin.user)
    assert page(client, org_b.slug, job.pk).status_code == 404
    assert api(client, org_b.slug, job.pk).status_code == 404


def _tasks(callbacks: list[Any]) -> list[Any]:
    """The on-commit callbacks that enqueue work (not the tenant-data-changed announcement)."""
    return [c for c in callbacks if not isinstance(c, Announcement)]


def test_an_admin_imports_a_file_through_the_use_cases(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    admin = org_a.admin
    with org_a.scope():
        job = use_cases.upload_import(actor=admin, upload=_file())
        assert job.status == ImportStatus.UPLOADED
        with pytest.raises(ValidationError) as invalid:
            use_cases.map_import_columns(actor=admin, job_id=job.pk, mapping={"email": "Email"})
        assert "full_name" in invalid.value.message_dict
        with django_capture_on_commit_callbacks() as queued:
            job = use_cases.start_dry_run(actor=admin, job_id=job.pk)
        assert (job.status, len(_tasks(queued))) == (ImportStatus.VALIDATING, 1)
        jobs.run_validation(job_id=job.pk)
        with django_capture_on_commit_callbacks() as queued:
            job = use_cases.start_commit(actor=admin, job_id=job.pk)
        assert (job.status, len(_tasks(queued))) == (ImportStatus.COMMITTING, 1)
        assert jobs.run_commit(job_id=job.pk, actor_id=admin.user.pk) == "committed"
        assert use_cases.show_import(actor=admin, job_id=job.pk).status == ImportStatus.COMMITTED
        assert list(use_cases.list_imports(actor=admin)) == [job]
        assert Person.objects.count() == 3


def test_a_file_over_the_limit_is_refused_before_it_is_read(org_a: Tenant) -> None:
    class Huge(SimpleUploadedFile):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("a file over the limit must not be read")

    huge = Huge("people.csv", b"Email\n")
    huge.size = MAX_UPLOAD_BYTES + 1
    with org_a.scope(), pytest.raises(ValidationError) as refused:
        use_cases.upload_import(actor=org_a.admin, upload=huge)
    assert "larger than" in refused.value.message_dict["file"][0]
