"""Imports API: upload, mapping, dry run and commit, problems, field errors as {"detail","fields"},
another organisation's imports."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from participants.importing import jobs
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import Tenant, login
from tests.participants.importing.test_import import GOOD_ROWS, csv_bytes


def _api(tenant: Tenant, role: str = "admin") -> Client:
    return login(Client(), getattr(tenant, role).user)


def _post(client: Client, url: str, data: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_import_through_the_api(org_a: Tenant, django_capture_on_commit_callbacks: Any) -> None:
    client = _api(org_a)
    url = f"/api/v1/o/{org_a.slug}/people/imports/"
    response = client.post(url, {"file": SimpleUploadedFile("people.csv", csv_bytes(GOOD_ROWS))})
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "uploaded"
    assert job["mapping"]["email"] == 2
    assert {"key": "manager", "label": "Manager"} in job["targets"]
    response = _post(client, f"{url}{job['id']}/mapping/", {"mapping": {"email": "Email"}})
    assert response.status_code == 400
    assert "full_name" in response.json()["fields"]
    with django_capture_on_commit_callbacks():
        response = _post(client, f"{url}{job['id']}/validate/", {})
    assert response.status_code == 202
    assert response.json()["status"] == "validating"
    with org_a.scope():
        jobs.run_validation(job_id=job["id"])
    body = client.get(f"{url}{job['id']}/").json()
    assert (body["status"], body["problems"], body["summary"]["created"]) == ("validated", [], 3)
    with django_capture_on_commit_callbacks():
        assert _post(client, f"{url}{job['id']}/commit/", {}).status_code == 202
    with org_a.scope():
        jobs.run_commit(job_id=job["id"], actor_id=None)
        assert Person.objects.count() == 3
    assert client.get(url).json()["results"][0]["status"] == "committed"


def test_import_problems_in_the_api(org_a: Tenant) -> None:
    client = _api(org_a)
    url = f"/api/v1/o/{org_a.slug}/people/imports/"
    rows = [*GOOD_ROWS, ["E4", "Lost", "lost@acme.test", "", "", "ghost", "", "", "", ""]]
    job = client.post(url, {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))}).json()
    _post(client, f"{url}{job['id']}/validate/", {})
    with org_a.scope():
        jobs.run_validation(job_id=job["id"])
    body = client.get(f"{url}{job['id']}/").json()
    assert [(p["row"], p["field"], p["column"]) for p in body["problems"]] == [
        (5, "manager", "Manager")
    ]
    response = _post(client, f"{url}{job['id']}/commit/", {})
    assert response.status_code == 400
    with org_a.scope():
        assert ImportJob.objects.get().status == ImportStatus.VALIDATED
        assert not Person.objects.exists()


def test_bad_upload_is_a_400_on_the_file_field(org_a: Tenant) -> None:
    client = _api(org_a)
    url = f"/api/v1/o/{org_a.slug}/people/imports/"
    response = client.post(url, {"file": SimpleUploadedFile("p.csv", b"")})
    assert response.status_code == 400
    assert "file" in response.json()["fields"]
    response = client.post(url, {"file": SimpleUploadedFile("p.csv", b"Email\n\xff\x81\x8d\n")})
    assert response.status_code == 400
    assert "Windows-1252" in response.json()["fields"]["file"][0]


def test_imports_are_invisible_to_another_organisation(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    job = (
        _api(org_a)
        .post(
            f"/api/v1/o/{org_a.slug}/people/imports/",
            {"file": SimpleUploadedFile("p.csv", csv_bytes(GOOD_ROWS))},
        )
        .json()
    )
    client = _api(org_b)
    url = f"/api/v1/o/{org_b.slug}/people/imports/{job['id']}/"
    assert client.get(url).status_code == 404
    assert _post(client, f"{url}validate/", {}).status_code == 404
    assert client.get(f"/api/v1/o/{org_b.slug}/people/imports/").json()["results"] == []
