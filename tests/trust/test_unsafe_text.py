"""NUL characters and lone surrogates are refused at the edge (400 naming the field), page and API
alike, before any query; deeply nested JSON is a 400, not a RecursionError."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from participants.models import ImportJob
from tests.conftest import Tenant, login


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/v1/o/{slug}/people/", "search"),
        ("/api/v1/o/{slug}/people/", "department"),
        ("/api/v1/o/{slug}/members/", "anything"),
    ],
)
def test_nul_in_an_api_query_is_a_400_naming_it(org_a: Tenant, path: str, param: str) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(path.format(slug=org_a.slug), {param: "a\x00b"})
    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == [param]
    assert "NUL" in body["fields"][param][0]


def test_nul_in_a_page_query_is_a_400_page_that_says_why(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(f"/o/{org_a.slug}/people/", {"q": "x\x00"})
    assert response.status_code == 400
    assert b"NUL" in response.content
    assert b"<h1>Bad request</h1>" in response.content


def test_nul_in_a_page_form_is_a_400(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(f"/o/{org_a.slug}/topics/", {"name": "Cloud\x00"})
    assert response.status_code == 400


def test_nul_in_the_path_is_a_400(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    assert client.get(f"/o/{org_a.slug}/people/%00/").status_code == 400


@pytest.mark.parametrize(
    ("value", "word"), [("a\u0000b", "NUL"), ("a\ud800b", "surrogate")], ids=["nul", "surrogate"]
)
def test_unsafe_text_in_a_json_value_is_a_400_naming_the_field(
    org_a: Tenant, value: str, word: str
) -> None:
    client = login(Client(), org_a.admin.user)
    # json.dumps keeps the escapes (\u0000, \ud800) as a client would send them.
    body = json.dumps({"name": "Spring", "terminology": {"mentor": value}})
    response = client.post(
        f"/api/v1/o/{org_a.slug}/programs/", body, content_type="application/json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert list(fields) == ["terminology.mentor"]
    assert word in fields["terminology.mentor"][0]


def test_unsafe_text_in_a_json_key_is_a_400(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/topics/",
        json.dumps({"name\u0000": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 400


def test_unsafe_text_in_a_patch_form_body_is_a_400(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    created = client.post(
        f"/api/v1/o/{org_a.slug}/topics/", {"name": "Cloud"}, content_type="application/json"
    )
    assert created.status_code == 201
    response = client.patch(
        f"/api/v1/o/{org_a.slug}/topics/{created.json()['id']}/",
        "description=a%00b",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["description"]


@pytest.mark.parametrize("depth", [33, 2000, 100_000])
def test_deeply_nested_json_is_a_400(org_a: Tenant, depth: int) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        f"/api/v1/o/{org_a.slug}/topics/",
        "[" * depth + "]" * depth,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_json_nested_within_the_bound_is_parsed(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    nested = "[" * 30 + "]" * 30
    response = client.post(
        f"/api/v1/o/{org_a.slug}/topics/",
        json.dumps({"name": "Deep"})[:-1] + f', "extra": {nested}}}',
        content_type="application/json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/o/{slug}/people/imports/", "/api/v1/o/{slug}/people/imports/"])
def test_nul_in_an_uploaded_file_name_never_reaches_the_database(org_a: Tenant, path: str) -> None:
    client = login(Client(raise_request_exception=False), org_a.admin.user)
    upload = SimpleUploadedFile("people\x00.csv", b"email,full_name\na@acme.test,Ann\n")
    response = client.post(path.format(slug=org_a.slug), {"file": upload})
    assert response.status_code < 500
    with org_a.scope():
        names = list(ImportJob.objects.values_list("file_name", flat=True))
    assert all("\x00" not in name for name in names)


def test_a_page_form_with_a_part_django_would_skip_is_a_400_that_says_why(org_a: Tenant) -> None:
    """core/multipart.py: the upload below once became an empty form (a "choose a file" message
    at best); a part that cannot be read is refused for what it is."""
    client = login(Client(), org_a.admin.user)
    body = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="/"\r\n\r\n'
        b"email\r\na@acme.test\r\n--B--\r\n"
    )
    response = client.generic(
        "POST",
        f"/o/{org_a.slug}/people/imports/",
        data=body,
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 400
    assert b"1 of the body&#x27;s 1 parts could not be read" in response.content
    with org_a.scope():
        assert not ImportJob.objects.exists()


def test_a_well_formed_page_upload_still_arrives_whole(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    upload = SimpleUploadedFile("people.csv", b"email,full_name\na@acme.test,Ann\n")
    response = client.post(f"/o/{org_a.slug}/people/imports/", {"file": upload})
    assert response.status_code == 302
    with org_a.scope():
        assert ImportJob.objects.get().file_name == "people.csv"
