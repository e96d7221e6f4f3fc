"""Malformed ids in query strings are 400s with field messages, never database errors (500)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Tenant, login

BAD_IDS = ["abc", "²", "99999999999999999999999", "-1", "0"]


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize(
    ("path", "field"),
    [("enrollments/?program={}", "program"), ("matching/rounds/?program={}", "program")],
)
def test_bad_id_filters_are_field_errors(org_a: Tenant, path: str, field: str, value: str) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/" + path.format(value))
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


@pytest.mark.parametrize("value", ["²", "abc", "999"])
def test_odd_level_filter_on_people_is_a_field_error(org_a: Tenant, value: str) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/people/?level={value}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["level"]
