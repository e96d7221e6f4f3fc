"""The actions policy (feedback/actions/access.py), role by role: what each viewer of a pair reads
of its actions and stories and what they may write. Staff count every action but read only the
shared ones; others cannot find the pair at all."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from feedback.actions import services
from feedback.actions.access import WRITE_ACTION, WRITE_STORY, ActionAccess, action_access
from organizations.selectors import membership_of
from tests.conftest import Tenant, login
from tests.feedback.actions.builders import World, action, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(org_a: Tenant) -> World:
    built = world(org_a)
    shared = action(built, title="Shared")
    action(built, title="Unshared")
    with org_a.scope():
        services.action_share(action=shared, actor=built.live.mentee_user, shared=True)
        draft = services.story_write(
            pair=built.live.pair, by=built.live.mentor, actor=built.live.mentor_user, text="Draft"
        )
        published = services.story_write(
            pair=built.live.pair, by=built.live.mentee, actor=built.live.mentee_user, text="Out"
        )
        for side, user in (
            (built.live.mentor, built.live.mentor_user),
            (built.live.mentee, built.live.mentee_user),
        ):
            services.story_agree(story=published, by=side, actor=user)
        assert not draft.is_published
    return built


def _access(w: World, user: User) -> ActionAccess:
    membership = membership_of(user)
    assert membership is not None
    return action_access(w.live.pair.pk, membership=membership, user=user)


# viewer: (reads these action titles, these story texts, may write actions, may write stories)
EXPECTED = {
    "mentee": ({"Shared", "Unshared"}, {"Draft", "Out"}, True, True),
    "mentor": ({"Shared", "Unshared"}, {"Draft", "Out"}, False, True),
    "coordinator": ({"Shared"}, {"Out"}, False, False),
    "admin": ({"Shared"}, {"Out"}, False, False),
}


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_each_viewer_reads_and_writes_what_the_table_says(w: World, viewer: str) -> None:
    user = {
        "mentee": w.live.mentee_user,
        "mentor": w.live.mentor_user,
        "coordinator": w.tenant.coordinator.user,
        "admin": w.tenant.admin.user,
    }[viewer]
    titles, stories, writes_actions, writes_stories = EXPECTED[viewer]
    with w.tenant.scope():
        access = _access(w, user)
        assert set(access.actions().values_list("title", flat=True)) == titles
        assert set(access.stories().values_list("text", flat=True)) == stories
        assert access.permissions.allows(WRITE_ACTION) is writes_actions
        assert access.permissions.allows(WRITE_STORY) is writes_stories


def test_a_member_outside_the_pair_and_another_programs_coordinator_get_404(
    w: World, org_a: Tenant
) -> None:
    with org_a.scope(), pytest.raises(Http404):
        _access(w, org_a.member.user)


def test_the_pair_page_query_count_does_not_grow_with_actions_and_stories(w: World) -> None:
    client = login(Client(), w.live.mentee_user)
    url = f"/o/{w.tenant.slug}/pairs/{w.live.pair.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            action(w, title=f"More {n}", session_id=w.session.pk, topic_id=w.topic.pk)
            with w.tenant.scope():
                services.story_write(
                    pair=w.live.pair, by=w.live.mentee, actor=w.live.mentee_user, text=f"Story {n}"
                )

    add(6, 0)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # A first page that holds every row needs no count; the stories have a second page now
    # (5 a page), so they are counted once: one query more, and no more whatever the rows.
    assert len(many.captured_queries) == len(few.captured_queries) + 1
    add(12, 6)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries) + 2


def test_the_what_changed_page_query_count_does_not_grow(w: World) -> None:
    client = login(Client(), w.tenant.coordinator.user)
    url = f"/o/{w.tenant.slug}/programs/{w.live.program.pk}/what-changed/"

    def implemented_and_shared(count: int) -> None:
        for n in range(count):
            created = action(w, title=f"More {n}", topic_id=w.topic.pk if n % 2 else None)
            with w.tenant.scope():
                actor = w.live.mentee_user
                services.action_move(action=created, actor=actor, status="in_progress")
                services.action_move(action=created, actor=actor, status="implemented")
                services.action_share(action=created, actor=actor, shared=True)

    implemented_and_shared(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    implemented_and_shared(6)
    with CaptureQueriesContext(connection) as many:
        assert "More 5" in client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
