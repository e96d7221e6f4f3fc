"""Who sees what of a pair's life: the written policy (DESIGN.md §4), one place, tested per role.

A viewer of a pair is one of: a **member** of the pair (its mentor or mentee), **staff** who manage
the program (admins; coordinators assigned to it), or nobody (every other member of the
organisation gets 404, like another organisation's pair). One person can be both member and staff
(an admin who is also a mentee): they get the union.

===============================================  ======  =========  ======  =======
What                                             author  partner    staff   others
===============================================  ======  =========  ======  =======
pair: people, status, dates, rationale            yes     yes        yes     404
match score, its breakdown, "pinned by an         no      no         yes     404
  administrator" (``matching.access``: pair.see_figures)
session facts: date, duration, format, topics,    yes     yes        yes     404
  status, who logged / confirmed
session text: what was learned, action items      yes     yes        never   404
planned session: day, time, length, status        yes     yes        yes     404
planned session: place or link, note              yes     yes        never   404
shared note text                                  yes     yes        never   404
private note text (and that it exists: its audit  yes     never      never   404
  entries are private, AuditEntry.private)
goals: owner, description, target, progress       yes     yes        yes     404
goal update comments                              yes     yes        never   404
check-in answers: rating, blockers, "contact me"  yes     never      yes     404
engagement score and its reasons                  no      no         yes     404
mid-review decisions and notes                    no      no         yes     404
===============================================  ======  =========  ======  =======

Pages, API serializers and emails read this module; nothing else decides. Private text is never
serialised for anyone but its author: the API picks its serializer from :class:`PairAccess`.

A check-in is its person's to answer (signed in, or through the signed link of its email); the
program's staff read it; nobody else can address it (404): ``check_in_access``.

Who may *act* on the pair's life (pause, extend, end…) is ``matching.access``; what the pair's
people write here (sessions, notes, goals, invitations) is theirs alone:

============================================  ======  =======  =====
action                                         member  partner  staff
============================================  ======  =======  =====
session.log, note.create, goal.create,         yes     yes      403
  goal.progress, session.invite (.ics),
  planned session: plan, move, cancel (pair.write)
session: edit facts before confirmation        logger  403      403
session: edit text after confirmation          yes     yes      403
session: confirm / correct                     403     yes      403
note: edit / delete                            author  404      404
============================================  ======  =======  =====
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from core.access import Access, Forbidden
from feedback.models import (
    CheckIn,
    Goal,
    GoalUpdate,
    Note,
    NoteVisibility,
    PlannedSession,
    SessionLog,
    SessionStatus,
)
from matching import access as pair_policy
from matching.access import PairRoles
from matching.models import Pair
from organizations.models import Membership
from organizations.selectors import membership_of
from participants.models import Enrollment
from programs.access import manages

LOG_SESSION = "session.log"
WRITE = "pair.write"  # notes, goals, progress, calendar invitations: the pair's own writing

_MEMBERS_ONLY = "Only the two people of this pair do this."


@dataclass(frozen=True)
class PairAccess(PairRoles):
    """What one viewer may see of one pair, and write in it."""

    @property
    def access(self) -> Access:
        life = super().access
        writing = {LOG_SESSION, WRITE} if self.is_member else set()
        return Access.of(
            life.granted | writing,
            {**life.refusals, LOG_SESSION: _MEMBERS_ONLY, WRITE: _MEMBERS_ONLY},
        )

    def member(self) -> Enrollment:
        """The viewer's side of the pair; staff who see it without being in it are refused."""
        if self.enrollment is None:
            raise Forbidden(_MEMBERS_ONLY)
        return self.enrollment

    def require_session_edit(self, session: SessionLog) -> Enrollment:
        """Before its confirmation a session is its logger's to edit; afterwards either member
        edits its text (the service keeps the facts final)."""
        by = self.member()
        if session.status != SessionStatus.CONFIRMED and session.logged_by_id != by.pk:
            raise Forbidden("Your partner logged this session: confirm or correct it instead.")
        return by

    def require_session_confirm(self, session: SessionLog) -> Enrollment:
        """A session is confirmed (or corrected) by the partner of the one who logged it."""
        by = self.member()
        if session.logged_by_id == by.pk:
            raise Forbidden("Your partner confirms the sessions you log.")
        return by

    # Text written by the pair: the pair's alone.
    @property
    def sees_session_text(self) -> bool:
        return self.is_member

    @property
    def sees_goal_comments(self) -> bool:
        return self.is_member

    # Signals about the pair: staff's alone.
    @property
    def sees_engagement(self) -> bool:
        return self.is_staff

    @property
    def sees_review_decisions(self) -> bool:
        return self.is_staff

    def sees_note(self, note: Note) -> bool:
        if self.enrollment is None:
            return False
        if note.author_id == self.enrollment.pk:
            return True
        return note.visibility == NoteVisibility.SHARED

    def sees_check_in(self, check_in: CheckIn) -> bool:
        own = self.enrollment is not None and check_in.enrollment_id == self.enrollment.pk
        return own or self.is_staff

    def may_edit_note(self, note: Note) -> bool:
        return self.enrollment is not None and note.author_id == self.enrollment.pk

    # Querysets already filtered by the policy.
    def notes(self) -> QuerySet[Note]:
        if self.enrollment is None:
            return Note.objects.none()
        return Note.objects.filter(pair=self.pair).filter(
            Q(visibility=NoteVisibility.SHARED) | Q(author=self.enrollment)
        )

    def sessions(self) -> QuerySet[SessionLog]:
        """Every session of the pair (facts are visible to all viewers; text is not: templates and
        serializers check :attr:`sees_session_text`)."""
        return SessionLog.objects.filter(pair=self.pair)

    def goals(self) -> QuerySet[Goal]:
        return Goal.objects.filter(pair=self.pair)

    def planned_sessions(self) -> QuerySet[PlannedSession]:
        """Every planned session of the pair, cancelled ones included (their day, time and length
        are facts every viewer sees; the place and note are the pair's: :attr:`sees_session_text`)."""
        return PlannedSession.objects.filter(pair=self.pair)

    def goal_updates(self) -> QuerySet[GoalUpdate]:
        if not self.sees_goal_comments:
            return GoalUpdate.objects.none()
        return GoalUpdate.objects.filter(goal__pair=self.pair)

    def check_ins(self) -> QuerySet[CheckIn]:
        if self.is_staff:
            return CheckIn.objects.filter(pair=self.pair)
        if self.enrollment is None:
            return CheckIn.objects.none()
        return CheckIn.objects.filter(pair=self.pair, enrollment=self.enrollment)


