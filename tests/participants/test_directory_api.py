"""People API: roles, field errors as {"detail","fields"}, cross-tenant ids, no demographics in any
response."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from participants.models import Person
from tests.conftest import Tenant, login
from tests.participants.test_directory_services import add_person


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
