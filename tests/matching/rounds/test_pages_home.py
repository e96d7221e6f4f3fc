"""The program's matching page: who may open it, the new-round form (prefill, validation, create
and queue), and the program's pins and blocks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from matching.engine.scoring import CRITERIA
from matching.models import MatchingBlock, MatchingPin, MatchingRound, RoundStatus
from matching.rounds.config import round_create
from matching.rounds.editing import pin_create
from matching.rounds.run import round_start
from organizations.models import AuditEntry
from programs.models import ProgramStatus
from tests.conftest import Tenant, login
from tests.matching.test_rounds_builders import (
    Cohort,
    matching_cohort,
    proposed_round,
)
from tests.participants.test_enrollment_builders import assign_coordinator, make_program


def home_url(tenant: Tenant, program_pk: int, rest: str = "") -> str:
    return f"/o/{tenant.slug}/programs/{program_pk}/matching/{rest}"


def config(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the new-round form (checkboxes: present means on)."""
    data: dict[str, Any] = {f"weight_{c}": "0" for c in CRITERIA}
    data.update({"weight_complementarity": "5", "weight_interests": "2", "weight_time_zone": "1"})
    data.update(
        {
            "junior_mentor": "on",
            "level_gap": "1",
            "allow_unknown_level": "on",
            "reporting_chain": "on",
            "chain_levels": "3",
            "rotation": "on",
            "admin_blocks": "on",
            "mode": "score_first",
        }
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def admin(tenant: Tenant) -> Client:
    return login(Client(), tenant.admin.user)


# --- Who may open it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "assigned", "status"),
    [
        ("admin", False, 200),
        ("coordinator", True, 200),
        ("coordinator", False, 404),
        ("member", False, 403),
    ],
)
def test_who_may_open_the_matching_page(
    org_a: Tenant, role: str, assigned: bool, status: int
) -> None:
    cohort = matching_cohort(org_a, 2)
    if assigned:
        assign_coordinator(org_a, cohort.program)
    client = login(Client(), getattr(org_a, role).user)
    assert client.get(home_url(org_a, cohort.program.pk)).status_code == status
    assert client.post(home_url(org_a, cohort.program.pk), config()).status_code in (
        status if status != 200 else 302,
    )


