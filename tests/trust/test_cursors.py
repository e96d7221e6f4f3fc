"""A crafted ``cursor`` is a 400 naming ``cursor`` on every list, for plain members too."""

from __future__ import annotations

from base64 import b64encode

import pytest
from django.test import Client

from core.api.pagination import INVALID_CURSOR
from tests.conftest import Tenant, login


def _cursor(position: str, offset: str = "0") -> str:
    return b64encode(f"o={offset}&r=0&p={position}".encode()).decode()


BAD_CURSORS = {
    "nul byte": _cursor("%00"),
    "garbage base64": "!!!not-base64!!!",
    "non-ascii bytes": b64encode("o=0&p=\u00e9".encode()).decode(),
    "negative offset": _cursor("1", offset="-5"),
}


@pytest.mark.parametrize("cursor", BAD_CURSORS.values(), ids=BAD_CURSORS.keys())
@pytest.mark.parametrize(
    "path",
    ["members/", "check-ins/", "people/", "me/actions/", "survey-invitations/", "programs/"],
)
def test_crafted_cursor_is_a_field_error(org_a: Tenant, path: str, cursor: str) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/{path}", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == ["cursor"]


@pytest.mark.parametrize(
    ("path", "position"),
    [
        ("members/", "abc"),  # ordered by id
        ("members/", "9" * 30),  # beyond bigint
        ("check-ins/", "yesterday"),  # ordered by due date
        ("programs/", "2026-13-45"),  # ordered by id
        ("survey-invitations/", "1.5"),
    ],
)
def test_position_that_does_not_fit_the_ordering_key_is_a_field_error(
    org_a: Tenant, path: str, position: str
) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/{path}", {"cursor": _cursor(position)})
    assert response.status_code == 400, response.content
    assert response.json()["fields"]["cursor"] == [INVALID_CURSOR]


def test_plain_member_gets_a_400_too(org_a: Tenant) -> None:
    client = login(Client(), org_a.member.user)
    response = client.get(f"/api/v1/o/{org_a.slug}/me/actions/", {"cursor": _cursor("abc")})
    assert response.status_code == 400


def test_cursors_the_api_gives_out_still_work(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    first = client.get(f"/api/v1/o/{org_a.slug}/members/", {"page_size": 1}).json()
    assert first["next"]
    second = client.get(first["next"])
    assert second.status_code == 200
    assert second.json()["results"][0]["id"] != first["results"][0]["id"]
