"""People and imports API: roles, field errors as {"detail","fields"}, cross-tenant ids, no
demographics in any response."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from participants import importing
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import Tenant, login
from tests.participants.test_directory_services import add_person
from tests.participants.test_import import GOOD_ROWS, csv_bytes


def _api(tenant: Tenant, role: str = "admin") -> Client:
    return login(Client(), getattr(tenant, role).user)


def _post(client: Client, url: str, data: Any, method: str = "post") -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_people_list_search_and_no_demographics(org_a: Tenant) -> None:
    org_a.organization.level_labels = ["Junior", "Senior", "Exec"]
    org_a.organization.save()
    boss = add_person(org_a, "boss@acme.test", full_name="Bea Boss", level=3)
    add_person(org_a, "dev@acme.test", full_name="Dev Person", manager=boss, department="Eng")
    with org_a.scope():
        Person.objects.update(demographics={"generation": "Gen Z"})
    client = _api(org_a, "coordinator")
    body = client.get(f"/api/v1/o/{org_a.slug}/people/").json()
    assert [row["full_name"] for row in body["results"]] == ["Bea Boss", "Dev Person"]
    assert "demographics" not in json.dumps(body)
    assert body["results"][0]["level_label"] == "Exec"
    assert body["results"][1]["manager_email"] == "boss@acme.test"
    body = client.get(f"/api/v1/o/{org_a.slug}/people/", {"search": "eng"}).json()
    assert [row["email"] for row in body["results"]] == ["dev@acme.test"]


def test_member_gets_403(org_a: Tenant) -> None:
    client = _api(org_a, "member")
    assert client.get(f"/api/v1/o/{org_a.slug}/people/").status_code == 403
    assert client.get(f"/api/v1/o/{org_a.slug}/people/imports/").status_code == 403


def test_create_update_with_field_messages(org_a: Tenant) -> None:
    client = _api(org_a)
    url = f"/api/v1/o/{org_a.slug}/people/"
    response = _post(
        client, url, {"email": "bad", "full_name": "X", "level": "99", "manager": 123456}
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"manager"}
    response = _post(client, url, {"email": "bad", "full_name": "X", "level": "99"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"email", "level"}
    boss = _post(client, url, {"email": "boss@acme.test", "full_name": "Boss"}).json()
    response = _post(
        client,
        url,
        {
            "email": "dev@acme.test",
            "full_name": "Dev",
            "manager": "boss@acme.test",
            "languages": ["en"],
        },
    )
    assert response.status_code == 201
    dev = response.json()
    assert dev["manager"] == boss["id"]
    # The boss cannot report to their own report.
    response = _post(client, f"{url}{boss['id']}/", {"manager": dev["id"]}, "patch")
    assert response.status_code == 400
    assert "cycle" in response.json()["fields"]["manager"][0]
    response = _post(client, f"{url}{dev['id']}/", {"job_title": "Lead"}, "patch")
    assert response.status_code == 200
    assert response.json()["job_title"] == "Lead"
    chain = client.get(f"{url}{dev['id']}/reporting-chain/").json()
    assert [row["id"] for row in chain] == [boss["id"]]
    response = client.post(f"{url}{dev['id']}/deactivate/")
    assert response.json()["is_active"] is False


def test_cross_tenant_manager_and_person_ids(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    foreign = add_person(org_b, "boss@bolt.test", employee_id="B1")
    client = _api(org_a)
    url = f"/api/v1/o/{org_a.slug}/people/"
    for reference in (foreign.pk, "boss@bolt.test", "B1"):
        response = _post(
            client, url, {"email": "x@acme.test", "full_name": "X", "manager": reference}
        )
        assert response.status_code == 400, reference
        assert "manager" in response.json()["fields"]
    assert client.get(f"{url}{foreign.pk}/").status_code == 404
    assert _post(client, f"{url}{foreign.pk}/", {"job_title": "x"}, "patch").status_code == 404
    with org_b.scope():
        assert Person.objects.get(pk=foreign.pk).job_title == ""


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
        importing.run_validation(job_id=job["id"])
    body = client.get(f"{url}{job['id']}/").json()
    assert (body["status"], body["problems"], body["summary"]["created"]) == ("validated", [], 3)
    with django_capture_on_commit_callbacks():
        assert _post(client, f"{url}{job['id']}/commit/", {}).status_code == 202
    with org_a.scope():
        importing.run_commit(job_id=job["id"], actor_id=None)
        assert Person.objects.count() == 3
    assert client.get(url).json()["results"][0]["status"] == "committed"


def test_import_problems_in_the_api(org_a: Tenant) -> None:
    client = _api(org_a)
    url = f"/api/v1/o/{org_a.slug}/people/imports/"
    rows = [*GOOD_ROWS, ["E4", "Lost", "lost@acme.test", "", "", "ghost", "", "", "", ""]]
    job = client.post(url, {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))}).json()
    _post(client, f"{url}{job['id']}/validate/", {})
    with org_a.scope():
        importing.run_validation(job_id=job["id"])
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
