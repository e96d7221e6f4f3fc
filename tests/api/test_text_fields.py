"""Text fields of the API take text only (core/api/text_fields.py): a JSON number where the schema
says string is a 400 naming the field, not stored as its digits. schemathesis found an objective's
``statement`` and a training resource's ``title`` answering 200 to ``5``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from programs.models import Objective, Program
from tests.conftest import Tenant, login
from tests.programs.conftest import make_program


@pytest.fixture
def program(org_a: Tenant) -> Program:
    return make_program(org_a)


def _patch(client: Client, url: str, body: Any) -> Any:
    return client.generic("PATCH", url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("value", [5, 5.5, 0, -1, True, ["x"], {"a": 1}])
def test_a_non_text_value_for_a_text_field_is_refused(
    org_a: Tenant, program: Program, value: Any
) -> None:
    client = login(Client(), org_a.admin.user)
    base = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/"
    created = client.post(
        base + "objectives/",
        data=json.dumps({"statement": "Ask better questions", "measure": "Q1", "target": "4"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    objective_id = created.json()["id"]
    response = _patch(client, base + f"objectives/{objective_id}/", {"statement": value})
    assert response.status_code == 400
    assert response.json()["fields"] == {"statement": ["Not a valid string."]}
    with org_a.scope():
        assert Objective.objects.get(pk=objective_id).statement == "Ask better questions"


def test_text_is_still_text_and_forms_are_unaffected(org_a: Tenant, program: Program) -> None:
    client = login(Client(), org_a.admin.user)
    base = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/"
    created = client.post(
        base + "objectives/",
        data={"statement": "5", "measure": "Q1", "target": "4"},  # multipart: text already
    )
    assert created.status_code == 201, created.json()
    assert created.json()["statement"] == "5"
