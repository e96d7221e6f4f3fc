"""The pair policy: who may act on a pair's life. Its services ask it, whoever calls them.

A person's relation to a pair is one of: **member** (its mentor or mentee), **staff** (admins;
coordinators assigned to its program), both (an admin who is also a mentee gets the union), or
none — then the pair does not exist for them (404, like another organisation's pair).

===========================  ======  =====  ======
permission                   member  staff  others
===========================  ======  =====  ======
pair.view                    yes     yes    404
pair.pause / pair.resume     yes     yes    404
pair.complete                yes     yes    404
pair.extend                  403     yes    404
pair.end (+ re-match)        403     yes    404
pair.request_rematch         yes     403    404
pair.see_figures             no      yes    404
===========================  ======  =====  ======

``pair.see_figures`` is what the program team reads and the pair cannot act on: the raw match
score and its breakdown, and "pinned by an administrator" in the rationale. Every reader asks
here: the pair page (``feedback.pairs.views``), the pair API (``matching.api.serializers``) and the
"your pair" email of publishing (addressed to a person of the pair, so it carries their view,
whatever else they are: an email can be forwarded). ``rationale_as_seen`` and ``score_as_seen``
apply it.

What each of them may *see* of the pair's sessions, notes, goals and check-ins is
``feedback.visibility``, built on these roles. The system (``actor=None``: nightly jobs, the demo)
acts without a person and is not asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from core import rows
from core.access import Access
from matching.models import Pair
from organizations.models import Membership
from organizations.scope import require_organization_id
from organizations.selectors import membership_of
from participants.models import Enrollment, Person
from programs.access import managed_programs, manages
from programs.models import Program

VIEW = "pair.view"
PAUSE = "pair.pause"
RESUME = "pair.resume"
COMPLETE = "pair.complete"
EXTEND = "pair.extend"
END = "pair.end"
REQUEST_REMATCH = "pair.request_rematch"
SEE_FIGURES = "pair.see_figures"

_MEMBER = {VIEW, PAUSE, RESUME, COMPLETE, REQUEST_REMATCH}
_STAFF = {VIEW, PAUSE, RESUME, COMPLETE, EXTEND, END, SEE_FIGURES}

# The engine ends a pinned pair's rationale with this (``matching.engine.explain``): a fact for the
# program team, not something the pair can act on.
PINNED_BY_ADMIN = "pinned by an administrator"
_REFUSALS = {
    EXTEND: "Only the staff of this program extend its pairs.",
    END: "Only the staff of this program end its pairs.",
    REQUEST_REMATCH: "Only the two people of this pair can ask for a re-match.",
}


@dataclass(frozen=True)
class PairRoles:
    """One person's relation to one pair."""

    pair: Pair
    # The person's own side of the pair (None for staff who are not in it).
    enrollment: Enrollment | None
    is_staff: bool

    @property
    def is_member(self) -> bool:
        return self.enrollment is not None

    @property
    def partner(self) -> Enrollment | None:
        if self.enrollment is None:
            return None
        pair = self.pair
        return pair.mentee if self.enrollment.pk == pair.mentor_id else pair.mentor

    @property
    def access(self) -> Access:
        granted: set[str] = set()
        if self.is_member:
            granted |= _MEMBER
        if self.is_staff:
            granted |= _STAFF
        return Access.of(granted, _REFUSALS)


def as_member(pair: Pair, enrollment: Enrollment) -> PairRoles:
    """The relation of one of the pair's people, as such (what an email to them may say)."""
    return PairRoles(pair=pair, enrollment=enrollment, is_staff=False)


def rationale_as_seen(rationale: str, roles: PairRoles) -> str:
    """The "why we were paired" text as this viewer reads it: the program team's in full; the
    pair's without "pinned by an administrator". One sentence, capitalised, with a full stop."""
    parts = [part.strip() for part in rationale.split("; ") if part.strip()]
    if not roles.access.allows(SEE_FIGURES):
        parts = [part for part in parts if part != PINNED_BY_ADMIN]
    text = "; ".join(parts)
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def score_as_seen(score: float | None, roles: PairRoles) -> float | None:
    """The raw match score for the program team; None for the pair's people."""
    return score if roles.access.allows(SEE_FIGURES) else None


