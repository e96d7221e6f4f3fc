"""Who may do what with a program's matching rounds: one policy, asked by the use cases, the
services, the pages and the API (DESIGN.md §4). Built on the program staff policy
(``programs.access``): a round, its proposals and unmatched people, and the program's pins and
blocks (which every later round obeys) belong to one program, so access to any of them is access
to the program's matching.

===============================================  =====  ===========  ===========  ======
permission                                       admin  coordinator  coordinator  member
                                                        (assigned)   (other)
===============================================  =====  ===========  ===========  ======
round.view: rounds, progress, proposals,         yes    yes          404          403
  unmatched people, compare, pins and blocks
round.run: create a round, queue it, run again   yes    yes          404          403
round.edit: pin, block (and remove them), swap   yes    yes          404          403
  two partners (also its preview)
round.publish: create the pairs, email them      yes    yes          404          403
===============================================  =====  ===========  ===========  ======

A member's role never works on matching, so they are refused (403) whatever the id: the answer
tells nothing about the program. A coordinator cannot tell that a program they are not assigned to
exists (404), exactly like another organisation's program. Ids arriving in a form or a JSON body
are field errors instead of a 404 (DESIGN.md §3): that is the use cases' business.

What state a round is in (running, proposed, published) is not access: the services refuse, say,
publishing a published round with a 400 and the reason. The round's task acts for whoever queued
the round; services called by the system (the task, demo seeding, the bench) pass no actor.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from core.access import Access, Forbidden
from matching import selectors
from matching.models import MatchingBlock, MatchingPin, MatchingRound, ProposedPair
from organizations.models import Membership
from organizations.selectors import membership_of
from programs import access as program_staff
from programs.models import Program

VIEW = "round.view"
RUN = "round.run"
EDIT = "round.edit"
PUBLISH = "round.publish"
PERMISSIONS = (VIEW, RUN, EDIT, PUBLISH)

MEMBERS_REFUSED = "Only admins and the program's coordinators work on matching rounds."
OTHER_PROGRAM_REFUSED = "Only an admin or a coordinator of this program works on its matching."
OUTSIDER_REFUSED = "Only the staff of this organisation work on matching rounds."

Subject = Program | MatchingRound | MatchingPin | MatchingBlock


def _refused(message: str) -> Access:
    return Access.of((), dict.fromkeys(PERMISSIONS, message))


def _program_id(subject: Subject) -> int:
    return subject.pk if isinstance(subject, Program) else subject.program_id


def access_for(membership: Membership, subject: Subject) -> Access:
    """The permissions ``membership`` holds on a program's matching, or on one of its rounds, pins
    or blocks (the same thing: see the table)."""
    if not membership.is_staff_role:
        return _refused(MEMBERS_REFUSED)
    if not program_staff.manages(membership, _program_id(subject)):
        return _refused(OTHER_PROGRAM_REFUSED)
    return Access.of(PERMISSIONS)


def require(actor: User | None, subject: Subject, permission: str) -> None:
    """The services' own check, so that a forbidden call fails alike from a page, the API, a task
    or a shell: ``Forbidden`` unless ``actor`` holds ``permission``. ``None`` is the system."""
    if actor is None:
        return
    membership = membership_of(actor)
    if membership is None:
        raise Forbidden(OUTSIDER_REFUSED)
    access_for(membership, subject).require(permission)


# --- What one may see: querysets and ids resolved through the policy ----------------------------


def require_staff_role(membership: Membership) -> None:
    """Members are refused before any id is looked at (403 whatever the id)."""
    if not membership.is_staff_role:
        raise Forbidden(MEMBERS_REFUSED)


def visible_programs(membership: Membership) -> QuerySet[Program]:
    require_staff_role(membership)
    return program_staff.managed_programs(membership)


def visible_rounds(membership: Membership) -> QuerySet[MatchingRound]:
    require_staff_role(membership)
    return selectors.round_list(membership=membership)


def visible_pins(membership: Membership) -> QuerySet[MatchingPin]:
    require_staff_role(membership)
    return selectors.pin_list(membership=membership)


def visible_blocks(membership: Membership) -> QuerySet[MatchingBlock]:
    require_staff_role(membership)
    return selectors.block_list(membership=membership)


def program_for(membership: Membership, program_id: int) -> Program:
    """The program (from the URL) whose matching ``membership`` works on; Http404 otherwise."""
    program = visible_programs(membership).filter(pk=program_id).first()
    if program is None:
        raise Http404("No such program.")
    return program


def round_for(
    membership: Membership, round_id: int, *, program_id: int | None = None
) -> MatchingRound:
    """The round (from the URL, of ``program_id`` when given) with its program; Http404 when
    ``membership`` does not run its program or it is not one of that program's rounds."""
    rounds = visible_rounds(membership).select_related("rematch_for__person")
    if program_id is not None:
        rounds = rounds.filter(program_id=program_id)
    matching_round = rounds.filter(pk=round_id).first()
    if matching_round is None:
        raise Http404("No such round.")
    return matching_round


def proposal_for(matching_round: MatchingRound, proposal_id: int) -> ProposedPair:
    """A proposal (from the URL) of a round already resolved; Http404 for another round's."""
    proposal = (
        selectors.proposal_list(matching_round=matching_round)
        .select_related("round__program")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal
