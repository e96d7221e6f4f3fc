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


def _multipart(parts: list[tuple[str, bytes, bool]], boundary: str = "BOUNDARY") -> bytes:
    body = b""
    for name, value, as_file in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{name}"' if as_file else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value
        body += b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


@pytest.mark.parametrize("as_file", [False, True])
def test_an_empty_multipart_text_part_is_refused_not_ignored(
    org_a: Tenant, program: Program, as_file: bool
) -> None:
    client = login(Client(), org_a.admin.user)
    base = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/"
    created = client.post(
        base + "objectives/", data={"statement": "Ask", "measure": "Q1", "target": "4"}
    )
    assert created.status_code == 201, created.json()
    body = _multipart([("\u00fc", b"x", as_file), ("statement", b"", as_file)])
    response = client.generic(
        "PATCH",
        base + f"objectives/{created.json()['id']}/",
        data=body,
        content_type="multipart/form-data; boundary=BOUNDARY",
    )
    assert response.status_code == 400, response.content
    assert "statement" in response.json()["fields"]


@pytest.mark.parametrize(
    "body",
    [
        b"--BOUNDARY\r\n-5.6e+16--BOUNDARY--\r\n",  # bytes, no part (schemathesis, fresh clone)
        b"--BOUNDARY\r\nContent-Disposition: form-data\r\n\r\nx\r\n--BOUNDARY--\r\n",  # no name
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="mapping"; filename="/"\r\n\r\n'
        b"x\r\n--BOUNDARY--\r\n",  # a file name that sanitises to nothing
    ],
)
def test_a_multipart_part_that_cannot_be_read_is_a_400(org_a: Tenant, body: bytes) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.generic(
        "POST",
        f"/api/v1/o/{org_a.slug}/people/imports/",
        data=body,
        content_type="multipart/form-data; boundary=BOUNDARY",
    )
    assert response.status_code == 400, response.content
    assert "could not be read" in response.content.decode()


def test_the_part_counter_counts_a_delimiter_split_between_reads() -> None:
    from io import BytesIO

    from core.multipart import PartCounter

    body = _multipart([("a", b"1", False), ("b", b"2", True), ("c", b"", False)])
    for size in (1, 2, 3, 7, 64):
        counter = PartCounter(BytesIO(body), b"BOUNDARY")
        while counter.read(size):
            pass
        assert counter.parts == 3, size
