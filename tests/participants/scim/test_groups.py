"""SCIM Groups: create, read, filter, replace, PATCH in Okta's and Entra ID's dialects, delete;
tenancy, the error format, audit, and the directory's group filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from organizations.models import AuditEntry
from participants import groups
from participants.models import DirectoryGroup, Person
from participants.scim.groups import GROUP
from participants.scim.resources import ERROR, PATCH_OP
from tests.conftest import Tenant, login
from tests.participants.scim.test_scim import _call, _key, _new_user

pytestmark = pytest.mark.django_db


def _user(tenant: Tenant, key: str, email: str) -> str:
    response = _call("POST", tenant, "Users", key, _new_user(email))
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def _group(name: str, *member_ids: str, **extra: Any) -> dict[str, Any]:
    return {
        "schemas": [GROUP],
        "displayName": name,
        "members": [{"value": pk} for pk in member_ids],
        **extra,
    }


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def _members(tenant: Tenant, key: str, group_id: str) -> set[str]:
    response = _call("GET", tenant, f"Groups/{group_id}", key)
    assert response.status_code == 200, response.content
    return {member["value"] for member in response.json().get("members", [])}


def test_create_read_filter_and_delete_a_group(org_a: Tenant) -> None:
    key = _key(org_a)
    ann, bo = _user(org_a, key, "ann@acme.test"), _user(org_a, key, "bo@acme.test")
    created = _call("POST", org_a, "Groups", key, _group("Executives 2027", ann, externalId="g-1"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["schemas"] == [GROUP]
    assert body["displayName"] == "Executives 2027"
    assert body["externalId"] == "g-1"
    assert [member["value"] for member in body["members"]] == [ann]
    assert body["members"][0]["$ref"].endswith(f"/scim/v2/Users/{ann}")
    assert created["Location"] == body["meta"]["location"]
    group_id = body["id"]

    found = _call("GET", org_a, 'Groups?filter=displayName eq "executives 2027"', key).json()
    assert [group["id"] for group in found["Resources"]] == [group_id]
    assert found["totalResults"] == 1
    lean = _call("GET", org_a, "Groups?excludedAttributes=members", key).json()
    assert "members" not in lean["Resources"][0]
    assert (
        _call("GET", org_a, 'Groups?filter=externalId eq "nope"', key).json()["totalResults"] == 0
    )
    bad = _call("GET", org_a, 'Groups?filter=members co "1"', key)
    assert bad.status_code == 400
    assert bad.json()["scimType"] == "invalidFilter"

    replaced = _call("PUT", org_a, f"Groups/{group_id}", key, _group("Executives", bo))
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["displayName"] == "Executives"
    assert _members(org_a, key, group_id) == {bo}

    assert _call("DELETE", org_a, f"Groups/{group_id}", key).status_code == 204
    assert _call("GET", org_a, f"Groups/{group_id}", key).status_code == 404
    with org_a.scope():
        assert not DirectoryGroup.objects.exists()
        assert Person.objects.count() == 2  # the people stay
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "directory_group.created",
        "directory_group.changed",
        "directory_group.members_changed",
        "directory_group.deleted",
    } <= actions


def test_patch_in_oktas_dialect(org_a: Tenant) -> None:
    key = _key(org_a)
    ann, bo, cy = (_user(org_a, key, f"{n}@acme.test") for n in ("ann", "bo", "cy"))
    group_id = _call("POST", org_a, "Groups", key, _group("Mentors", ann)).json()["id"]
    added = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch({"op": "add", "path": "members", "value": [{"value": bo}, {"value": cy}]}),
    )
    assert added.status_code == 204, added.content
    assert _members(org_a, key, group_id) == {ann, bo, cy}
    removed = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch({"op": "remove", "path": f'members[value eq "{ann}"]'}),
    )
    assert removed.status_code == 204
    assert _members(org_a, key, group_id) == {bo, cy}
    renamed = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch({"op": "replace", "value": {"id": group_id, "displayName": "Junior mentors"}}),
    )
    assert renamed.status_code == 204
    assert _call("GET", org_a, f"Groups/{group_id}", key).json()["displayName"] == "Junior mentors"
    everyone = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch({"op": "replace", "path": "members", "value": [{"value": ann}]}),
    )
    assert everyone.status_code == 204
    assert _members(org_a, key, group_id) == {ann}


def test_patch_in_entra_ids_dialect(org_a: Tenant) -> None:
    key = _key(org_a)
    ann, bo = _user(org_a, key, "ann@acme.test"), _user(org_a, key, "bo@acme.test")
    group_id = _call("POST", org_a, "Groups", key, _group("Execs", ann)).json()["id"]
    response = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch(
            {"op": "Add", "path": "members", "value": [{"value": bo}]},
            {"op": "Remove", "path": "members", "value": [{"value": ann}]},
            {"op": "Replace", "path": "displayName", "value": "Executives"},
            {"op": "Replace", "path": "externalId", "value": "entra-77"},
        ),
    )
    assert response.status_code == 204, response.content
    body = _call("GET", org_a, f"Groups/{group_id}", key).json()
    assert body["displayName"] == "Executives"
    assert body["externalId"] == "entra-77"
    assert {member["value"] for member in body["members"]} == {bo}
    # Adding a member twice or removing a non-member changes nothing (clients retry).
    again = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch(
            {"op": "Add", "path": "members", "value": [{"value": bo}]},
            {"op": "Remove", "path": "members", "value": [{"value": ann}]},
        ),
    )
    assert again.status_code == 204
    assert _members(org_a, key, group_id) == {bo}
    cleared = _call(
        "PATCH", org_a, f"Groups/{group_id}", key, _patch({"op": "remove", "path": "members"})
    )
    assert cleared.status_code == 204
    assert _members(org_a, key, group_id) == set()


def test_refusals_are_scim_errors_and_change_nothing(org_a: Tenant) -> None:
    key = _key(org_a)
    ann = _user(org_a, key, "ann@acme.test")
    group_id = _call("POST", org_a, "Groups", key, _group("Execs", ann)).json()["id"]
    _call("POST", org_a, "Groups", key, _group("Mentors"))
    cases = [
        ("POST", "Groups", _group("EXECS"), 409, "uniqueness"),
        ("POST", "Groups", _group("New", "999999"), 400, "invalidValue"),
        ("POST", "Groups", {"schemas": [GROUP]}, 400, "invalidValue"),
        ("POST", "Groups", {"displayName": "x"}, 400, "invalidSyntax"),
        ("POST", "Groups", _group("New", "not-an-id"), 400, "invalidValue"),
        (
            "PATCH",
            f"Groups/{group_id}",
            _patch({"op": "replace", "path": "displayName", "value": "Mentors"}),
            409,
            "uniqueness",
        ),
        (
            "PATCH",
            f"Groups/{group_id}",
            _patch(
                {"op": "add", "path": "members", "value": [{"value": "999999"}]},
            ),
            400,
            "invalidValue",
        ),
        (
            "PATCH",
            f"Groups/{group_id}",
            _patch({"op": "remove", "path": "displayName"}),
            400,
            "mutability",
        ),
        (
            "PATCH",
            f"Groups/{group_id}",
            _patch({"op": "add", "path": "owner", "value": "x"}),
            400,
            "invalidPath",
        ),
        (
            "PATCH",
            f"Groups/{group_id}",
            _patch({"op": "move", "path": "members"}),
            400,
            "invalidSyntax",
        ),
        ("PATCH", f"Groups/{group_id}", {"Operations": []}, 400, "invalidSyntax"),
    ]
    for method, path, body, status, scim_type in cases:
        response = _call(method, org_a, path, key, body)
        assert response.status_code == status, (method, body, response.content)
        assert response.json()["schemas"] == [ERROR]
        assert response.json()["scimType"] == scim_type, (body, response.json())
    # A PATCH whose second operation is refused keeps the first one's change out too.
    partial = _call(
        "PATCH",
        org_a,
        f"Groups/{group_id}",
        key,
        _patch(
            {"op": "replace", "path": "displayName", "value": "Renamed"},
            {"op": "add", "path": "members", "value": [{"value": "999999"}]},
        ),
    )
    assert partial.status_code == 400
    body = _call("GET", org_a, f"Groups/{group_id}", key).json()
    assert body["displayName"] == "Execs"
    assert {member["value"] for member in body["members"]} == {ann}


def test_groups_stay_in_their_organisation(org_a: Tenant, org_b: Tenant) -> None:
    key_a, key_b = _key(org_a), _key(org_b)
    ann = _user(org_a, key_a, "ann@acme.test")
    group_id = _call("POST", org_a, "Groups", key_a, _group("Execs", ann)).json()["id"]
    for method, body in (
        ("GET", None),
        ("PUT", _group("Mine")),
        ("PATCH", _patch()),
        ("DELETE", None),
    ):
        response = _call(method, org_b, f"Groups/{group_id}", key_b, body)
        assert response.status_code == 404, (method, response.content)
    assert _call("GET", org_b, "Groups", key_b).json()["totalResults"] == 0
    # Org B cannot put org A's person in its own group, nor take the name A uses as a clash.
    refused = _call("POST", org_b, "Groups", key_b, _group("Execs", ann))
    assert refused.status_code == 400
    assert _call("POST", org_b, "Groups", key_b, _group("Execs")).status_code == 201
    assert _call("GET", org_a, "Groups", key_b).status_code == 401


def test_discovery_names_the_group_resource(org_a: Tenant) -> None:
    key = _key(org_a)
    types = _call("GET", org_a, "ResourceTypes", key).json()
    assert {item["id"] for item in types["Resources"]} == {"User", "Group"}
    schemas = _call("GET", org_a, "Schemas", key).json()
    assert GROUP in {item["id"] for item in schemas["Resources"]}


def test_the_directory_filters_by_group_and_shows_a_persons_groups(org_a: Tenant) -> None:
    key = _key(org_a)
    ann, _bo = _user(org_a, key, "ann@acme.test"), _user(org_a, key, "bo@acme.test")
    group_id = _call("POST", org_a, "Groups", key, _group("Executives 2027", ann)).json()["id"]
    client = login(Client(), org_a.admin.user)
    listed = client.get(f"/o/{org_a.slug}/people/", {"group": group_id})
    assert listed.status_code == 200
    assert b"ann@acme.test" in listed.content
    assert b"bo@acme.test" not in listed.content
    unknown = client.get(f"/o/{org_a.slug}/people/", {"group": "999999"})
    assert unknown.status_code == 400
    detail = client.get(f"/o/{org_a.slug}/people/{ann}/")
    assert b"Executives 2027" in detail.content
    api = client.get(f"/api/v1/o/{org_a.slug}/people/", {"group": group_id})
    assert api.status_code == 200
    assert [person["email"] for person in api.json()["results"]] == ["ann@acme.test"]
    assert client.get(f"/api/v1/o/{org_a.slug}/people/", {"group": "x"}).status_code == 400


def test_group_services_refuse_people_of_another_directory(org_a: Tenant, org_b: Tenant) -> None:
    with org_b.scope():
        outsider = Person.objects.create(email="x@beta.test", full_name="X")
    with org_a.scope(), pytest.raises(Exception, match="No person with id"):
        groups.group_create(actor=org_a.admin.user, display_name="Execs", member_ids=[outsider.pk])


def test_the_group_list_reads_members_in_one_query_whatever_the_groups(org_a: Tenant) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    key = _key(org_a)
    ann = _user(org_a, key, "ann@acme.test")
    _call("POST", org_a, "Groups", key, _group("Group 0", ann))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _call("GET", org_a, "Groups", key).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for number in range(1, 6):
        _call("POST", org_a, "Groups", key, _group(f"Group {number}", ann))
    assert queries() == few
    listed = _call("GET", org_a, "Groups", key).json()
    assert all([m["value"] for m in group["members"]] == [ann] for group in listed["Resources"])
