"""``?ordering=`` on every list operation (issue #14): documented with its values as an enum,
an unknown value a 400 naming the parameter, a total order (ties by id) that cursor pages keep."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import Tenant, login
from tests.participants.test_enrollment_builders import make_person, make_program

# Lists that return a short, fixed answer in an order that is the answer itself (not paged).
UNSORTED: dict[str, str] = {
    "v1_o_people_reporting_chain_list": "A chain: its order (manager, their manager…) is the "
    "answer.",
    "v1_o_programs_training_completion_list": "One row of figures per training resource, in the "
    "program's order.",
    "v1_o_me_enrollments_training_list": "The program's training resources, in the program's "
    "order, with the person's completion.",
    "v1_o_registration_questions_list": "A program's registration questions in the order it asks "
    "them (position; moved with registration_questions_move).",
}


@cache
def _schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _list_operations() -> dict[str, dict[str, Any]]:
    """Every GET that answers a list: an array, a page of results, or a ``_list`` id."""
    found = {}
    for operations in _schema()["paths"].values():
        operation = operations.get("get")
        if operation is None:
            continue
        body = operation["responses"].get("200", {}).get("content", {})
        schema = body.get("application/json", {}).get("schema", {})
        names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        if (
            schema.get("type") == "array"
            or "cursor" in names
            or operation["operationId"].endswith("_list")
        ):
            found[operation["operationId"]] = operation
    return found


def test_every_list_operation_documents_ordering() -> None:
    operations = _list_operations()
    assert set(UNSORTED) <= set(operations), "UNSORTED names lists the schema no longer has"
    missing, only_id = [], []
    for operation_id, operation in operations.items():
        if operation_id in UNSORTED:
            continue
        ordering = next(
            (p for p in operation.get("parameters", []) if p["name"] == "ordering"), None
        )
        if ordering is None:
            missing.append(operation_id)
            continue
        values = set(ordering["schema"]["enum"])
        assert {"id", "-id"} <= values
        if not values - {"id", "-id"}:
            only_id.append(operation_id)
    assert not missing, (
        f"Lists without ?ordering= (page them with core.api.pagination, or say why in UNSORTED): "
        f"{sorted(missing)}"
    )
    assert not only_id, f"Declare ordering_fields on these lists' views: {sorted(only_id)}"


def _names(client: Client, url: str) -> list[str]:
    names: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        names += [row["full_name"] for row in response.json()["results"]]
        url = response.json()["next"]
    return names


@pytest.mark.django_db
def test_people_sort_by_name_both_ways_across_cursor_pages(org_a: Tenant) -> None:
    for name in ("Carla", "Anna", "Bert", "Dora", "Emil"):
        make_person(org_a, full_name=name)
    client = login(Client(), org_a.admin.user)
    api = f"/api/v1/o/{org_a.slug}/people/?page_size=2&ordering="
    ascending = _names(client, api + "name")
    assert ascending == sorted(ascending)
    assert {"Anna", "Bert", "Carla", "Dora", "Emil"} <= set(ascending)
    descending = _names(client, api + "-name")
    assert descending == list(reversed(ascending))


@pytest.mark.django_db
def test_equal_values_keep_the_order_of_their_ids_on_every_page(org_a: Tenant) -> None:
    people = [make_person(org_a, full_name=f"P{i}", department="Same") for i in range(5)]
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/people/?page_size=2&search=P&ordering=-department"
    ids: list[int] = []
    while url:
        body = client.get(url).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    ours = [pk for pk in ids if pk in {p.pk for p in people}]
    assert ours == sorted(ours, reverse=True)
    assert len(ids) == len(set(ids))


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["colour", "name,id", "--name", " name"])
def test_an_unknown_ordering_is_a_400_naming_the_parameter(org_a: Tenant, value: str) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/people/", {"ordering": value})
    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]
    assert "-name" in response.json()["fields"]["ordering"][0]


@pytest.mark.django_db
def test_ordering_given_twice_is_refused(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/topics/?ordering=name&ordering=-name")
    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]


@pytest.mark.django_db
def test_programs_and_topics_sort_by_their_documented_fields(org_a: Tenant) -> None:
    for name in ("Beta", "Alpha", "Gamma"):
        make_program(org_a, name=name)
    client = login(Client(), org_a.admin.user)
    api = f"/api/v1/o/{org_a.slug}"
    by_name = [p["name"] for p in client.get(f"{api}/programs/?ordering=-name").json()["results"]]
    assert by_name == sorted(by_name, reverse=True)
    newest = client.get(f"{api}/programs/?ordering=-created").json()["results"]
    created = [p["created_at"] for p in newest]
    assert created == sorted(created, reverse=True)
    topics = client.get(f"{api}/topics/?ordering=-name").json()["results"]
    assert [t["name"] for t in topics] == sorted((t["name"] for t in topics), reverse=True)
    assert client.get(f"{api}/audit-log/?ordering=-action").status_code == 200
    assert client.get(f"{api}/members/?ordering=role&page_size=1").status_code == 200
