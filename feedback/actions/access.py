"""Who sees and writes a pair's actions and success stories: the written policy, one place.

Built on ``feedback.visibility.PairAccess`` (itself on ``matching.access.PairRoles``): whoever
cannot see the pair gets 404 for everything in it. Among those who see it, an **action** belongs to
its **owner**, the pair's mentee (the executive who commits to it); the pair's mentor (the junior)
reads the pair's actions; the program's **staff** (admins; coordinators assigned to the program)
count every action per status and topic but read the text of an action only while its owner shares
it with the organisation (``shared_at``, revocable). An unshared action does not exist for staff
(404), and its title and result never reach an audit entry (the services log ids and states only).

=============================================  =======  ========  ================  ======
Actions                                        owner    partner   staff             others
                                               (mentee) (mentor)
=============================================  =======  ========  ================  ======
list / read: title, due date, status, result    yes      yes       shared ones only  404
counts per status and topic (program page)      no       no        every action      404
create, edit, move status, result note          yes      403       403               404
share with the organisation / revoke            yes      403       403               404
=============================================  =======  ========  ================  ======

A **success story** is the pair's: either member writes it and edits it while it is unpublished;
each agrees separately to publish it and it is published while both agreements stand; either
withdraws their agreement, which unpublishes it. Staff read published stories only.

=============================================  =======  ========  ================  ======
Success stories                                mentee   mentor    staff             others
=============================================  =======  ========  ================  ======
read an unpublished story                       yes      yes       404               404
read a published story                          yes      yes       yes               404
write, edit (until published)                   yes      yes       403               404
agree to publish / withdraw one's agreement     yes      yes       403               404
=============================================  =======  ========  ================  ======

One person who is both (an admin who is also the mentee) gets the union. The system
(``actor=None``: the demo, a shell) is not asked. Use cases ask the policy before reading a body;
services ask it again for their actor, so a page, the API, a task and a shell are refused alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from core.access import Access, Forbidden
from feedback.models import Action, SuccessStory
from feedback.visibility import PairAccess, pair_access
from matching import access as pair_policy
from matching.models import Pair
from organizations.models import Membership
from organizations.selectors import membership_of
from participants.models import Enrollment

VIEW = "action.view"
WRITE_ACTION = "action.write"
WRITE_STORY = "story.write"

OWNER_ONLY = "Only the executive of this pair writes its actions; their partner reads them."
MEMBERS_ONLY = "Only the two people of this pair write its success stories."


@dataclass(frozen=True)
class ActionAccess(PairAccess):
    """What one viewer of a pair may see and write of its actions and success stories."""

    @property
    def is_owner(self) -> bool:
        """The viewer is the pair's mentee: actions are theirs."""
        return self.enrollment is not None and self.enrollment.pk == self.pair.mentee_id

    @property
    def permissions(self) -> Access:
        granted = {VIEW}
        if self.is_owner:
            granted.add(WRITE_ACTION)
        if self.is_member:
            granted.add(WRITE_STORY)
        return Access.of(granted, {WRITE_ACTION: OWNER_ONLY, WRITE_STORY: MEMBERS_ONLY})

    def story_author(self) -> Enrollment:
        """The viewer's side of the pair, for its stories; staff: 403."""
        self.permissions.require(WRITE_STORY)
        assert self.enrollment is not None
        return self.enrollment

    # What the viewer reads.
    def sees_action_text(self, action: Action) -> bool:
        return self.is_member or (self.is_staff and action.shared_at is not None)

    def sees_story(self, story: SuccessStory) -> bool:
        return self.is_member or (self.is_staff and story.is_published)

    # Querysets already filtered by the policy.
    def actions(self) -> QuerySet[Action]:
        listed = Action.objects.filter(pair=self.pair)
        if self.is_member:
            return listed
        return listed.filter(shared_at__isnull=False)

    def stories(self) -> QuerySet[SuccessStory]:
        listed = SuccessStory.objects.filter(pair=self.pair)
        if self.is_member:
            return listed
        return listed.filter(mentor_agreed_at__isnull=False, mentee_agreed_at__isnull=False)


def of_pair(access: PairAccess) -> ActionAccess:
    """The actions policy of a viewer whose pair access is already known (the pair page)."""
    if isinstance(access, ActionAccess):
        return access
    return ActionAccess(access.pair, access.enrollment, access.is_staff)


def action_access(pair_id: int, *, membership: Membership, user: User) -> ActionAccess:
    """Load the pair and the viewer's access to its actions; Http404 when it is not theirs."""
    return of_pair(pair_access(pair_id, membership=membership, user=user))


def access_of_actor(actor: User, pair: Pair) -> ActionAccess:
    """For services: the actor's access to the pair's actions (404 when they cannot see it)."""
    membership = membership_of(actor)
    roles = (
        pair_policy.roles_for(pair, membership=membership, user=actor)
        if membership is not None
        else None
    )
    if roles is None:
        raise Http404("No such pair.")
    return ActionAccess(roles.pair, roles.enrollment, roles.is_staff)


def require(actor: User | None, pair: Pair, permission: str) -> Enrollment | None:
    """Refuse ``actor`` unless the policy grants ``permission`` on the pair; their side of the
    pair when they are in it. ``None`` is the system and is not asked."""
    if actor is None:
        return None
    access = access_of_actor(actor, pair)
    access.permissions.require(permission)
    return access.enrollment


def require_side(actor: User | None, pair: Pair, by: Enrollment) -> None:
    """A story is agreed or withdrawn by one side: the actor must be that side."""
    side = require(actor, pair, WRITE_STORY)
    if actor is not None and (side is None or side.pk != by.pk):
        raise Forbidden("You can only agree or withdraw for yourself.")
