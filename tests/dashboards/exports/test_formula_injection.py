"""Formula injection: a text cell that a spreadsheet could run is neutralised in both formats, and
read back as text with a leading apostrophe; numbers stay numbers."""

from __future__ import annotations

import pytest

from core.spreadsheets import FORMULA_PREFIXES, neutralise
from participants.models import Person
from surveys.models import Wave
from surveys.results.aggregates import survey_results
from surveys.results.export import survey_results_csv
from tests.conftest import Tenant
from tests.dashboards.exports.builders import as_dicts, csv_rows, export, rows_of, world
from tests.surveys.results.builders import add_survey, answer, cohort, likert

DANGEROUS = {
    "=": '=HYPERLINK("http://evil.test","x")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(A1:A9)",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


def test_every_dangerous_prefix_is_covered() -> None:
    assert set(DANGEROUS) == set(FORMULA_PREFIXES)


@pytest.mark.parametrize("value", list(DANGEROUS.values()))
def test_neutralise_prefixes_an_apostrophe(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [42, -3, 2.5, None, True, "plain", "-0.5", "+7", "a=b", ""])
def test_neutralise_leaves_numbers_and_harmless_text(value: object) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_names_that_look_like_formulas_are_text_in_both_formats(org_a: Tenant, fmt: str) -> None:
    built = world(org_a)
    people = [built.live.mentor.person_id, built.live.mentee.person_id]
    with org_a.scope():
        Person.objects.filter(pk=people[0]).update(full_name=DANGEROUS["="])
        Person.objects.filter(pk=people[1]).update(
            full_name=DANGEROUS["@"], job_title=DANGEROUS["+"], department=DANGEROUS["-"]
        )
    job = export(org_a, built.program, "enrolments", fmt)
    by_name = {row["name"]: row for row in as_dicts(rows_of(job))}
    assert set(by_name) == {"'" + DANGEROUS["="], "'" + DANGEROUS["@"]}
    mentee = by_name["'" + DANGEROUS["@"]]
    assert mentee["job_title"] == "'" + DANGEROUS["+"]
    assert mentee["department"] == "'" + DANGEROUS["-"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("prefix", list(DANGEROUS))
def test_each_prefix_in_a_topic_name_is_neutralised(org_a: Tenant, fmt: str, prefix: str) -> None:
    built = world(org_a)
    with org_a.scope():
        topic = built.session.topics.get()
        topic.name = DANGEROUS[prefix]
        topic.save(update_fields=["name"])
    (row,) = as_dicts(rows_of(export(org_a, built.program, "sessions", fmt)))
    expected = "'" + DANGEROUS[prefix]
    got = row["topics"]
    if fmt == "xlsx":
        # A CR is kept as written when openpyxl writes through lxml (escaped as &#13;), read back
        # as a line feed otherwise: what matters is the quote in front.
        expected, got = expected.replace("\r", "\n"), got.replace("\r", "\n")
    assert got == expected


def test_numbers_stay_numbers_in_xlsx(org_a: Tenant) -> None:
    built = world(org_a)
    (row,) = as_dicts(rows_of(export(org_a, built.program, "sessions", "xlsx")))
    assert row["duration_minutes"] == 90
    assert row["session_id"] == built.session.pk
    (check_in,) = as_dicts(rows_of(export(org_a, built.program, "check_ins", "xlsx")))
    assert check_in["rating"] == 2


def test_survey_results_csv_neutralises_question_texts(org_a: Tenant) -> None:
    """The results page's own CSV export follows the same rule (one function)."""
    group = cohort(org_a, mentees=5)
    survey = add_survey(group, Wave.PRE, [likert("=1+1 How confident are you?")])
    for person in group.mentees:
        answer(group, Wave.PRE, person, {"=1+1 How confident are you?": 4})
    with org_a.scope():
        body = survey_results_csv(survey_results(survey, k=5))
    rows = csv_rows(b"\xef\xbb\xbf" + body.encode())
    assert {row[2] for row in rows[1:]} == {"'=1+1 How confident are you?"}
    assert rows[1][8] == "5"  # n stays a plain number