def test_coordinator_of_another_program_cannot_create_rounds_or_pins(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    other = make_program(org_a, status=ProgramStatus.MATCHING)
    assign_coordinator(org_a, other)
    client = login(Client(), org_a.coordinator.user)
    program = cohort.program.pk
    assert client.post(home_url(org_a, program), config()).status_code == 404
    pin = {"pin-mentor": cohort.mentors[0].pk, "pin-mentee": cohort.mentees[0].pk}
    assert client.post(home_url(org_a, program, "pins/"), pin).status_code == 404
    with org_a.scope():
        assert not MatchingRound.objects.exists()
        assert not MatchingPin.objects.exists()


def test_anonymous_is_sent_to_sign_in(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    response = Client().get(home_url(org_a, cohort.program.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_program_of_another_organisation_is_404(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    cohort = matching_cohort(org_a, 1)
    client = admin(org_b)
    assert client.get(home_url(org_b, cohort.program.pk)).status_code == 404
    assert client.post(home_url(org_b, cohort.program.pk), config()).status_code == 404


# --- The page ------------------------------------------------------------------------------------


def test_empty_state_and_default_weights(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    response = admin(org_a).get(home_url(org_a, cohort.program.pk))
    html = response.content.decode()
    assert "No rounds yet." in html
    assert "No pinned pairs." in html
    assert "No blocked pairs." in html
    assert "2 mentors and 2 mentees accepted." in html
    form = response.context["form"]
    assert form.initial["weight_complementarity"] == 5
    assert form.initial["junior_mentor"] is True
    assert form.initial["mode"] == "score_first"
    # Every weight has a label and a hint; the rules and the mode are grouped with legends.
    assert '<label for="id_weight_complementarity">Skills to learn' in html
    assert "The mentor can teach what the mentee wants to learn" in html
    assert "<legend>Criteria weights</legend>" in html
    assert "<legend>Hard rules</legend>" in html
    assert '<label for="id_level_gap">Levels more junior, at least' in html


def test_rounds_are_listed_with_their_figures_and_prefill_the_form(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(
        org_a, cohort, weights={"interests": 3, "language": 1}, mode="max_matched_first"
    )
    response = admin(org_a).get(home_url(org_a, cohort.program.pk))
    html = response.content.decode()
    assert f"Round {matching_round.number}</a>" in html
    assert "Proposed" in html
    assert "Most people matched, then score" in html
    assert f">{matching_round.stats['mean']:.1f}<" in html
    form = response.context["form"]
    assert form.initial["weight_interests"] == 3
    assert form.initial["weight_complementarity"] == 0
    assert form.initial["mode"] == "max_matched_first"


def test_what_if_prefills_from_the_chosen_round(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    first = proposed_round(org_a, cohort, weights={"complementarity": 7})
    proposed_round(org_a, cohort, weights={"interests": 4})
    response = admin(org_a).get(home_url(org_a, cohort.program.pk) + f"?from={first.pk}")
    assert response.status_code == 200
    assert response.context["form"].initial["weight_complementarity"] == 7
    assert "the settings of <a href" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "²", "99999999999999999999999", "0"])
def test_a_bad_what_if_source_is_a_clear_400(org_a: Tenant, value: str) -> None:
    cohort = matching_cohort(org_a, 1)
    response = admin(org_a).get(home_url(org_a, cohort.program.pk), {"from": value})
    assert response.status_code == 400
    assert "Choose a round of this program to start from." in response.content.decode()


def test_what_if_source_from_another_program_is_refused(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    other = matching_cohort(org_a, 1)
    foreign = proposed_round(org_a, other)
    response = admin(org_a).get(home_url(org_a, cohort.program.pk), {"from": foreign.pk})
    assert response.status_code == 400


def test_program_not_in_matching_says_why_and_refuses_a_round(org_a: Tenant) -> None:
    program = make_program(org_a)  # enrolling
    client = admin(org_a)
    html = client.get(home_url(org_a, program.pk)).content.decode()
    assert "Rounds run while the program is matching" in html
    assert "Run the round" not in html
    response = client.post(home_url(org_a, program.pk), config())
    assert response.status_code == 400
    assert "Move the program to its matching phase" in response.content.decode()
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_running_round_hides_the_form_and_links_to_it(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    with org_a.scope():
        running = round_create(
            program=cohort.program, actor=org_a.admin.user, weights={"interests": 1}
        )
        round_start(matching_round=running, actor=org_a.admin.user)
    html = admin(org_a).get(home_url(org_a, cohort.program.pk)).content.decode()
    assert f"Round {running.number} is queued." in html
    assert "Follow its progress" in html


# --- Creating a round -----------------------------------------------------------------------------


def test_post_creates_and_queues_a_round_with_the_config(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    data = config(weight_questions="2.5", level_gap="2", allow_unknown_level=None)
    data["mode"] = "max_matched_first"
    data["different_department"] = "on"
    response = admin(org_a).post(home_url(org_a, cohort.program.pk), data)
    with org_a.scope():
        matching_round = MatchingRound.objects.get()
        assert AuditEntry.objects.filter(action="matching.round_create").exists()
        assert AuditEntry.objects.filter(action="matching.round_start").exists()
    assert response.status_code == 302
    assert response["Location"] == home_url(
        org_a, cohort.program.pk, f"rounds/{matching_round.pk}/"
    )
    assert matching_round.status == RoundStatus.QUEUED
    assert matching_round.weights["questions"] == 2.5
    assert matching_round.weights["complementarity"] == 5
    assert matching_round.rules["level_gap"] == 2
    assert matching_round.rules["allow_unknown_level"] is False
    assert matching_round.rules["different_department"] is True
    assert matching_round.rules["shared_language"] is False
    assert matching_round.mode == "max_matched_first"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"weight_interests": "11"}, "weight_interests", "less than or equal to 10"),
        ({"weight_interests": "-1"}, "weight_interests", "greater than or equal to 0"),
        ({"weight_interests": "lots"}, "weight_interests", "Enter a number."),
        ({"weight_interests": "nan"}, "weight_interests", "Enter a number."),
        ({"weight_interests": "inf"}, "weight_interests", "Enter a number."),
        ({"weight_interests": None}, "weight_interests", "This field is required."),
        ({"level_gap": "-1"}, "level_gap", "greater than or equal to 0"),
        ({"level_gap": "1.5"}, "level_gap", "Enter a whole number."),
        ({"chain_levels": "0"}, "chain_levels", "greater than or equal to 1"),
        ({"chain_levels": "99999999999999999999"}, "chain_levels", "less than or equal to 64"),
        ({"mode": "greedy"}, "mode", "Select a valid choice."),
    ],
)
def test_bad_config_is_a_400_with_field_messages(
    org_a: Tenant, overrides: dict[str, Any], field: str, message: str
) -> None:
    cohort = matching_cohort(org_a, 1)
    response = admin(org_a).post(home_url(org_a, cohort.program.pk), config(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_all_weights_zero_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    zero = {f"weight_{c}": "0" for c in CRITERIA}
    response = admin(org_a).post(home_url(org_a, cohort.program.pk), config(**zero))
    assert response.status_code == 400
    assert "Give at least one criterion a weight above 0." in response.content.decode()
    with org_a.scope():
        assert not MatchingRound.objects.exists()


def test_a_round_that_cannot_be_queued_leaves_no_draft(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    with org_a.scope():
        running = round_create(
            program=cohort.program, actor=org_a.admin.user, weights={"interests": 1}
        )
        round_start(matching_round=running, actor=org_a.admin.user)
    response = admin(org_a).post(home_url(org_a, cohort.program.pk), config())
    assert response.status_code == 400
    assert "already queued or running" in response.content.decode()
    with org_a.scope():
        assert list(MatchingRound.objects.values_list("pk", flat=True)) == [running.pk]


def test_program_without_mentees_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    with org_a.scope():
        cohort.mentees[0].delete()
    response = admin(org_a).post(home_url(org_a, cohort.program.pk), config())
    assert response.status_code == 400
    assert "no accepted mentees" in response.content.decode()


# --- Pins and blocks --------------------------------------------------------------------------


def _pair(cohort: Cohort, kind: str, mentor: int, mentee: int) -> dict[str, Any]:
    return {
        f"{kind}-mentor": cohort.mentors[mentor].pk,
        f"{kind}-mentee": cohort.mentees[mentee].pk,
    }


def test_pin_and_block_are_added_listed_and_removed(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = admin(org_a)
    program = cohort.program.pk
    response = client.post(home_url(org_a, program, "pins/"), _pair(cohort, "pin", 0, 1))
    assert response.status_code == 302
    response = client.post(home_url(org_a, program, "blocks/"), _pair(cohort, "block", 1, 1))
    assert response.status_code == 302
    page = client.get(home_url(org_a, program))
    html = page.content.decode()
    mentor0 = cohort_name(org_a, cohort, "mentors", 0)
    assert f'Remove<span class="visually-hidden"> the pin of {mentor0}' in html
    assert "is pinned: every round proposes them" in html
    with org_a.scope():
        pin = MatchingPin.objects.get()
        block = MatchingBlock.objects.get()
        assert AuditEntry.objects.filter(action="matching.pin_create").exists()
        assert AuditEntry.objects.filter(action="matching.block_create").exists()
    assert client.post(home_url(org_a, program, f"pins/{pin.pk}/remove/")).status_code == 302
    assert client.post(home_url(org_a, program, f"blocks/{block.pk}/remove/")).status_code == 302
    with org_a.scope():
        assert not MatchingPin.objects.exists()
        assert not MatchingBlock.objects.exists()
        assert AuditEntry.objects.filter(action="matching.pin_delete").exists()
        assert AuditEntry.objects.filter(action="matching.block_delete").exists()


def cohort_name(tenant: Tenant, cohort: Cohort, side: str, index: int) -> str:
    with tenant.scope():
        enrollment = getattr(cohort, side)[index]
        enrollment.refresh_from_db()
        return str(enrollment.person.full_name)


def test_pin_breaking_a_hard_rule_is_a_400_and_nothing_changes(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    with org_a.scope():
        person = cohort.mentors[0].person
        person.level = 9  # more senior than the mentee: "mentor must be more junior"
        person.save(update_fields=["level"])
    response = admin(org_a).post(
        home_url(org_a, cohort.program.pk, "pins/"), _pair(cohort, "pin", 0, 0)
    )
    assert response.status_code == 400
    assert "breaks a hard rule" in response.content.decode()
    with org_a.scope():
        assert not MatchingPin.objects.exists()


def test_pinning_a_mentee_twice_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = admin(org_a)
    url = home_url(org_a, cohort.program.pk, "pins/")
    assert client.post(url, _pair(cohort, "pin", 0, 0)).status_code == 302
    response = client.post(url, _pair(cohort, "pin", 1, 0))
    assert response.status_code == 400
    assert "is already pinned" in response.content.decode()


def test_blocking_a_pinned_pair_is_a_400(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 2)
    client = admin(org_a)
    program = cohort.program.pk
    assert (
        client.post(home_url(org_a, program, "pins/"), _pair(cohort, "pin", 0, 0)).status_code
        == 302
    )
    response = client.post(home_url(org_a, program, "blocks/"), _pair(cohort, "block", 0, 0))
    assert response.status_code == 400
    assert "remove the pin before blocking it" in response.content.decode()
    with org_a.scope():
        assert not MatchingBlock.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"pin-mentor": "abc"}, "mentor"),
        ({"pin-mentor": "99999999999999999999999"}, "mentor"),
        ({"pin-mentor": ""}, "mentor"),
        ("mentee-as-mentor", "mentor"),
        ("other-program", "mentee"),
    ],
)
def test_pin_with_a_bad_person_is_a_field_error(org_a: Tenant, data: Any, field: str) -> None:
    cohort = matching_cohort(org_a, 2)
    other = matching_cohort(org_a, 1)
    post = _pair(cohort, "pin", 0, 0)
    if data == "mentee-as-mentor":
        post["pin-mentor"] = cohort.mentees[1].pk
    elif data == "other-program":
        post["pin-mentee"] = other.mentees[0].pk
    else:
        post.update(data)
    response = admin(org_a).post(home_url(org_a, cohort.program.pk, "pins/"), post)
    assert response.status_code == 400
    assert field in response.context["pin_form"].errors
    with org_a.scope():
        assert not MatchingPin.objects.exists()


def test_pin_with_a_person_of_another_organisation_is_a_field_error(
    tenants: tuple[Tenant, Tenant],
) -> None:
    org_a, org_b = tenants
    cohort = matching_cohort(org_a, 1)
    foreign = matching_cohort(org_b, 1)
    post = _pair(cohort, "block", 0, 0)
    post["block-mentor"] = foreign.mentors[0].pk
    response = admin(org_a).post(home_url(org_a, cohort.program.pk, "blocks/"), post)
    assert response.status_code == 400
    assert "Choose a mentor accepted in this program." in response.content.decode()


def test_removing_a_pin_of_another_program_is_404(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    other = matching_cohort(org_a, 1)
    with org_a.scope():
        pin = pin_create(
            program=other.program,
            actor=org_a.admin.user,
            mentor=other.mentors[0],
            mentee=other.mentees[0],
        )
    response = admin(org_a).post(home_url(org_a, cohort.program.pk, f"pins/{pin.pk}/remove/"))
    assert response.status_code == 404
    with org_a.scope():
        assert MatchingPin.objects.filter(pk=pin.pk).exists()


def test_pin_and_block_pages_refuse_get(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    assert admin(org_a).get(home_url(org_a, cohort.program.pk, "pins/")).status_code == 405