class PairViewer:
    """One reader's relation to many pairs at once (an API list): which programs they manage is
    read once, not once per pair."""

    def __init__(self, *, membership: Membership, user: User) -> None:
        self.user = user
        self.all_programs = membership.is_admin
        self.programs: frozenset[int] = (
            frozenset()
            if self.all_programs or not membership.is_staff_role
            else frozenset(managed_programs(membership).values_list("pk", flat=True))
        )

    def roles(self, pair: Pair) -> PairRoles:
        """The reader's relation to a pair they can see (the list is already filtered)."""
        enrollment: Enrollment | None = None
        if pair.mentor.person.user_id == self.user.pk:
            enrollment = pair.mentor
        elif pair.mentee.person.user_id == self.user.pk:
            enrollment = pair.mentee
        is_staff = self.all_programs or pair.program_id in self.programs
        return PairRoles(pair=pair, enrollment=enrollment, is_staff=is_staff)


def visible_pairs(*, membership: Membership, user: User) -> QuerySet[Pair]:
    """Pairs one is in, plus the pairs of the programs one manages."""
    visible = Q(mentor__person__user=user) | Q(mentee__person__user=user)
    if membership.is_staff_role:
        visible |= Q(program__in=managed_programs(membership))
    return Pair.objects.filter(visible)


def roles_for(pair: Pair, *, membership: Membership, user: User) -> PairRoles | None:
    """The person's relation to the pair, or None when they may not see it at all."""
    enrollment: Enrollment | None = None
    if pair.mentor.person.user_id == user.pk:
        enrollment = pair.mentor
    elif pair.mentee.person.user_id == user.pk:
        enrollment = pair.mentee
    is_staff = membership.is_staff_role and manages(membership, pair.program_id)
    if enrollment is None and not is_staff:
        return None
    return PairRoles(pair=pair, enrollment=enrollment, is_staff=is_staff)


@cache
def _pair_sql() -> str:
    """The pair with its program and both people, as the ORM's ``select_related`` would read it,
    written once per process: every pair page and pair form opens the pair this way, and the ORM
    spent about 10k Python calls compiling the six-table join each time."""
    quote = connection.ops.quote_name
    tables = {
        alias: quote(model._meta.db_table)
        for alias, model in (
            ("p", Pair),
            ("g", Program),
            ("r", Enrollment),
            ("rp", Person),
            ("e", Enrollment),
            ("ep", Person),
        )
    }
    return (
        f"SELECT {rows.columns('p', Pair)}, {rows.columns('g', Program)}, "  # noqa: S608 (model names; values bound)
        f"{rows.columns('r', Enrollment)}, {rows.columns('rp', Person)}, "
        f"{rows.columns('e', Enrollment)}, {rows.columns('ep', Person)} "
        f"FROM {tables['p']} p JOIN {tables['g']} g ON g.id = p.program_id "
        f"JOIN {tables['r']} r ON r.id = p.mentor_id JOIN {tables['rp']} rp ON rp.id = r.person_id "
        f"JOIN {tables['e']} e ON e.id = p.mentee_id JOIN {tables['ep']} ep ON ep.id = e.person_id "
        "WHERE p.organization_id = %s AND p.id = %s"
    )


def _pair_with_people(pair_id: int) -> Pair | None:
    """``Pair.objects.select_related("program", "mentor__person", "mentee__person")`` by id, in
    the organisation in scope (one statement, ``_pair_sql``)."""
    organization_id = require_organization_id()
    with connection.cursor() as cursor:
        cursor.execute(_pair_sql(), [organization_id, pair_id])
        row = cursor.fetchone()
    if row is None:
        return None
    at = 0
    loaded: list[Any] = []
    for model in (Pair, Program, Enrollment, Person, Enrollment, Person):
        loaded.append(rows.instance(model, row[at : at + rows.width(model)]))
        at += rows.width(model)
    pair, program, mentor, mentor_person, mentee, mentee_person = loaded
    mentor.person = mentor_person
    mentee.person = mentee_person
    pair.program = program
    pair.mentor = mentor
    pair.mentee = mentee
    return pair


def pair_roles(pair_id: int, *, membership: Membership, user: User) -> PairRoles:
    """Load a pair with its people and the person's relation to it; Http404 when it is not
    theirs to see."""
    pair = _pair_with_people(pair_id)
    roles = roles_for(pair, membership=membership, user=user) if pair is not None else None
    if roles is None:
        raise Http404("No such pair.")
    return roles


def require(actor: User | None, pair: Pair, permission: str) -> None:
    """Refuse ``actor`` unless the policy grants ``permission`` on ``pair`` (services call this:
    a page, the API, a task and a shell are refused alike). ``None`` is the system."""
    if actor is None:
        return
    membership = membership_of(actor)
    roles = roles_for(pair, membership=membership, user=actor) if membership is not None else None
    if roles is None:
        raise Http404("No such pair.")
    roles.access.require(permission)