def visible_pairs(*, membership: Membership, user: User) -> QuerySet[Pair]:
    """Pairs one is in, plus the pairs of the programs one manages."""
    return pair_policy.visible_pairs(membership=membership, user=user)


def access_for(pair: Pair, *, membership: Membership, user: User) -> PairAccess | None:
    """The viewer's access to a pair, or None when they may not see it at all."""
    roles = pair_policy.roles_for(pair, membership=membership, user=user)
    return None if roles is None else PairAccess(roles.pair, roles.enrollment, roles.is_staff)


def pair_access(pair_id: int, *, membership: Membership, user: User) -> PairAccess:
    """Load a pair with its people and the viewer's access; 404 when it is not theirs to see."""
    roles = pair_policy.pair_roles(pair_id, membership=membership, user=user)
    return PairAccess(roles.pair, roles.enrollment, roles.is_staff)


# --- Check-ins -----------------------------------------------------------------------------------

VIEW_CHECK_IN = "check_in.view"
ANSWER_CHECK_IN = "check_in.answer"
_NOT_YOUR_CHECK_IN = "Only the person this check-in was sent to can answer it."


def check_in_access(check_in: CheckIn, *, membership: Membership, user: User) -> Access | None:
    """The person's access to a check-in, or None when they may not see it at all."""
    own = check_in.enrollment.person.user_id == user.pk
    staff = membership.is_staff_role and manages(membership, check_in.pair.program_id)
    if not (own or staff):
        return None
    granted = {VIEW_CHECK_IN} | ({ANSWER_CHECK_IN} if own else set())
    return Access.of(granted, {ANSWER_CHECK_IN: _NOT_YOUR_CHECK_IN})


def require_check_in_answer(check_in: CheckIn, actor: User) -> None:
    """For the service: refuse a signed-in actor who is not the check-in's person (403), or who
    cannot see it at all (404)."""
    membership = membership_of(actor)
    access = (
        check_in_access(check_in, membership=membership, user=actor)
        if membership is not None
        else None
    )
    if access is None:
        raise Http404("No such check-in.")
    access.require(ANSWER_CHECK_IN)
