"""Import pages: upload, mapping, dry run with problems, commit, progress partial (htmx and not)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from participants.importing import jobs
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import Tenant, login
from tests.participants.importing.test_import import GOOD_ROWS, csv_bytes


def _url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_slug": tenant.slug, **kwargs})


def _upload(client: Client, tenant: Tenant, content: bytes, name: str = "people.csv") -> Any:
    return client.post(_url("import_list", tenant), {"file": SimpleUploadedFile(name, content)})


def _job(tenant: Tenant) -> ImportJob:
    with tenant.scope():
        return ImportJob.objects.get()


def test_upload_map_check_and_commit_through_the_pages(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(Client(), org_a.admin.user)
    response = _upload(client, org_a, csv_bytes(GOOD_ROWS))
    job = _job(org_a)
    assert response.status_code == 302
    assert response["Location"] == _url("import_detail", org_a, pk=job.pk)
    page = client.get(response["Location"])
    assert page.context["form"].initial["email"] == "2"

    mapping = {key: str(index) for key, index in job.mapping.items()}
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url("import_validate", org_a, pk=job.pk), mapping)
    assert response.status_code == 302
    assert len(callbacks) == 1
    page = client.get(_url("import_detail", org_a, pk=job.pk)).content.decode()
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page
    assert '<meta http-equiv="refresh"' in page  # works without JavaScript too

    with org_a.scope():
        jobs.run_validation(job_id=job.pk)
    partial = client.get(_url("import_detail", org_a, pk=job.pk), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    assert "<html" not in partial.content.decode()
    assert "Dry run passed: 3 to add" in partial.content.decode()

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(_url("import_commit", org_a, pk=job.pk))
    assert len(callbacks) == 1
    with org_a.scope():
        jobs.run_commit(job_id=job.pk, actor_id=org_a.admin.user.pk)
        assert Person.objects.count() == 3
    page = client.get(_url("import_detail", org_a, pk=job.pk)).content.decode()
    assert "3 added" in page


def test_problems_are_listed_and_commit_is_not_offered(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    rows = [*GOOD_ROWS, ["E9", "Nobody", "bad-email", "", "", "ghost@acme.test", "", "", "", ""]]
    _upload(client, org_a, csv_bytes(rows))
    job = _job(org_a)
    with org_a.scope():
        jobs.import_request_validation(organization=org_a.organization, actor=None, job=job)
        jobs.run_validation(job_id=job.pk)
    html = client.get(_url("import_detail", org_a, pk=job.pk)).content.decode()
    assert "2 problems in 1 row" in html
    assert "ghost@acme.test" in html
    assert _url("import_commit", org_a, pk=job.pk) not in html
    response = client.post(_url("import_commit", org_a, pk=job.pk), follow=True)
    assert "The file has problems" in response.content.decode()
    assert _job(org_a).status == ImportStatus.VALIDATED


def test_upload_errors_are_field_errors(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = _upload(client, org_a, b"Email,Name\nx@acme.test,\x81\x8d\n")
    assert response.status_code == 400
    assert "Windows-1252" in response.context["form"].errors["file"][0]
    with org_a.scope():
        assert not ImportJob.objects.exists()


def test_mapping_errors_are_shown_on_the_form(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    _upload(client, org_a, csv_bytes(GOOD_ROWS))
    job = _job(org_a)
    response = client.post(_url("import_validate", org_a, pk=job.pk), {"email": "2"})
    assert response.status_code == 400
    assert "full_name" in response.context["form"].errors
    assert _job(org_a).status == ImportStatus.UPLOADED


def test_coordinator_and_member_cannot_import(org_a: Tenant) -> None:
    for membership in (org_a.coordinator, org_a.member):
        client = login(Client(), membership.user)
        assert _upload(client, org_a, csv_bytes(GOOD_ROWS)).status_code == 403
    with org_a.scope():
        assert not ImportJob.objects.exists()
