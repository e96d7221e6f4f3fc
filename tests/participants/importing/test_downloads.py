"""The import's downloads: a template whose columns map themselves, and a dry run's problem rows as
CSV with a column saying what to fix (cells neutralised against formula injection)."""

from __future__ import annotations

import csv
import io

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from participants.importing import parsing
from participants.importing.downloads import PROBLEMS_COLUMN
from tests.conftest import Tenant, login
from tests.participants.importing.test_import import GOOD_ROWS, HEADER, csv_bytes, dry_run, upload


def _rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_template_maps_itself_and_reads_back(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.get(reverse("import_template", kwargs={"org_slug": org_a.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people-import-template.csv"'
    header, example = _rows(response.content)
    assert "Email" in header
    assert "Manager" in header
    assert example[header.index("Email")] == "ada.lovelace@example.com"

    job = upload(org_a, response.content, "template.csv")
    mapped = {job.headers[column] for column in job.mapping.values()}
    assert mapped == set(header), set(header) - mapped


def test_the_problem_rows_download_with_what_to_fix(org_a: Tenant) -> None:
    rows = [
        *GOOD_ROWS,
        ["E5", '=HYPERLINK("http://evil.test")', "not-an-email", "", "", "", "", "", "", ""],
        ["E8", "Many", "many@acme.test", "", "", "", "12", "Mars/Base", "", ""],
    ]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows), "staff list.csv"))
    assert job.problems
    client = login(Client(), org_a.admin.user)

    page = client.get(reverse("import_detail", kwargs={"org_slug": org_a.slug, "pk": job.pk}))
    url = reverse("import_problems", kwargs={"org_slug": org_a.slug, "pk": job.pk})
    assert f'href="{url}"' in page.content.decode()
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="staff list-problems.csv"'
    table = _rows(response.content)
    assert table[0] == ["Row", *HEADER, PROBLEMS_COLUMN]
    by_row = {line[0]: line for line in table[1:]}
    assert set(by_row) == {"5", "6"}
    bad_mail = by_row["5"]
    assert bad_mail[1:4] == ["E5", '\'=HYPERLINK("http://evil.test")', "not-an-email"]
    assert bad_mail[-1].startswith("Email: ")
    assert "Level: " in by_row["6"][-1]
    assert "Time zone: " in by_row["6"][-1]
    assert by_row["6"][1:4] == ["E8", "Many", "many@acme.test"]


def test_an_import_without_problems_has_nothing_to_download(org_a: Tenant) -> None:
    job = dry_run(org_a, upload(org_a, csv_bytes(GOOD_ROWS)))
    assert not job.problems
    client = login(Client(), org_a.admin.user)
    response = client.get(reverse("import_problems", kwargs={"org_slug": org_a.slug, "pk": job.pk}))
    assert response.status_code == 302
    assert response.url == reverse("import_detail", kwargs={"org_slug": org_a.slug, "pk": job.pk})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "This import has no problems to download."
    ]


def test_template_columns_are_the_import_targets(org_a: Tenant) -> None:
    with org_a.scope():
        targets = parsing.import_targets(org_a.organization)
    client = login(Client(), org_a.admin.user)
    header = _rows(client.get(reverse("import_template", kwargs={"org_slug": org_a.slug})).content)[
        0
    ]
    assert header == [t.label for t in targets if t.key not in ("first_name", "last_name")]


def test_the_api_serves_the_same_files(org_a: Tenant) -> None:
    job = dry_run(org_a, upload(org_a, csv_bytes([*GOOD_ROWS, ["E9", "X", "bad", *[""] * 7]])))
    client = login(Client(), org_a.admin.user)
    base = f"/api/v1/o/{org_a.slug}/people/imports/"
    template = client.get(f"{base}template/")
    assert template.status_code == 200
    assert (
        template.content
        == client.get(reverse("import_template", kwargs={"org_slug": org_a.slug})).content
    )
    problems = client.get(f"{base}{job.pk}/problems/")
    assert problems.status_code == 200
    assert problems["Content-Type"] == "text/csv; charset=utf-8"
    assert [line[0] for line in _rows(problems.content)] == ["Row", "5"]

    clean = dry_run(org_a, upload(org_a, csv_bytes(GOOD_ROWS)))
    refused = client.get(f"{base}{clean.pk}/problems/")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "This import has no problems to download."
