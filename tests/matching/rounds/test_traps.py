"""Matching without traps: rounds numbered per program, a round with no pairs offers no publishing,
a re-run never silently drops a swap, the fairest mode end to end (page and API), and the people's
level and title beside each proposal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from matching.engine.scoring import CRITERIA
from matching.models import MatchingPin, MatchingRound, ProposedPair, RoundStatus
from matching.rounds.config import round_create, rules_impact
from matching.rounds.editing import pin_create, swap
from matching.rounds.forms import RoundConfigForm
from matching.rounds.run import round_start, run_round
from matching.rounds.views.home import RULE_SETTINGS
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.matching.rounds.test_pages_round import admin, proposals, round_url
from tests.matching.test_rounds_builders import WEIGHTS, matching_cohort, proposed_round


def _api(tenant: Tenant, path: str) -> str:
    return f"/api/v1/o/{tenant.slug}/{path}"


def _post_json(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


# --- Numbering ----------------------------------------------------------------------------------


def test_rounds_are_numbered_per_program(org_a: Tenant) -> None:
    one, two = matching_cohort(org_a, 1), matching_cohort(org_a, 1)
    first = proposed_round(org_a, one)
    other_program = proposed_round(org_a, two)
    second = proposed_round(org_a, one)
    assert (first.number, second.number, other_program.number) == (1, 2, 1)
    html = admin(org_a).get(round_url(org_a, second)).content.decode()
    assert "<h1>Round 2</h1>" in html
    body = admin(org_a).get(_api(org_a, f"matching/rounds/{second.pk}/")).json()
    assert (body["id"], body["number"]) == (second.pk, 2)


# --- Publishing a round with no pairs -------------------------------------------------------------


def test_round_with_no_pairs_offers_no_publishing_and_refuses_it(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        ProposedPair.objects.filter(round=matching_round).delete()
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            stats={**matching_round.stats, "matched": 0, "total": 0.0, "mean": 0.0}
        )
    client = admin(org_a)
    assert "Publish…" not in client.get(round_url(org_a, matching_round)).content.decode()
    page = client.get(round_url(org_a, matching_round, "publish/")).content.decode()
    assert "proposes no pairs, so there is nothing to publish" in page
    assert "Publish and email" not in page
    response = client.post(round_url(org_a, matching_round, "publish/"))
    assert response.status_code == 400
    assert "This round proposes no pairs, so there is nothing to publish" in (
        response.content.decode()
    )
    api = _post_json(client, _api(org_a, f"matching/rounds/{matching_round.pk}/publish/"))
    assert api.status_code == 400
    with org_a.scope():
        assert MatchingRound.objects.get(pk=matching_round.pk).status == RoundStatus.PROPOSED


# --- A re-run never drops a swap silently ---------------------------------------------------------


def _swapped_round(tenant: Tenant) -> tuple[MatchingRound, list[ProposedPair]]:
    cohort = matching_cohort(tenant, 3)
    matching_round = proposed_round(tenant, cohort)
    first, second, _ = proposals(tenant, matching_round)
    with tenant.scope():
        swap(matching_round=matching_round, pair_a=first, pair_b=second, actor=tenant.admin.user)
    return matching_round, proposals(tenant, matching_round)


def _pairs(tenant: Tenant, matching_round: MatchingRound) -> set[tuple[int, int]]:
    with tenant.scope():
        return set(
            ProposedPair.objects.filter(round=matching_round).values_list("mentor_id", "mentee_id")
        )


def test_swapped_pairs_are_marked_and_the_rerun_asks_first(org_a: Tenant) -> None:
    matching_round, after_swap = _swapped_round(org_a)
    assert sum(p.swapped for p in after_swap) == 2
    client = admin(org_a)
    html = client.get(round_url(org_a, matching_round)).content.decode()
    assert html.count('<span class="badge badge-swapped">Swapped</span>') == 2
    assert "You swapped the mentors of 2 pairs in this round." in html
    assert 'name="swaps" value="pin"' in html
    assert 'name="swaps" value="discard"' in html
    # A post without the choice (an old form, a script) is refused with the question.
    response = client.post(round_url(org_a, matching_round, "run/"))
    assert response.status_code == 400
    assert "choose to keep your swaps (they become pins) or to discard them" in (
        response.content.decode()
    )
    with org_a.scope():
        assert MatchingRound.objects.get(pk=matching_round.pk).status == RoundStatus.PROPOSED
    api = _post_json(client, _api(org_a, f"matching/rounds/{matching_round.pk}/start/"))
    assert api.status_code == 400
    assert "swaps" in api.json()["fields"]


def test_rerun_keeping_the_swaps_pins_them_and_the_new_run_proposes_them(org_a: Tenant) -> None:
    matching_round, after_swap = _swapped_round(org_a)
    swapped = {(p.mentor_id, p.mentee_id) for p in after_swap if p.swapped}
    response = admin(org_a).post(
        round_url(org_a, matching_round, "run/"), {"swaps": "pin"}, follow=True
    )
    assert "your swapped pairs are pinned, so it keeps them" in response.content.decode()
    with org_a.scope():
        assert set(MatchingPin.objects.values_list("mentor_id", "mentee_id")) == swapped
        entry = AuditEntry.objects.filter(action="matching.round_start").latest("id")
        assert (entry.data["swapped"], entry.data["swaps"], entry.data["pinned"]) == (2, "pin", 2)
        assert run_round(round_id=matching_round.pk) == "proposed"
    assert swapped <= _pairs(org_a, matching_round)


def test_rerun_discarding_the_swaps_recomputes_them(org_a: Tenant) -> None:
    matching_round, after_swap = _swapped_round(org_a)
    swapped = {(p.mentor_id, p.mentee_id) for p in after_swap if p.swapped}
    response = _post_json(
        admin(org_a),
        _api(org_a, f"matching/rounds/{matching_round.pk}/start/"),
        {"swaps": "discard"},
    )
    assert response.status_code == 202, response.json()
    with org_a.scope():
        assert not MatchingPin.objects.exists()
        assert run_round(round_id=matching_round.pk) == "proposed"
    assert not swapped & _pairs(org_a, matching_round)  # the optimum undoes a swap of two
    assert not any(p.swapped for p in proposals(org_a, matching_round))


def test_keeping_swaps_is_refused_when_a_mentee_is_pinned_elsewhere(org_a: Tenant) -> None:
    matching_round, after_swap = _swapped_round(org_a)
    moved = next(p for p in after_swap if p.swapped)
    unswapped = next(p for p in after_swap if not p.swapped)
    with org_a.scope():
        MatchingPin.objects.create(
            organization=org_a.organization,
            program_id=matching_round.program_id,
            mentor_id=unswapped.mentor_id,
            mentee_id=moved.mentee_id,
        )
    response = admin(org_a).post(round_url(org_a, matching_round, "run/"), {"swaps": "pin"})
    assert response.status_code == 400
    assert "is already pinned to" in response.content.decode()
    with org_a.scope():
        assert MatchingPin.objects.count() == 1
        assert MatchingRound.objects.get(pk=matching_round.pk).status == RoundStatus.PROPOSED


def test_a_round_without_swaps_reruns_with_one_button(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    client = admin(org_a)
    html = client.get(round_url(org_a, matching_round)).content.decode()
    assert "Re-run with the current pins and blocks</button>" in html
    assert 'name="swaps"' not in html
    assert client.post(round_url(org_a, matching_round, "run/")).status_code == 302


# --- Fairest mode ---------------------------------------------------------------------------------


def test_fairest_round_from_the_page_shows_its_mode_and_compares(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    highest = proposed_round(org_a, cohort)
    client = admin(org_a)
    form = client.get(f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/").content.decode()
    assert 'value="fairest"' in form
    data: dict[str, Any] = {f"weight_{c}": WEIGHTS.get(c, 0) for c in CRITERIA}
    data.update({"level_gap": 0, "chain_levels": 1, "mode": "fairest", "junior_mentor": "on"})
    response = client.post(f"/o/{org_a.slug}/programs/{cohort.program.pk}/matching/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with org_a.scope():
        fairest = MatchingRound.objects.get(program=cohort.program, number=2)
        assert fairest.mode == "fairest"
        assert run_round(round_id=fairest.pk) == "proposed"
        fairest.refresh_from_db()
    assert fairest.stats["minimum"] >= highest.stats["minimum"]
    html = client.get(round_url(org_a, fairest)).content.decode()
    assert "Optimised for: fairest" in html
    compared = client.get(round_url(org_a, fairest, "compare/"), {"with": highest.pk})
    html = compared.content.decode()
    assert '<th scope="row">Optimised for</th>' in html
    assert "Fairest: most matched, then the best lowest score, then score" in html
    assert '<th scope="row">Lowest score</th>' in html


def test_fairest_mode_through_the_api_and_a_bad_mode_is_a_field_error(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = admin(org_a)
    url = _api(org_a, "matching/rounds/")
    body = {"program": cohort.program.pk, "weights": WEIGHTS, "mode": "fairest"}
    response = _post_json(client, url, body)
    assert response.status_code == 201, response.json()
    assert response.json()["mode"] == "fairest"
    bad = _post_json(client, url, {**body, "mode": "fairer"})
    assert bad.status_code == 400
    assert "mode" in bad.json()["fields"]


# --- Level and title in the proposals -----------------------------------------------------------


def test_proposals_show_each_persons_level_and_title(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    with org_a.scope():
        mentor = cohort.mentors[0].person
        mentor.job_title, mentor.level = "Graduate analyst", 2
        mentor.save(update_fields=["job_title", "level"])
        mentee = cohort.mentees[0].person
        mentee.job_title, mentee.level = "Chief financial officer", None
        mentee.save(update_fields=["job_title", "level"])
    matching_round = proposed_round(org_a, cohort, rules={"allow_unknown_level": True})
    html = admin(org_a).get(round_url(org_a, matching_round)).content.decode()
    assert '<span class="person-facts">Graduate analyst · level 2</span>' in html
    assert '<span class="person-facts">Chief financial officer · level not known</span>' in html
    body = admin(org_a).get(_api(org_a, f"matching/rounds/{matching_round.pk}/proposals/")).json()
    (proposal,) = body["results"]
    assert (proposal["mentor"]["job_title"], proposal["mentor"]["level"]) == (
        "Graduate analyst",
        2,
    )
    assert (proposal["mentee"]["job_title"], proposal["mentee"]["level"]) == (
        "Chief financial officer",
        None,
    )
    assert proposal["swapped"] is False


@pytest.mark.parametrize("mode", ["score_first", "max_matched_first", "fairest"])
def test_every_mode_runs_end_to_end(org_a: Tenant, mode: str) -> None:
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort, mode=mode)
    assert matching_round.stats["matched"] == 3


def test_pin_then_fairest_keeps_the_pin(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    with org_a.scope():
        pin_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[0],
            mentee=cohort.mentees[1],
        )
    matching_round = proposed_round(org_a, cohort, mode="fairest")
    pinned = [p for p in proposals(org_a, matching_round) if p.pinned]
    assert [(p.mentor_id, p.mentee_id) for p in pinned] == [
        (cohort.mentors[0].pk, cohort.mentees[1].pk)
    ]


# --- What the rules remove, before a round runs -------------------------------------------------


def _home(tenant: Tenant, program_id: int) -> str:
    return f"/o/{tenant.slug}/programs/{program_id}/matching/"


def _config(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {f"weight_{c}": WEIGHTS.get(c, 0) for c in CRITERIA}
    data.update(
        {
            "level_gap": 1,
            "chain_levels": 3,
            "mode": "score_first",
            "junior_mentor": "on",
            "reporting_chain": "on",
            "rotation": "on",
            "admin_blocks": "on",
            "allow_unknown_level": "on",
        }
    )
    data.update(changes)
    return data


def test_the_form_shows_what_each_rule_removes_before_running(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 3)
    html = admin(org_a).get(_home(org_a, cohort.program.pk)).content.decode()
    assert '<h3 id="impact-heading">What these rules remove</h3>' in html
    assert "over the 3 mentees and 3 mentors still free to match" in html
    assert (
        '<th scope="row">The mentor must be at least 1 level more junior</th>'
        '<td class="number">0 (0 %)</td>'
    ) in html
    assert "9 of the 9 possible pairs remain (100 %); a round can make at most 3 pairs" in html
    assert "relax a rule before running" not in html


def test_checking_rules_that_leave_no_pair_warns_and_runs_nothing(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    response = admin(org_a).post(
        _home(org_a, cohort.program.pk), _config(level_gap=10, preview="1")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "These rules leave no pair that a round could propose: relax a rule" in html
    assert (
        '<th scope="row">The mentor must be at least 10 levels more junior</th>'
        '<td class="number">4 (100 %)</td><td class="number">2</td><td class="number">2</td>'
    ) in html
    assert "0 of the 4 possible pairs remain (0 %); 2 mentees have no allowed mentor; " in html
    assert 'value="10"' in html  # the form keeps what was typed
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_checking_invalid_settings_is_a_400_with_field_messages(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    response = admin(org_a).post(
        _home(org_a, cohort.program.pk), _config(chain_levels="lots", preview="1")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a whole number." in html
    assert "Correct the settings above to see what the rules remove." in html


def test_large_programs_check_the_rules_on_request(
    org_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching.rounds.views import home

    monkeypatch.setattr(home, "IMPACT_ON_VISIT_MAX_PAIRS", 3)
    cohort = matching_cohort(org_a, 2)
    client = admin(org_a)
    html = client.get(_home(org_a, cohort.program.pk)).content.decode()
    assert "This program is large: check what the rules remove with the button below." in html
    html = client.post(_home(org_a, cohort.program.pk), _config(preview="1")).content.decode()
    assert "4 of the 4 possible pairs remain (100 %)" in html


def test_the_default_settings_give_the_demo_a_workable_first_round(db: None) -> None:
    from mentoring.demo import seed_demo
    from organizations.models import Organization
    from organizations.scope import tenant_scope
    from programs.models import Program, ProgramStatus

    seed_demo()
    with tenant_scope(Organization.objects.get(slug="demo")):
        program = Program.objects.get(status=ProgramStatus.MATCHING)
        initial = RoundConfigForm.initial_from(None)
        rules = {name: initial[name] for name in RULE_SETTINGS}
        impact = rules_impact(program, rules)
        assert impact is not None
        assert (impact.mentees_without, impact.most_pairs) == (0, impact.mentees)
        weights = {c: initial[f"weight_{c}"] for c in CRITERIA}
        matching_round = round_create(program=program, actor=None, weights=weights, rules=rules)
        round_start(matching_round=matching_round, actor=None)
        assert run_round(round_id=matching_round.pk) == "proposed"
        matching_round.refresh_from_db()
        assert matching_round.stats["matched"] == impact.mentees
