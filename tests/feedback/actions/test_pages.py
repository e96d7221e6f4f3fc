"""Actions and success stories on the pages: the pair page's two sections for each viewer, turning
a session into an action, the status buttons and share toggle, a person's own actions and the
program's "what changed" for its staff. Bad input is a 400 with the message, nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from feedback.actions import services
from feedback.models import Action, ActionStatus, SuccessStory
from tests.conftest import Tenant, login
from tests.feedback.actions.builders import SECRET, YESTERDAY, World, action, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(org_a: Tenant) -> World:
    return world(org_a)


def _pair_url(w: World, rest: str = "") -> str:
    return f"/o/{w.tenant.slug}/pairs/{w.live.pair.pk}/{rest}"


def test_the_session_links_to_a_prefilled_action_form_for_the_mentee_only(w: World) -> None:
    mentee = login(Client(), w.live.mentee_user)
    page = mentee.get(_pair_url(w)).content.decode()
    link = f"/o/{w.tenant.slug}/pairs/{w.live.pair.pk}/actions/new/?session={w.session.pk}"
    assert link in page
    assert "Turn into an action" in page
    form = mentee.get(link)
    assert form.status_code == 200
    html = form.content.decode()
    assert f'<option value="{w.session.pk}" selected>' in html
    assert "Delegate the deck reviews" in html  # the session's action items, to turn into one
    mentor_page = login(Client(), w.live.mentor_user).get(_pair_url(w)).content.decode()
    assert "Turn into an action" not in mentor_page
    assert login(Client(), w.live.mentor_user).get(link).status_code == 403


def test_the_mentee_adds_an_action_from_a_session_and_marks_it_implemented(w: World) -> None:
    mentee = login(Client(), w.live.mentee_user)
    response = mentee.post(
        _pair_url(w, "actions/new/"),
        {
            "title": "Use an AI assistant to draft board notes",
            "due_on": (YESTERDAY + timedelta(days=20)).isoformat(),
            "session": w.session.pk,
            "topic": w.topic.pk,
        },
    )
    assert response.status_code == 302
    with w.tenant.scope():
        created = Action.objects.get()
    assert (created.session_id, created.topic_id) == (w.session.pk, w.topic.pk)
    status_url = _pair_url(w, f"actions/{created.pk}/status/")
    assert mentee.post(status_url, {"status": "in_progress"}).status_code == 302
    assert mentee.post(status_url, {"status": "implemented"}).status_code == 302
    page = mentee.get(_pair_url(w)).content.decode()
    assert "Implemented" in page
    assert "Re-open" in page


def test_a_move_not_allowed_from_here_is_a_400_with_the_reason(w: World) -> None:
    created = action(w)
    mentee = login(Client(), w.live.mentee_user)
    url = _pair_url(w, f"actions/{created.pk}/status/")
    response = mentee.post(url, {"status": "implemented"})
    assert response.status_code == 400
    assert "can move to: in progress, dropped" in response.content.decode()
    htmx = mentee.post(url, {"status": "nonsense"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400
    assert 'id="actions"' in htmx.content.decode()
    with w.tenant.scope():
        assert Action.objects.get(pk=created.pk).status == ActionStatus.PLANNED


def test_a_bad_action_form_comes_back_with_field_messages(w: World) -> None:
    mentee = login(Client(), w.live.mentee_user)
    response = mentee.post(
        _pair_url(w, "actions/new/"),
        {"title": "", "due_on": (YESTERDAY - timedelta(days=3)).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what you will do." in html
    with w.tenant.scope():
        assert not Action.objects.exists()
    huge = mentee.post(
        _pair_url(w, "actions/new/"),
        {"title": "Ok", "session": "9" * 25, "topic": "9" * 25},
    )
    assert huge.status_code == 400
    past = mentee.post(
        _pair_url(w, "actions/new/"),
        {"title": "Later", "due_on": (YESTERDAY - timedelta(days=3)).isoformat()},
    )
    assert past.status_code == 400
    assert "That date has passed" in past.content.decode()


def test_staff_read_shared_actions_only_and_the_mentor_reads_all(w: World) -> None:
    action(w, title="Shared and implemented soon")
    hidden = action(w)
    shared = action(w, title="Shared and implemented soon")
    with w.tenant.scope():
        services.action_share(action=shared, actor=w.live.mentee_user, shared=True)
    coordinator = login(Client(), w.tenant.coordinator.user)
    page = coordinator.get(_pair_url(w)).content.decode()
    assert "Shared and implemented soon" in page
    assert SECRET not in page
    assert "(1 of 3 actions)" in page
    mentor_page = login(Client(), w.live.mentor_user).get(_pair_url(w)).content.decode()
    assert SECRET in mentor_page
    # The mentor reads; the buttons are the mentee's.
    assert f"actions/{hidden.pk}/status/" not in mentor_page
    assert (
        coordinator.post(_pair_url(w, f"actions/{hidden.pk}/share/"), {"shared": "1"}).status_code
        == 403
    )


def test_the_share_toggle_shares_and_revokes(w: World) -> None:
    created = action(w)
    mentee = login(Client(), w.live.mentee_user)
    url = _pair_url(w, f"actions/{created.pk}/share/")
    assert mentee.post(url, {"shared": "1"}).status_code == 302
    with w.tenant.scope():
        assert Action.objects.get(pk=created.pk).shared_at is not None
    assert mentee.post(url, {"shared": "0"}, HTTP_HX_REQUEST="true").status_code == 200
    with w.tenant.scope():
        assert Action.objects.get(pk=created.pk).shared_at is None
    assert mentee.post(url, {"shared": "maybe"}).status_code == 400


def test_a_story_is_written_agreed_by_both_and_withdrawn_on_the_pair_page(w: World) -> None:
    mentor = login(Client(), w.live.mentor_user)
    mentee = login(Client(), w.live.mentee_user)
    assert mentor.post(_pair_url(w, "stories/"), {"story-text": "  "}).status_code == 400
    assert (
        mentor.post(_pair_url(w, "stories/"), {"story-text": "Meetings got shorter."}).status_code
        == 302
    )
    with w.tenant.scope():
        story = SuccessStory.objects.get()
    coordinator = login(Client(), w.tenant.coordinator.user)
    assert "Meetings got shorter." not in coordinator.get(_pair_url(w)).content.decode()
    assert mentor.post(_pair_url(w, f"stories/{story.pk}/agree/")).status_code == 302
    assert mentee.post(_pair_url(w, f"stories/{story.pk}/agree/")).status_code == 302
    assert "Meetings got shorter." in coordinator.get(_pair_url(w)).content.decode()
    assert mentee.get(_pair_url(w, f"stories/{story.pk}/edit/")).status_code == 200
    refused = mentee.post(_pair_url(w, f"stories/{story.pk}/edit/"), {"story-text": "Rewritten"})
    assert refused.status_code == 400
    assert "withdraw your agreement first" in refused.content.decode()
    assert mentee.post(_pair_url(w, f"stories/{story.pk}/withdraw/")).status_code == 302
    assert "Meetings got shorter." not in coordinator.get(_pair_url(w)).content.decode()


def test_my_actions_lists_my_own_open_ones_first(w: World) -> None:
    later = action(w, title="Later one", due_on=YESTERDAY + timedelta(days=40))
    action(w, title="Sooner one", due_on=YESTERDAY + timedelta(days=5))
    with w.tenant.scope():
        services.action_move(action=later, actor=w.live.mentee_user, status=ActionStatus.DROPPED)
    page = login(Client(), w.live.mentee_user).get(f"/o/{w.tenant.slug}/me/actions/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Sooner one") < html.index("Later one")
    mentor_html = login(Client(), w.live.mentor_user).get(f"/o/{w.tenant.slug}/me/actions/")
    assert "You have no actions yet" in mentor_html.content.decode()


def test_what_changed_counts_every_action_and_shows_shared_implemented_ones(w: World) -> None:
    url = f"/o/{w.tenant.slug}/programs/{w.live.program.pk}/what-changed/"
    coordinator = login(Client(), w.tenant.coordinator.user)
    empty = coordinator.get(url).content.decode()
    assert "No actions yet" in empty
    assert "No published stories yet" in empty
    actor = w.live.mentee_user
    private_done = action(w, topic_id=w.topic.pk)
    shared_done = action(w, title="Weekly reverse-mentoring office hour", topic_id=w.topic.pk)
    action(w, title="Planned, shared", topic_id=None)
    with w.tenant.scope():
        for item in (private_done, shared_done):
            services.action_move(action=item, actor=actor, status=ActionStatus.IN_PROGRESS)
            services.action_move(
                action=item,
                actor=actor,
                status=ActionStatus.IMPLEMENTED,
                result=f"Result {item.pk}",
            )
        services.action_share(action=shared_done, actor=actor, shared=True)
    response = coordinator.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "All 3 actions of the program" in html
    assert "Weekly reverse-mentoring office hour" in html
    assert f"Result {shared_done.pk}" in html
    assert SECRET not in html
    assert f"Result {private_done.pk}" not in html
    assert (
        f'<th scope="row">{w.topic.name}</th><td>0</td><td>0</td><td>2</td><td>0</td><td>2</td>'
        in html
    )
    assert login(Client(), w.live.mentee_user).get(url).status_code == 403
