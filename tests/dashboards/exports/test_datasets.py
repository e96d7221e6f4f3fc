"""What each export holds: facts only, within the visibility rules, filtered as asked, and survey
results under the privacy floor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from participants.models import Person
from surveys.models import Wave
from surveys.privacy import TOO_FEW
from tests.conftest import Tenant
from tests.dashboards.exports.builders import (
    BLOCKERS,
    NOTE_TEXT,
    SESSION_ACTIONS,
    SESSION_LEARNED,
    as_dicts,
    content,
    export,
    rows_of,
    world,
)
from tests.surveys.results.builders import add_survey, answer, cohort, likert

SECRETS = (SESSION_LEARNED, SESSION_ACTIONS, NOTE_TEXT, BLOCKERS)
ALL = ("enrolments", "pairs", "sessions", "check_ins", "engagement")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dataset", ALL)
def test_no_export_carries_the_pairs_text(org_a: Tenant, dataset: str, fmt: str) -> None:
    built = world(org_a)
    job = export(org_a, built.program, dataset, fmt)
    cells = " ".join(str(cell) for row in rows_of(job) for cell in row)
    for secret in SECRETS:
        assert secret not in cells
        assert secret.split(":")[0] not in cells
    if fmt == "csv":
        assert not any(secret.encode() in content(job) for secret in SECRETS)


def test_sessions_export_has_the_facts(org_a: Tenant) -> None:
    built = world(org_a)
    (row,) = as_dicts(rows_of(export(org_a, built.program, "sessions")))
    assert row == {
        "session_id": str(built.session.pk),
        "pair_id": str(built.live.pair.pk),
        "mentor": built.live.mentor.person.full_name,
        "mentee": built.live.mentee.person.full_name,
        "held_on": built.session.held_on.isoformat(),
        "duration_minutes": "90",
        "format": "video",
        "status": "confirmed",
        "source": "logged",
        "topics": "Generative AI",
        "logged_by": "mentor",
        "confirmed_at_utc": "",
        "corrected": "no",
    }
    assert "learned" not in row
    assert "action_items" not in row


def test_check_ins_export_says_blockers_were_given_without_their_text(org_a: Tenant) -> None:
    built = world(org_a)
    (row,) = as_dicts(rows_of(export(org_a, built.program, "check_ins")))
    assert (row["person"], row["role"], row["rating"]) == (
        built.live.mentee.person.full_name,
        "mentee",
        "2",
    )
    assert (row["wants_contact"], row["gave_blockers"], row["status"]) == ("yes", "yes", "answered")


def test_engagement_and_pairs_exports(org_a: Tenant) -> None:
    built = world(org_a)
    (snapshot,) = as_dicts(rows_of(export(org_a, built.program, "engagement")))
    assert (snapshot["score"], snapshot["level"], snapshot["reasons"]) == (
        "72",
        "watch",
        "Low check-in rating (2)",
    )
    (pair,) = as_dicts(rows_of(export(org_a, built.program, "pairs", "xlsx")))
    assert (pair["pair_id"], pair["status"], pair["sessions"], pair["hours_met"]) == (
        built.live.pair.pk,
        "active",
        1,
        1.5,
    )


def test_filters_narrow_the_rows(org_a: Tenant) -> None:
    built = world(org_a)
    with org_a.scope():
        Person.objects.filter(pk=built.live.mentor.person_id).update(department="Data", level=2)
    program = built.program
    names = {row["role"] for row in as_dicts(rows_of(export(org_a, program, "enrolments")))}
    assert names == {"mentor", "mentee"}
    mentors = as_dicts(rows_of(export(org_a, program, "enrolments", filters={"role": "mentor"})))
    assert [row["role"] for row in mentors] == ["mentor"]
    data = export(org_a, program, "enrolments", filters={"department": "data", "level": 2})
    assert [row["department"] for row in as_dicts(rows_of(data))] == ["Data"]
    # A pair matches when its member on the role's side does.
    assert (
        len(
            as_dicts(
                rows_of(
                    export(
                        org_a, program, "sessions", filters={"role": "mentor", "department": "Data"}
                    )
                )
            )
        )
        == 1
    )
    assert (
        as_dicts(
            rows_of(
                export(org_a, program, "sessions", filters={"role": "mentee", "department": "Data"})
            )
        )
        == []
    )
    # The period: sessions by the date held.
    held = built.session.held_on
    inside = {"date_from": held.isoformat(), "date_to": held.isoformat()}
    after = {"date_from": (held + timedelta(days=1)).isoformat()}
    assert len(as_dicts(rows_of(export(org_a, program, "sessions", filters=inside)))) == 1
    assert as_dicts(rows_of(export(org_a, program, "sessions", filters=after))) == []
    before = {"date_to": (date.today() - timedelta(days=365)).isoformat()}
    assert as_dicts(rows_of(export(org_a, program, "check_ins", filters=before))) == []


def test_another_programs_rows_never_appear(org_a: Tenant) -> None:
    first = world(org_a)
    second = world(org_a)
    rows = as_dicts(rows_of(export(org_a, first.program, "sessions")))
    assert [row["session_id"] for row in rows] == [str(first.session.pk)]
    assert str(second.session.pk) not in {row["session_id"] for row in rows}


# --- Survey results: aggregates under the privacy floor -------------------------------------------

AI = "I feel confident using AI tools"


def _survey(tenant: Tenant, *, sales: int, ops: int, anonymous: bool = True):  # type: ignore[no-untyped-def]
    departments = ["Sales"] * sales + ["Ops"] * ops
    group = cohort(tenant, mentees=sales + ops, departments=departments)
    add_survey(group, Wave.PRE, [likert(AI, "ai")], anonymous=anonymous)
    for number, person in enumerate(group.mentees):
        answer(group, Wave.PRE, person, {AI: 1 + number % 5})
    return group


def _question_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row for row in rows if row["answer"] == ""]


def test_survey_results_show_aggregates_over_at_least_k(org_a: Tenant) -> None:
    group = _survey(org_a, sales=5, ops=2)
    rows = as_dicts(rows_of(export(org_a, group.program, "survey_results")))
    (summary,) = _question_rows(rows)
    # Answers 1, 2, 3, 4, 5, 1, 2: mean 18 / 7.
    assert (summary["n"], summary["mean"], summary["note"]) == ("7", "2.57", "")
    options = [row for row in rows if row["answer"]]
    assert sum(int(row["count"]) for row in options) == 7
    # Only aggregates: one row per question and per option, none per respondent.
    assert len(rows) == 1 + 5


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_survey_results_under_k_say_too_few_answers_with_no_figure(org_a: Tenant, fmt: str) -> None:
    group = _survey(org_a, sales=3, ops=0)
    rows = as_dicts(rows_of(export(org_a, group.program, "survey_results", fmt)))
    (row,) = rows
    assert row["note"] == TOO_FEW
    assert all(row[column] in ("", None) for column in ("n", "mean", "median", "count", "percent"))


def test_a_filtered_group_that_could_be_subtracted_is_suppressed(org_a: Tenant) -> None:
    """12 → 10 would leave 2 people derivable; 7 → 5 leaves 2 as well: suppressed although 5 ≥ k."""
    group = _survey(org_a, sales=5, ops=2)
    sales = as_dicts(
        rows_of(export(org_a, group.program, "survey_results", filters={"department": "Sales"}))
    )
    (row,) = sales
    assert (row["group"], row["note"], row["n"]) == ("department Sales", TOO_FEW, "")
    ops = as_dicts(
        rows_of(export(org_a, group.program, "survey_results", filters={"department": "Ops"}))
    )
    assert [row["note"] for row in ops] == [TOO_FEW]
