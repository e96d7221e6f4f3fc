"""The live what-if: its figures are the ones a real round with the same settings stores, it
keeps the program's cohort between previews until the organisation's data changes, and the page,
its fragment and the API show the same summary."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from matching.models import MatchingRound, ProposedPair
from matching.rounds import use_cases, whatif
from participants.models import EnrollmentSkill
from tests.conftest import Tenant, login
from tests.matching.test_rounds_builders import WEIGHTS, matching_cohort, proposed_round

CONFIGS: list[dict[str, Any]] = [
    {"weights": {"interests": 1}},
    {"weights": {"complementarity": 1, "time_zone": 4}, "mode": "max_matched_first"},
    {"weights": WEIGHTS, "rules": {"junior_mentor": False}, "mode": "fairest"},
    {"weights": {"complementarity": 2, "availability": 3}, "rules": {"rotation": False}},
]


@pytest.fixture(autouse=True)
def fresh_cache() -> Any:
    whatif.clear()
    yield
    whatif.clear()


def _pairs(matching_round: MatchingRound) -> set[tuple[int, int]]:
    return set(
        ProposedPair.objects.filter(round=matching_round).values_list("mentor_id", "mentee_id")
    )


@pytest.mark.parametrize("settings", CONFIGS)
def test_the_preview_has_the_figures_of_a_real_round_with_the_same_settings(
    org_a: Tenant, settings: dict[str, Any]
) -> None:
    cohort = matching_cohort(org_a, 6)
    base = proposed_round(org_a, cohort)
    with org_a.scope():
        summary = use_cases.preview_round(
            actor=org_a.admin, program_id=cohort.program.pk, **settings
        )
    assert summary.base is not None
    assert summary.base.pk == base.pk
    real = proposed_round(org_a, cohort, **settings)
    stats = real.stats
    assert summary.after.matched == stats["matched"]
    assert summary.after.unmatched == stats["unmatched"]
    assert summary.after.total == pytest.approx(stats["total"], abs=1e-9)
    assert summary.after.minimum == pytest.approx(stats["minimum"], abs=1e-9)
    assert summary.after.mean == pytest.approx(stats["mean"], abs=1e-9)
    with org_a.scope():
        before, after = _pairs(base), _pairs(real)
    assert summary.gained == len(after - before)
    assert summary.lost == len(before - after)
    assert summary.unchanged == len(after & before)
    assert summary.before is not None
    assert summary.before.total == pytest.approx(base.stats["total"])


def test_the_cohort_is_kept_until_the_organisations_data_changes(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 4)
    with org_a.scope():
        first = use_cases.preview_round(
            actor=org_a.admin, program_id=cohort.program.pk, weights=WEIGHTS
        )
        again = use_cases.preview_round(
            actor=org_a.admin, program_id=cohort.program.pk, weights={"interests": 1}
        )
    assert (first.cached, again.cached) == (False, True)
    assert first.base is None
    assert first.before is None
    assert first.gained == 0
    # A round and its proposals are bookkeeping: the cohort stays.
    proposed_round(org_a, cohort)
    with org_a.scope():
        kept = use_cases.preview_round(
            actor=org_a.admin, program_id=cohort.program.pk, weights=WEIGHTS
        )
        assert kept.cached
        # A mentee no longer wants to learn anything: the next preview loads the cohort again.
        EnrollmentSkill.objects.filter(enrollment=cohort.mentees[0]).delete()
        changed = use_cases.preview_round(
            actor=org_a.admin, program_id=cohort.program.pk, weights={"complementarity": 1}
        )
    assert not changed.cached
    real = proposed_round(org_a, cohort, weights={"complementarity": 1})
    assert changed.after.total == pytest.approx(real.stats["total"], abs=1e-9)


def test_the_api_and_the_page_fragment_show_the_summary(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    base = proposed_round(org_a, cohort)
    client = login(Client(), org_a.admin.user)
    api = client.post(
        f"/api/v1/o/{org_a.slug}/matching/rounds/what-if/",
        data=json.dumps({"program": cohort.program.pk, "weights": {"interests": 1}}),
        content_type="application/json",
    )
    assert api.status_code == 200
    body = api.json()
    assert body["base_round"] == base.pk
    assert body["after"]["matched"] == 3
    assert body["gained"] + body["unchanged"] == 3
    with org_a.scope():
        assert MatchingRound.objects.count() == 1  # nothing stored

    form = {f"weight_{c}": "0" for c in ("focus", "availability", "time_zone", "language")}
    form |= {f"weight_{c}": "0" for c in ("meeting_format", "diversity", "questions")}
    form |= {"weight_complementarity": "5", "weight_interests": "2", "mode": "score_first"}
    form |= {"level_gap": "1", "chain_levels": "2", "junior_mentor": "on"}
    fragment = client.post(f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/what-if/", form)
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "3 pairs" in text
    assert f"round {base.number}" in text
    assert "<h1" not in text

    page = client.post(
        f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/", {**form, "preview": "pairs"}
    )
    assert page.status_code == 200
    page_text = page.content.decode()
    assert 'aria-live="polite"' in page_text
    assert "3 pairs" in page_text
    with org_a.scope():
        assert MatchingRound.objects.count() == 1


def test_bad_settings_are_a_400_with_the_reason(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    client = login(Client(), org_a.admin.user)
    api = client.post(
        f"/api/v1/o/{org_a.slug}/matching/rounds/what-if/",
        data=json.dumps({"program": cohort.program.pk, "weights": {"interests": 11}}),
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "weights" in api.json()["fields"]
    fragment = client.post(
        f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/what-if/",
        {"weight_interests": "eleven"},
    )
    assert fragment.status_code == 400
    assert "No preview for these settings" in fragment.content.decode()
