"""Directory import: reading files, every row problem at once, all-or-nothing commit, re-import."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from organizations.models import AuditEntry
from participants import directory
from participants.importing import jobs, parsing
from participants.importing.rows import check_rows
from participants.models import ImportJob, ImportStatus, Person
from tests.conftest import Tenant, login
from tests.participants.test_directory_services import add_person

HEADER = [
    "Employee ID",
    "Full Name",
    "Email",
    "Job Title",
    "Department",
    "Manager",
    "Level",
    "Time zone",
    "Languages",
    "Start date",
]
GOOD_ROWS = [
    # The first row's manager is on a later row: forward references are fine.
    [
        "E2",
        "Vic Vp",
        "vic@acme.test",
        "VP Sales",
        "Sales",
        "E1",
        "8",
        "Europe/Paris",
        "fr, en",
        "2015-03-01",
    ],
    [
        "E1",
        "Cleo Ceo",
        "cleo@acme.test",
        "CEO",
        "Board",
        "",
        "10",
        "America/New_York",
        "en",
        "2010-01-04",
    ],
    [
        "E3",
        "Jun Junior",
        "jun@acme.test",
        "Analyst",
        "Sales",
        "vic@acme.test",
        "2",
        "Asia/Tokyo",
        "ja en",
        "",
    ],
]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, **options: Any) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, **options)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(options.pop("encoding", "utf-8"))


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(tenant: Tenant, content: bytes, name: str = "people.csv") -> ImportJob:
    with tenant.scope():
        return jobs.import_upload(
            organization=tenant.organization,
            actor=tenant.admin.user,
            file_name=name,
            content=content,
        )


def dry_run(tenant: Tenant, job: ImportJob, mapping: dict[str, Any] | None = None) -> ImportJob:
    with tenant.scope():
        jobs.import_request_validation(
            organization=tenant.organization, actor=tenant.admin.user, job=job, mapping=mapping
        )
        assert jobs.run_validation(job_id=job.pk) == "validated"
        return ImportJob.objects.get(pk=job.pk)


def commit(tenant: Tenant, job: ImportJob) -> ImportJob:
    with tenant.scope():
        jobs.import_request_commit(
            organization=tenant.organization, actor=tenant.admin.user, job=job
        )
        jobs.run_commit(job_id=job.pk, actor_id=tenant.admin.user.pk)
        return ImportJob.objects.get(pk=job.pk)


def import_file(tenant: Tenant, content: bytes, name: str = "people.csv") -> ImportJob:
    job = dry_run(tenant, upload(tenant, content, name))
    assert job.problems == [], job.problems
    return commit(tenant, job)


def people(tenant: Tenant) -> dict[str, Person]:
    with tenant.scope():
        return {p.email: p for p in Person.objects.select_related("manager")}


def problem_set(job: ImportJob) -> set[tuple[int, str]]:
    return {(problem["row"], problem["field"]) for problem in job.problems}


def test_csv_import_creates_people_with_their_managers(org_a: Tenant) -> None:
    job = import_file(org_a, csv_bytes(GOOD_ROWS))
    assert job.status == ImportStatus.COMMITTED
    assert job.summary["created"] == 3
    assert job.content in (b"", memoryview(b""))  # the file is not kept after the import
    found = people(org_a)
    assert found["vic@acme.test"].manager == found["cleo@acme.test"]
    assert found["jun@acme.test"].manager == found["vic@acme.test"]
    vic = found["vic@acme.test"]
    assert (vic.level, vic.time_zone, vic.languages) == (8, "Europe/Paris", ["fr", "en"])
    assert vic.start_date == date(2015, 3, 1)
    assert vic.organization_id == org_a.organization.pk
    with org_a.scope():
        entry = AuditEntry.objects.get(action="import.committed")
    assert entry.actor == org_a.admin.user
    assert entry.data["created"] == 3


def test_mapping_is_suggested_from_header_names(org_a: Tenant) -> None:
    job = upload(org_a, csv_bytes(GOOD_ROWS))
    assert job.mapping == {
        "employee_id": 0,
        "full_name": 1,
        "email": 2,
        "job_title": 3,
        "department": 4,
        "manager": 5,
        "level": 6,
        "time_zone": 7,
        "languages": 8,
        "start_date": 9,
    }


def test_one_bad_row_commits_nothing_and_every_problem_is_listed(org_a: Tenant) -> None:
    add_person(org_a, "existing@acme.test", employee_id="X1")
    rows = [
        *GOOD_ROWS,
        ["E4", "No Mail", "", "", "", "", "", "", "", ""],  # row 5
        ["E5", "Bad Mail", "not-an-email", "", "", "", "", "", "", ""],  # row 6
        ["E6", "Twin", "jun@acme.test", "", "", "", "", "", "", ""],  # row 7: email of row 4
        ["E3", "Clone", "clone@acme.test", "", "", "", "", "", "", ""],  # row 8: id of row 4
        ["E7", "Lost", "lost@acme.test", "", "", "ghost@acme.test", "", "", "", ""],  # row 9
        ["E8", "Many", "many@acme.test", "", "", "", "12", "Mars/Base", "", "31/12/2020"],  # 10
        ["E9", "Taken", "existing@acme.test", "", "", "", "", "", "", ""],  # row 11
    ]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows)))
    assert problem_set(job) == {
        (5, "email"),
        (6, "email"),
        (7, "email"),
        (8, "employee_id"),
        (9, "manager"),
        (10, "level"),
        (10, "time_zone"),
        (10, "start_date"),
        (11, "email"),
    }
    assert "row 4" in next(p["message"] for p in job.problems if p["row"] == 7)
    assert job.problems[0]["column"] == "Email"
    with org_a.scope(), pytest.raises(ValidationError):
        jobs.import_request_commit(organization=org_a.organization, actor=None, job=job)
    assert set(people(org_a)) == {"existing@acme.test"}


def test_manager_cycle_inside_the_file(org_a: Tenant) -> None:
    rows = [
        ["E1", "Ann", "ann@acme.test", "", "", "E3", "", "", "", ""],
        ["E2", "Ben", "ben@acme.test", "", "", "E1", "", "", "", ""],
        ["E3", "Cy", "cy@acme.test", "", "", "ben@acme.test", "", "", "", ""],
        ["E4", "Dee", "dee@acme.test", "", "", "E1", "", "", "", ""],  # below the cycle: fine
        ["E5", "Eve", "eve@acme.test", "", "", "E5", "", "", "", ""],  # own manager
    ]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows)))
    assert problem_set(job) == {(2, "manager"), (3, "manager"), (4, "manager"), (6, "manager")}
    assert "Reporting cycle" in job.problems[0]["message"]


def test_manager_cycle_with_people_already_in_the_directory(org_a: Tenant) -> None:
    top = add_person(org_a, "top@acme.test", employee_id="T")
    add_person(org_a, "mid@acme.test", employee_id="M", manager=top)
    # The file puts the top person under someone who (through mid) reports to them.
    rows = [
        ["T", "Top", "top@acme.test", "", "", "L", "", "", "", ""],
        ["L", "Low", "low@acme.test", "", "", "mid@acme.test", "", "", "", ""],
    ]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows)))
    assert problem_set(job) == {(2, "manager"), (3, "manager")}
    assert "Mid" in job.problems[0]["message"]


def test_reimporting_the_same_file_updates_instead_of_duplicating(org_a: Tenant) -> None:
    import_file(org_a, csv_bytes(GOOD_ROWS))
    ids = {email: person.pk for email, person in people(org_a).items()}
    again = import_file(org_a, csv_bytes(GOOD_ROWS))
    assert (again.summary["created"], again.summary["updated"], again.summary["unchanged"]) == (
        0,
        0,
        3,
    )
    changed = [list(row) for row in GOOD_ROWS]
    changed[2][3] = "Senior Analyst"
    changed[1][2] = "cleo.new@acme.test"  # same employee id, new email: the same person
    third = import_file(org_a, csv_bytes(changed))
    assert (third.summary["created"], third.summary["updated"]) == (0, 2)
    found = people(org_a)
    assert len(found) == 3
    assert found["jun@acme.test"].job_title == "Senior Analyst"
    assert found["cleo.new@acme.test"].pk == ids["cleo@acme.test"]


def test_rows_without_employee_id_match_by_email(org_a: Tenant) -> None:
    person = add_person(org_a, "pat@acme.test", job_title="Old")
    rows = [["", "Pat", "PAT@acme.test", "New", "", "", "", "", "", ""]]
    job = import_file(org_a, csv_bytes(rows))
    assert job.summary["updated"] == 1
    with org_a.scope():
        person.refresh_from_db()
    assert person.job_title == "New"


def test_blank_cells_clear_mapped_fields_but_unmapped_fields_stay(org_a: Tenant) -> None:
    boss = add_person(org_a, "boss@acme.test")
    person = add_person(
        org_a, "kit@acme.test", manager=boss, location="Lyon", time_zone="Europe/Paris"
    )
    header = ["Email", "Name", "Manager", "Time zone"]
    job = import_file(org_a, csv_bytes([["kit@acme.test", "Kit", "", ""]], header=header))
    assert job.summary["updated"] == 1
    with org_a.scope():
        person.refresh_from_db()
    assert person.manager_id is None
    assert person.location == "Lyon"
    assert person.time_zone == "Europe/Paris"


def test_utf8_bom_and_semicolons(org_a: Tenant) -> None:
    content = "\ufeff".encode() + csv_bytes(
        [["E1", "Zoë Ølsen", "zoe@acme.test", "", "", "", "", "", "", ""]], delimiter=";"
    )
    job = upload(org_a, content)
    assert job.headers[0] == "Employee ID"
    import_file(org_a, content)
    assert people(org_a)["zoe@acme.test"].full_name == "Zoë Ølsen"


def test_windows_1252_is_read_and_said(org_a: Tenant) -> None:
    content = "Email,Name\ncafe@acme.test,Renée Café\n".encode("cp1252")
    job = import_file(org_a, content)
    assert job.summary["encoding"] == "cp1252"
    assert people(org_a)["cafe@acme.test"].full_name == "Renée Café"


def test_undecodable_file_is_refused_with_a_clear_message(org_a: Tenant) -> None:
    content = b"Email,Name\nx@acme.test,Bad \x81\x8d name\n"
    with pytest.raises(ValidationError) as raised:
        upload(org_a, content)
    message = raised.value.message_dict["file"][0]
    assert "neither UTF-8 nor Windows-1252" in message
    assert "line 2" in message


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "people.csv", "empty"),
        (b"Email,Name\n", "people.csv", "no rows"),
        (b"PK\x03\x04not really a zip", "people.xlsx", "not a valid XLSX"),
        (b"x" * (parsing.MAX_UPLOAD_BYTES + 1), "people.csv", "larger than"),
        (b"\xd0\xcf\x11\xe0", "people.xls", ".xls"),
    ],
)
def test_unreadable_uploads_are_refused(
    org_a: Tenant, content: bytes, name: str, expected: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        upload(org_a, content, name)
    assert expected in raised.value.message_dict["file"][0]


def test_xlsx_with_number_and_date_cells(org_a: Tenant) -> None:
    rows: list[list[Any]] = [
        [
            1001,
            "Cleo Ceo",
            "cleo@acme.test",
            "CEO",
            "Board",
            None,
            10,
            "UTC",
            "en",
            datetime(2010, 1, 4),
        ],
        [1002, "Vic Vp", "vic@acme.test", "VP", "Sales", 1001, 8.0, "Europe/Paris", "fr", None],
    ]
    job = import_file(org_a, xlsx_bytes(rows), name="people.xlsx")
    assert job.file_format == "xlsx"
    found = people(org_a)
    assert found["vic@acme.test"].manager == found["cleo@acme.test"]
    assert found["vic@acme.test"].employee_id == "1002"
    assert found["vic@acme.test"].level == 8
    assert found["cleo@acme.test"].start_date == date(2010, 1, 4)


def test_xlsx_bad_row_reports_spreadsheet_row_numbers(org_a: Tenant) -> None:
    rows: list[list[Any]] = [
        [1, "Ok", "ok@acme.test", "", "", None, 3, "UTC", "", None],
        [2, "Bad", "bad@acme.test", "", "", 99, 3, "UTC", "", None],
    ]
    job = dry_run(org_a, upload(org_a, xlsx_bytes(rows), "people.xlsx"))
    assert problem_set(job) == {(3, "manager")}


def test_named_levels_in_the_file(org_a: Tenant) -> None:
    org_a.organization.level_labels = ["Associate", "Senior", "Director"]
    org_a.organization.save()
    header = ["Email", "Name", "Grade"]
    job = dry_run(
        org_a,
        upload(
            org_a,
            csv_bytes(
                [["a@acme.test", "A", "director"], ["b@acme.test", "B", "VP"]], header=header
            ),
        ),
    )
    assert problem_set(job) == {(3, "level")}
    assert "Associate, Senior, Director" in job.problems[0]["message"]


def test_demographics_need_consent_and_known_values(org_a: Tenant) -> None:
    org_a.organization.demographic_options = {"generation": ["Gen Z", "Millennial"]}
    org_a.organization.save()
    header = ["Email", "Name", "Generation", "Demographics consent"]
    rows = [
        ["a@acme.test", "A", "gen z", "yes"],
        ["b@acme.test", "B", "Gen Z", "no"],
        ["c@acme.test", "C", "Secret Value", "yes"],
        ["d@acme.test", "D", "", ""],
    ]
    job = upload(org_a, csv_bytes(rows, header=header))
    assert job.mapping["demographic:generation"] == 2
    job = dry_run(org_a, job)
    assert problem_set(job) == {(3, "demographics_consent"), (4, "demographic:generation")}
    assert "Secret Value" not in str(job.problems)
    fixed = import_file(org_a, csv_bytes([rows[0], rows[3]], header=header))
    assert fixed.summary["created"] == 2
    found = people(org_a)
    assert found["a@acme.test"].demographics == {"generation": "Gen Z"}
    assert found["a@acme.test"].demographics_consented_at is not None
    assert found["d@acme.test"].demographics == {}


def test_mapping_needs_email_and_a_name(org_a: Tenant) -> None:
    job = upload(org_a, csv_bytes(GOOD_ROWS))
    with org_a.scope(), pytest.raises(ValidationError) as raised:
        jobs.import_request_validation(
            organization=org_a.organization, actor=None, job=job, mapping={"email": "Email"}
        )
    assert "full_name" in raised.value.message_dict
    with org_a.scope(), pytest.raises(ValidationError) as raised:
        jobs.import_set_mapping(
            organization=org_a.organization,
            actor=None,
            job=job,
            mapping={"email": "Nope", "full_name": 1, "job_title": 1},
        )
    assert set(raised.value.message_dict) == {"email", "job_title"}


def test_first_and_last_name_columns(org_a: Tenant) -> None:
    header = ["E-mail", "First name", "Surname"]
    import_file(org_a, csv_bytes([["ida@acme.test", "Ida", "Lupino"]], header=header))
    assert people(org_a)["ida@acme.test"].full_name == "Ida Lupino"


def test_commit_checks_again_and_writes_nothing_when_the_directory_changed(
    org_a: Tenant,
) -> None:
    job = dry_run(org_a, upload(org_a, csv_bytes(GOOD_ROWS)))
    assert job.problems == []
    add_person(org_a, "jun@acme.test", employee_id="OTHER")  # arrives between dry run and commit
    job = commit(org_a, job)
    assert job.status == ImportStatus.FAILED
    assert problem_set(job) == {(4, "email")}
    assert set(people(org_a)) == {"jun@acme.test"}


def test_steps_run_once_per_request(org_a: Tenant) -> None:
    job = dry_run(org_a, upload(org_a, csv_bytes(GOOD_ROWS)))
    with org_a.scope():
        assert jobs.run_validation(job_id=job.pk) == "skipped"
    job = commit(org_a, job)
    with org_a.scope():
        assert jobs.run_commit(job_id=job.pk, actor_id=None) == "skipped"
        assert AuditEntry.objects.filter(action="import.committed").count() == 1
    assert len(people(org_a)) == 3


def test_a_new_dry_run_is_refused_once_committed(org_a: Tenant) -> None:
    job = import_file(org_a, csv_bytes(GOOD_ROWS))
    with org_a.scope(), pytest.raises(ValidationError):
        jobs.import_request_validation(organization=org_a.organization, actor=None, job=job)


def test_dry_run_loads_the_directory_once_whatever_the_row_count(org_a: Tenant) -> None:
    for number in range(5):
        add_person(org_a, f"old{number}@acme.test", employee_id=f"O{number}")

    def queries_for(count: int) -> int:
        rows = [
            [f"N{n}", f"New {n}", f"new{n}@acme.test", "", "", f"O{n % 5}", "3", "UTC", "en", ""]
            for n in range(count)
        ]
        parsed = parsing.parse_file("people.csv", csv_bytes(rows))
        mapping = parsing.suggest_mapping(
            parsed.headers, parsing.import_targets(org_a.organization)
        )
        with org_a.scope(), CaptureQueriesContext(connection) as captured:
            result = check_rows(org_a.organization, parsed, mapping)
        assert result.problems == []
        assert len(result.plans) == count
        return len(captured.captured_queries)

    assert queries_for(3) == queries_for(60) == 1


def test_organisations_do_not_see_each_others_people_in_an_import(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    add_person(org_b, "boss@bolt.test", employee_id="B1")
    rows = [["E1", "Ann", "ann@acme.test", "", "", "B1", "", "", "", ""]]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows)))
    assert problem_set(job) == {(2, "manager")}
    rows = [["E1", "Ann", "ann@acme.test", "", "", "boss@bolt.test", "", "", "", ""]]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows)))
    assert problem_set(job) == {(2, "manager")}


def test_blank_rows_are_skipped_and_counted(org_a: Tenant) -> None:
    rows = [GOOD_ROWS[1], [""] * 10, GOOD_ROWS[2][:5] + [""] * 5]
    job = import_file(org_a, csv_bytes(rows))
    assert (job.summary["created"], job.summary["skipped"]) == (2, 1)


def test_directory_rules_match_the_import(org_a: Tenant) -> None:
    """The same rule refuses the same value in a form and in a file."""
    with pytest.raises(ValidationError):
        directory.canonical_time_zone("Mars/Base")
    with pytest.raises(ValidationError):
        directory.parse_level(org_a.organization, "12")


def test_languages_and_zones_written_as_names_are_stored_as_codes(org_a: Tenant) -> None:
    rows = [
        ["E1", "Ann", "ann@acme.test", "", "", "", "", "Paris", "English, Deutsch, français", ""],
        ["E2", "Ben", "ben@acme.test", "", "", "", "", "Germany", "en-GB; en_GB; EN", ""],
        ["E3", "Cy", "cy@acme.test", "", "", "", "", "new york", "British English / pt_BR", ""],
    ]
    import_file(org_a, csv_bytes(rows))
    found = people(org_a)
    assert (found["ann@acme.test"].languages, found["ann@acme.test"].time_zone) == (
        ["en", "de", "fr"],
        "Europe/Paris",
    )
    assert (found["ben@acme.test"].languages, found["ben@acme.test"].time_zone) == (
        ["en-gb", "en"],
        "Europe/Berlin",
    )
    assert (found["cy@acme.test"].languages, found["cy@acme.test"].time_zone) == (
        ["en-gb", "pt-br"],
        "America/New_York",
    )


def test_unknown_language_and_zone_names_are_row_problems_with_suggestions(org_a: Tenant) -> None:
    rows = [
        ["E1", "Ann", "ann@acme.test", "", "", "", "", "Pariss", "Englsh, Deutsch", ""],
        ["E2", "Ben", "ben@acme.test", "", "", "", "", "United States", "Klingonese", ""],
    ]
    job = dry_run(org_a, upload(org_a, csv_bytes(rows)))
    messages = {(p["row"], p["field"]): p["message"] for p in job.problems}
    assert set(messages) == {(2, "time_zone"), (2, "languages"), (3, "time_zone"), (3, "languages")}
    assert "“Englsh” (did you mean English (en)" in messages[(2, "languages")]
    assert "Deutsch" not in messages[(2, "languages")].split("(did you mean")[0]
    assert "“Pariss”" in messages[(2, "time_zone")]
    assert "Did you mean Europe/Paris?" in messages[(2, "time_zone")]
    assert "spans several time zones" in messages[(3, "time_zone")]
    assert "America/New_York" in messages[(3, "time_zone")]
    assert "“Klingonese”" in messages[(3, "languages")]
    assert set(people(org_a)) == set()


def test_an_applied_import_records_whom_it_added_and_changed(org_a: Tenant) -> None:
    kept = add_person(org_a, "cleo@acme.test", full_name="Cleo Ceo", employee_id="E1")
    same = add_person(org_a, "old@acme.test", full_name="Old Timer", employee_id="E9")
    rows = [
        *GOOD_ROWS,  # Cleo (E1) is updated; Vic and Jun are new
        ["E9", "Old Timer", "old@acme.test", "", "", "", "", "", "", ""],  # unchanged
    ]
    with org_a.scope():
        Person.objects.filter(pk=same.pk).update(
            job_title="", department="", level=None, time_zone="UTC", languages=[]
        )
    job = import_file(org_a, csv_bytes(rows))
    found = people(org_a)
    assert job.created_people == [found["vic@acme.test"].pk, found["jun@acme.test"].pk]
    assert kept.pk in job.updated_people
    assert same.pk not in job.created_people
    with org_a.scope():
        entry = AuditEntry.objects.get(action="import.committed")
    assert entry.data["created_people"] == job.created_people
    assert entry.data["updated_people"] == job.updated_people

    client = login(Client(), org_a.admin.user)
    page = client.get(f"/o/{org_a.slug}/people/imports/{job.pk}/").content.decode()
    added = page.split('id="imported-created-heading"')[1].split("</section>")[0]
    assert "Vic Vp" in added
    assert "Jun Junior" in added
    assert "Cleo Ceo" not in added
    changed = page.split('id="imported-updated-heading"')[1].split("</section>")[0]
    assert "Cleo Ceo" in changed
    assert "Vic Vp" not in changed
    body = client.get(f"/api/v1/o/{org_a.slug}/people/imports/{job.pk}/").json()
    assert (body["created_people"], body["updated_people"]) == (
        job.created_people,
        job.updated_people,
    )
