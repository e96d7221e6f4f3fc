"""Who sees what of a pair's life: the written policy (DESIGN.md §4), one place, tested per role.

A viewer of a pair is one of: a **member** of the pair (its mentor or mentee), **staff** who manage
the program (admins; coordinators assigned to it), or nobody (every other member of the
organisation gets 404, like another organisation's pair). One person can be both member and staff
(an admin who is also a mentee): they get the union.

===============================================  ======  =========  ======  =======
What                                             author  partner    staff   others
===============================================  ======  =========  ======  =======
pair: people, status, dates, rationale            yes     yes        yes     404
session facts: date, duration, format, topics,    yes     yes        yes     404
  status, who logged / confirmed
session text: what was learned, action items      yes     yes        never   404
shared note text                                  yes     yes        never   404
private note text (and that it exists)            yes     never      never   404
goals: owner, description, target, progress       yes     yes        yes     404
goal update comments                              yes     yes        never   404
check-in answers: rating, blockers, "contact me"  yes     never      yes     404
engagement score and its reasons                  no      no         yes     404
mid-review decisions and notes                    no      no         yes     404
===============================================  ======  =========  ======  =======

Pages, API serializers and emails read this module; nothing else decides. Private text is never
serialised for anyone but its author: the API picks its serializer from :class:`PairAccess`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from feedback.models import CheckIn, Goal, GoalUpdate, Note, NoteVisibility, SessionLog
from matching.models import Pair
from organizations.models import Membership
from participants.models import Enrollment
from programs.access import managed_programs


@dataclass(frozen=True)
class PairAccess:
    """What one viewer may see of one pair."""

    pair: Pair
    # The viewer's own side of the pair (None for staff who are not in it).
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
    visible = Q(mentor__person__user=user) | Q(mentee__person__user=user)
    if membership.is_staff_role:
        visible |= Q(program__in=managed_programs(membership))
    return Pair.objects.filter(visible)


def access_for(pair: Pair, *, membership: Membership, user: User) -> PairAccess | None:
    """The viewer's access to a pair, or None when they may not see it at all."""
    enrollment: Enrollment | None = None
    if pair.mentor.person.user_id == user.pk:
        enrollment = pair.mentor
    elif pair.mentee.person.user_id == user.pk:
        enrollment = pair.mentee
    is_staff = (
        membership.is_staff_role
        and managed_programs(membership).filter(pk=pair.program_id).exists()
    )
    if enrollment is None and not is_staff:
        return None
    return PairAccess(pair=pair, enrollment=enrollment, is_staff=is_staff)


def pair_access(pair_id: int, *, membership: Membership, user: User) -> PairAccess:
    """Load a pair with its people and the viewer's access; 404 when it is not theirs to see."""
    pair = (
        Pair.objects.select_related("program", "mentor__person", "mentee__person")
        .filter(pk=pair_id)
        .first()
    )
    access = access_for(pair, membership=membership, user=user) if pair is not None else None
    if access is None:
        raise Http404("No such pair.")
    return access
