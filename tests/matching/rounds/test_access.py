"""The rounds policy as a table: what each role may do with a program's rounds, pins and blocks,
and how a round is resolved for each (found, 404, 403)."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404

from core.access import Forbidden
from matching.models import MatchingBlock, MatchingPin, MatchingRound
from matching.rounds import access
from matching.rounds.editing import block_create, pin_create
from organizations.models import Membership
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import Cohort, matching_cohort, proposed_round
from tests.participants.test_enrollment_builders import assign_coordinator

# The module docstring's table, as data: the permissions each role holds, and what resolving one
# of the program's rounds (or its program) answers.
GRANTED = frozenset(access.PERMISSIONS)
TABLE: dict[str, tuple[frozenset[str], str, Any]] = {
    # role: (permissions granted, reason for the others, resolving the round)
    "admin": (GRANTED, "", "found"),
    "assigned coordinator": (GRANTED, "", "found"),
    "other coordinator": (frozenset(), access.OTHER_PROGRAM_REFUSED, Http404),
    "member": (frozenset(), access.MEMBERS_REFUSED, Forbidden),
}


def _membership(tenant: Tenant, role: str, cohort: Cohort) -> Membership:
    if role == "assigned coordinator":
        assign_coordinator(tenant, cohort.program)
    if role.endswith("coordinator"):
        return tenant.coordinator
    membership: Membership = getattr(tenant, role)
    return membership


@pytest.fixture
def setup(org_a: Tenant) -> dict[str, Any]:
    cohort = matching_cohort(org_a, 2)
    matching_round = proposed_round(org_a, cohort)
    with org_a.scope():
        pin = pin_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[0],
            mentee=cohort.mentees[0],
        )
        block = block_create(
            program=cohort.program,
            actor=org_a.admin.user,
            mentor=cohort.mentors[1],
            mentee=cohort.mentees[0],
        )
    return {"cohort": cohort, "round": matching_round, "pin": pin, "block": block}


@pytest.mark.parametrize("role", TABLE)
def test_permissions_per_role(org_a: Tenant, setup: dict[str, Any], role: str) -> None:
    granted, reason, _ = TABLE[role]
    membership = _membership(org_a, role, setup["cohort"])
    subjects = (setup["cohort"].program, setup["round"], setup["pin"], setup["block"])
    with org_a.scope():
        for subject in subjects:
            policy = access.access_for(membership, subject)
            assert policy.granted == granted, (role, subject)
            for permission in access.PERMISSIONS:
                assert policy.allows(permission) == (permission in granted)
                if permission not in granted:
                    with pytest.raises(Forbidden) as refused:
                        policy.require(permission)
                    assert refused.value.message == reason


@pytest.mark.parametrize("role", TABLE)
def test_resolving_a_round_per_role(org_a: Tenant, setup: dict[str, Any], role: str) -> None:
    _, _, expected = TABLE[role]
    membership = _membership(org_a, role, setup["cohort"])
    matching_round: MatchingRound = setup["round"]
    resolvers = (
        lambda: access.round_for(membership, matching_round.pk),
        lambda: access.round_for(
            membership, matching_round.pk, program_id=setup["cohort"].program.pk
        ),
        lambda: access.program_for(membership, setup["cohort"].program.pk),
    )
    with org_a.scope():
        for resolve in resolvers:
            if expected == "found":
                assert resolve().pk in (matching_round.pk, setup["cohort"].program.pk)
            else:
                with pytest.raises(expected):
                    resolve()


@pytest.mark.parametrize("role", TABLE)
def test_what_each_role_lists(org_a: Tenant, setup: dict[str, Any], role: str) -> None:
    other = proposed_round(org_a, matching_cohort(org_a, 1))  # a program nobody is assigned to
    _, _, expected = TABLE[role]
    membership = _membership(org_a, role, setup["cohort"])
    with org_a.scope():
        if expected is Forbidden:
            for listing in (access.visible_rounds, access.visible_pins, access.visible_blocks):
                with pytest.raises(Forbidden):
                    listing(membership)
            return
        rounds = set(access.visible_rounds(membership).values_list("pk", flat=True))
        pins = set(access.visible_pins(membership).values_list("pk", flat=True))
        blocks = set(access.visible_blocks(membership).values_list("pk", flat=True))
    if role == "admin":
        assert rounds == {setup["round"].pk, other.pk}
    elif role == "assigned coordinator":
        assert rounds == {setup["round"].pk}
    else:
        assert rounds == set()
    sees_program = expected == "found"
    assert pins == ({setup["pin"].pk} if sees_program else set())
    assert blocks == ({setup["block"].pk} if sees_program else set())


def test_proposal_of_another_round_is_not_found(org_a: Tenant) -> None:
    cohort = matching_cohort(org_a, 1)
    first = proposed_round(org_a, cohort)
    second = proposed_round(org_a, cohort, rules={"rotation": False})
    with org_a.scope():
        proposal = first.proposals.get()
        assert access.proposal_for(first, proposal.pk) == proposal
        with pytest.raises(Http404):
            access.proposal_for(second, proposal.pk)


@pytest.mark.parametrize("role", TABLE)
def test_services_ask_the_same_policy_of_a_person(
    org_a: Tenant, setup: dict[str, Any], role: str
) -> None:
    granted, reason, _ = TABLE[role]
    membership = _membership(org_a, role, setup["cohort"])
    with org_a.scope():
        for permission in access.PERMISSIONS:
            if permission in granted:
                access.require(membership.user, setup["round"], permission)
            else:
                with pytest.raises(Forbidden) as refused:
                    access.require(membership.user, setup["round"], permission)
                assert refused.value.message == reason
            access.require(None, setup["round"], permission)  # the system (the round's task)


def test_pins_and_blocks_are_the_programs_matching(org_a: Tenant, setup: dict[str, Any]) -> None:
    """A pin or a block answers like its program, whichever round one came from."""
    other = matching_cohort(org_a, 1)
    assign_coordinator(org_a, other.program)
    with org_a.scope():
        pin = MatchingPin.objects.get(pk=setup["pin"].pk)
        block = MatchingBlock.objects.get(pk=setup["block"].pk)
        for subject in (pin, block):
            assert not access.access_for(org_a.coordinator, subject).allows(access.EDIT)
        assert access.access_for(org_a.coordinator, other.program).allows(access.EDIT)
