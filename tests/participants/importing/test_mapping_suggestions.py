"""Column names of common HR exports map to directory fields without anyone choosing them."""

from __future__ import annotations

import pytest

from participants.importing.parsing import BASE_TARGETS, suggest_mapping


def _suggested(headers: list[str]) -> dict[str, str]:
    return {
        key: headers[column] for key, column in suggest_mapping(headers, list(BASE_TARGETS)).items()
    }


def test_a_workday_style_export() -> None:
    headers = [
        "Worker ID",
        "Legal Name",
        "Primary Work Email",
        "Business Title",
        "Supervisory Organization",
        "Reports To (Employee ID)",
        "Management Level",
        "Work Location",
        "Time Zone",
        "Original Hire Date",
    ]
    assert _suggested(headers) == {
        "employee_id": "Worker ID",
        "full_name": "Legal Name",
        "email": "Primary Work Email",
        "job_title": "Business Title",
        "department": "Supervisory Organization",
        "manager": "Reports To (Employee ID)",
        "level": "Management Level",
        "location": "Work Location",
        "time_zone": "Time Zone",
        "start_date": "Original Hire Date",
    }


def test_a_bamboohr_style_export() -> None:
    headers = [
        "Employee #",
        "First Name",
        "Last Name",
        "Work Email Address",
        "Job Title",
        "Department",
        "Reporting to",
        "Hire Date",
        "Languages Spoken",
    ]
    assert _suggested(headers) == {
        "employee_id": "Employee #",
        "first_name": "First Name",
        "last_name": "Last Name",
        "email": "Work Email Address",
        "job_title": "Job Title",
        "department": "Department",
        "manager": "Reporting to",
        "start_date": "Hire Date",
        "languages": "Languages Spoken",
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        # An exact name wins over one that only contains a synonym.
        (["Manager Email", "Email", "Name"], {"email": "Email", "manager": "Manager Email"}),
        # The manager's id column is the manager, not the person's own id.
        (["Email", "Name", "Manager Employee ID"], {"manager": "Manager Employee ID"}),
        # A column is used once.
        (["E-mail", "Email address", "Name"], {"email": "E-mail"}),
    ],
)
def test_exact_names_first_and_each_column_once(
    headers: list[str], expected: dict[str, str]
) -> None:
    suggested = _suggested(headers)
    assert {key: suggested.get(key) for key in expected} == expected
    assert len(set(suggested.values())) == len(suggested)
