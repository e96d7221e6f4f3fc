"""The round use cases: one function per action, and a refusal that reads the same from the use
case, the page and the API (and from a service called with a forbidden person)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.utils.html import escape

from core.access import Forbidden
from matching.models import MatchingBlock, MatchingPin, MatchingRound, Pair, RoundStatus
from matching.rounds import access, use_cases
from matching.rounds.editing import block_create, pin_create
from matching.rounds.publish import round_publish
from organizations.models import Membership
from tests.conftest import Tenant, login
from tests.matching.test_rounds_builders import WEIGHTS, matching_cohort, proposed_round
from tests.participants.test_enrollment_builders import assign_coordinator

Ids = dict[str, int]
Request = tuple[str, str, dict[str, Any]]  # method, path after the organisation, data


@dataclass(frozen=True)
class Action:
    use_case: Callable[[Membership, Ids], Any]
    page: Callable[[Ids], Request]
    api: Callable[[Ids], Request] | None


def _matching(ids: Ids, rest: str = "") -> str:
    return f"programs/{ids['program']}/matching/{rest}"


def _round(ids: Ids, rest: str = "") -> str:
    return _matching(ids, f"rounds/{ids['round']}/{rest}")


PAGE_CONFIG = {"weight_complementarity": "5", "level_gap": "1", "chain_levels": "3"}
PAGE_CONFIG |= {"mode": "score_first"}
PAGE_CONFIG |= {f"weight_{c}": "0" for c in ("interests", "focus", "availability", "time_zone")}
PAGE_CONFIG |= {f"weight_{c}": "0" for c in ("language", "meeting_format", "diversity")}
PAGE_CONFIG |= {"weight_questions": "0"}

# Every action of the rounds feature: its use case, its page request and its API request.
ACTIONS: dict[str, Action] = {
    "view a round": Action(
        lambda m, ids: use_cases.view_round(actor=m, round_id=ids["round"]),
        lambda ids: ("GET", _round(ids), {}),
        lambda ids: ("GET", f"matching/rounds/{ids['round']}/", {}),
    ),
    "run a new round": Action(
        lambda m, ids: use_cases.run_new_round(actor=m, program_id=ids["program"], weights=WEIGHTS),
        lambda ids: ("POST", _matching(ids), PAGE_CONFIG),
        lambda ids: ("POST", "matching/rounds/", {"program": ids["program"], "weights": WEIGHTS}),
    ),
    "preview a round": Action(
        lambda m, ids: use_cases.preview_round(actor=m, program_id=ids["program"], weights=WEIGHTS),
        lambda ids: ("POST", _matching(ids, "what-if/"), PAGE_CONFIG),
        lambda ids: (
            "POST",
            "matching/rounds/what-if/",
            {"program": ids["program"], "weights": WEIGHTS},
        ),
    ),
    "start a round": Action(
        lambda m, ids: use_cases.start_round(actor=m, round_id=ids["round"]),
        lambda ids: ("POST", _round(ids, "run/"), {}),
        lambda ids: ("POST", f"matching/rounds/{ids['round']}/start/", {}),
    ),
    "compare rounds": Action(
        lambda m, ids: use_cases.compare_rounds(
            actor=m, round_id=ids["round"], other_id=ids["other"]
        ),
        lambda ids: ("GET", _round(ids, "compare/"), {"with": ids["other"]}),
        lambda ids: ("GET", f"matching/rounds/{ids['round']}/compare/", {"with": ids["other"]}),
    ),
    "swap two partners": Action(
        lambda m, ids: use_cases.swap_partners(
            actor=m, round_id=ids["round"], pair_a_id=ids["a"], pair_b_id=ids["b"], apply=True
        ),
        lambda ids: ("POST", _round(ids, f"proposals/{ids['a']}/swap/"), {"pair_b": ids["b"]}),
        lambda ids: (
            "POST",
            f"matching/rounds/{ids['round']}/swap/",
            {"pair_a": ids["a"], "pair_b": ids["b"]},
        ),
    ),
    "pin a proposal": Action(
        lambda m, ids: use_cases.pin_proposal(actor=m, round_id=ids["round"], proposal_id=ids["a"]),
        lambda ids: ("POST", _round(ids, f"proposals/{ids['a']}/pin/"), {}),
        None,
    ),
    "block a proposal": Action(
        lambda m, ids: use_cases.block_proposal(
            actor=m, round_id=ids["round"], proposal_id=ids["a"]
        ),
        lambda ids: ("POST", _round(ids, f"proposals/{ids['a']}/block/"), {}),
        None,
    ),
    "pin a pair": Action(
        lambda m, ids: use_cases.pin_pair(
            actor=m, program_id=ids["program"], mentor_id=ids["mentor"], mentee_id=ids["mentee"]
        ),
        lambda ids: (
            "POST",
            _matching(ids, "pins/"),
            {"pin-mentor": ids["mentor"], "pin-mentee": ids["mentee"]},
        ),
        lambda ids: (
            "POST",
            "matching/pins/",
            {"program": ids["program"], "mentor": ids["mentor"], "mentee": ids["mentee"]},
        ),
    ),
    "block a pair": Action(
        lambda m, ids: use_cases.block_pair(
            actor=m, program_id=ids["program"], mentor_id=ids["mentor"], mentee_id=ids["mentee"]
        ),
        lambda ids: (
            "POST",
            _matching(ids, "blocks/"),
            {"block-mentor": ids["mentor"], "block-mentee": ids["mentee"]},
        ),
        lambda ids: (
            "POST",
            "matching/blocks/",
            {"program": ids["program"], "mentor": ids["mentor"], "mentee": ids["mentee"]},
        ),
    ),
    "remove a pin": Action(
        lambda m, ids: use_cases.remove_pin(actor=m, pin_id=ids["pin"]),
        lambda ids: ("POST", _matching(ids, f"pins/{ids['pin']}/remove/"), {}),
        lambda ids: ("DELETE", f"matching/pins/{ids['pin']}/", {}),
    ),
    "remove a block": Action(
        lambda m, ids: use_cases.remove_block(actor=m, block_id=ids["block"]),
        lambda ids: ("POST", _matching(ids, f"blocks/{ids['block']}/remove/"), {}),
        lambda ids: ("DELETE", f"matching/blocks/{ids['block']}/", {}),
    ),
    "publish a round": Action(
        lambda m, ids: use_cases.publish_round(actor=m, round_id=ids["round"]),
        lambda ids: ("POST", _round(ids, "publish/"), {}),
        lambda ids: ("POST", f"matching/rounds/{ids['round']}/publish/", {}),
    ),
}
# The actions that name their program in the body on the API (a field error there, not a 404).
PROGRAM_IN_THE_BODY = {"run a new round", "preview a round", "pin a pair", "block a pair"}


@pytest.fixture
def ids(org_a: Tenant) -> Ids:
    """A proposed round of three pairs and another to compare with, a pin and a block."""
    cohort = matching_cohort(org_a, 3)
    matching_round = proposed_round(org_a, cohort)
    other = proposed_round(org_a, cohort, weights={"interests": 1})
    with org_a.scope():
        a, b, c = matching_round.proposals.order_by("id")
        pin = pin_create(
            program=cohort.program, actor=org_a.admin.user, mentor=c.mentor, mentee=c.mentee
        )
        block = block_create(
            program=cohort.program, actor=org_a.admin.user, mentor=a.mentor, mentee=c.mentee
        )
    return {
        "program": cohort.program.pk,
        "round": matching_round.pk,
        "other": other.pk,
        "a": a.pk,
        "b": b.pk,
        "mentor": b.mentor_id,
        "mentee": a.mentee_id,
        "pin": pin.pk,
        "block": block.pk,
    }


def _page(tenant: Tenant, client: Client, request: Request) -> Any:
    method, path, data = request
    url = f"/o/{tenant.slug}/{path}"
    return client.get(url, data) if method == "GET" else client.post(url, data)


def _api(tenant: Tenant, client: Client, request: Request) -> Any:
    method, path, data = request
    url = f"/api/v1/o/{tenant.slug}/{path}"
    if method == "GET":
        return client.get(url, data)
    return client.generic(method, url, data=json.dumps(data), content_type="application/json")


def _nothing_changed(tenant: Tenant, ids: Ids) -> None:
    with tenant.scope():
        assert MatchingRound.objects.count() == 2
        assert MatchingRound.objects.get(pk=ids["round"]).status == RoundStatus.PROPOSED
        assert list(MatchingPin.objects.values_list("pk", flat=True)) == [ids["pin"]]
        assert list(MatchingBlock.objects.values_list("pk", flat=True)) == [ids["block"]]
        assert not Pair.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", ACTIONS)
def test_a_member_is_refused_alike_by_the_use_case_the_page_and_the_api(
    org_a: Tenant, ids: Ids, name: str
) -> None:
    action = ACTIONS[name]
    with org_a.scope(), pytest.raises(Forbidden) as refused:
        action.use_case(org_a.member, ids)
    assert refused.value.message == access.MEMBERS_REFUSED

    client = login(Client(), org_a.member.user)
    page = _page(org_a, client, action.page(ids))
    assert page.status_code == 403
    assert escape(access.MEMBERS_REFUSED) in page.content.decode()
    if action.api is not None:
        api = _api(org_a, client, action.api(ids))
        assert api.status_code == 403
        assert api.json() == {"detail": access.MEMBERS_REFUSED, "fields": {}}
    _nothing_changed(org_a, ids)


@pytest.mark.parametrize("name", ACTIONS)
def test_a_coordinator_of_another_program_cannot_tell_it_exists(
    org_a: Tenant, ids: Ids, name: str
) -> None:
    action = ACTIONS[name]
    assign_coordinator(org_a, matching_cohort(org_a, 1).program)
    in_the_body = name in PROGRAM_IN_THE_BODY
    with org_a.scope():
        if in_the_body:
            with pytest.raises(ValidationError) as unknown:
                action.use_case(org_a.coordinator, ids)
            assert unknown.value.message_dict == {"program": [use_cases.UNKNOWN_PROGRAM]}
        else:
            with pytest.raises(Http404):
                action.use_case(org_a.coordinator, ids)

    client = login(Client(), org_a.coordinator.user)
    assert _page(org_a, client, action.page(ids)).status_code == 404
    if action.api is not None:
        api = _api(org_a, client, action.api(ids))
        if in_the_body:
            assert api.status_code == 400
            assert api.json()["fields"] == {"program": [use_cases.UNKNOWN_PROGRAM]}
        else:
            assert api.status_code == 404
    _nothing_changed(org_a, ids)


def test_services_refuse_a_forbidden_person_themselves(org_a: Tenant, ids: Ids) -> None:
    """Called from a shell or a task with a person, a service asks the policy too."""
    other = matching_cohort(org_a, 1)
    assign_coordinator(org_a, other.program)
    with org_a.scope():
        matching_round = MatchingRound.objects.select_related("program").get(pk=ids["round"])
        with pytest.raises(Forbidden) as refused:
            round_publish(matching_round=matching_round, actor=org_a.member.user)
        assert refused.value.message == access.MEMBERS_REFUSED
        pin = MatchingPin.objects.select_related("mentor__person", "mentee__person").get()
        with pytest.raises(Forbidden) as refused:
            block_create(
                program=matching_round.program,
                actor=org_a.coordinator.user,
                mentor=pin.mentor,
                mentee=pin.mentee,
            )
        assert refused.value.message == access.OTHER_PROGRAM_REFUSED
    _nothing_changed(org_a, ids)


def test_a_refused_publication_reads_the_same_on_the_page_and_in_the_api(
    org_a: Tenant, ids: Ids
) -> None:
    with org_a.scope():
        published = use_cases.publish_round(actor=org_a.admin, round_id=ids["round"])
        with pytest.raises(ValidationError) as again:
            use_cases.publish_round(actor=org_a.admin, round_id=ids["round"])
    assert published.round.status == RoundStatus.PUBLISHED
    assert len(published.pairs) == 3
    message = "This round is already published."
    assert again.value.messages == [message]
    client = login(Client(), org_a.admin.user)
    page = _page(org_a, client, ACTIONS["publish a round"].page(ids))
    assert page.status_code == 400
    assert message in page.content.decode()
    publish_api = ACTIONS["publish a round"].api
    assert publish_api is not None
    api = _api(org_a, client, publish_api(ids))
    assert api.status_code == 400
    assert api.json()["detail"] == message


def test_an_assigned_coordinator_reviews_and_publishes(org_a: Tenant, ids: Ids) -> None:
    with org_a.scope():
        program = MatchingRound.objects.select_related("program").get(pk=ids["round"]).program
    assign_coordinator(org_a, program)
    coordinator = org_a.coordinator
    with org_a.scope():
        preview = use_cases.swap_partners(
            actor=coordinator,
            round_id=ids["round"],
            pair_a_id=ids["a"],
            pair_b_id=ids["b"],
            apply=False,
            program_id=program.pk,
        )
        assert preview.applied is False
        compared = use_cases.compare_rounds(
            actor=coordinator, round_id=ids["round"], other_id=ids["other"]
        )
        assert compared.other.pk == ids["other"]
        with pytest.raises(ValidationError) as unknown:
            use_cases.compare_rounds(actor=coordinator, round_id=ids["round"], other_id=ids["a"])
        assert unknown.value.message_dict == {"with": [use_cases.COMPARE_WITH]}
        with pytest.raises(ValidationError) as unknown:
            use_cases.swap_partners(
                actor=coordinator,
                round_id=ids["round"],
                pair_a_id=ids["a"],
                pair_b_id=ids["other"],
                apply=True,
            )
        assert unknown.value.message_dict == {"pair_b": [use_cases.UNKNOWN_PAIR]}
        published = use_cases.publish_round(actor=coordinator, round_id=ids["round"])
    assert {pair.source_round_id for pair in published.pairs} == {ids["round"]}


def test_a_round_that_cannot_be_queued_is_not_left_as_a_draft(org_a: Tenant, ids: Ids) -> None:
    with org_a.scope():
        use_cases.start_round(actor=org_a.admin, round_id=ids["other"])
        with pytest.raises(ValidationError):
            use_cases.run_new_round(actor=org_a.admin, program_id=ids["program"], weights=WEIGHTS)
        assert MatchingRound.objects.count() == 2
