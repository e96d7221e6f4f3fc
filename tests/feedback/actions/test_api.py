"""The actions API: the same policy and use cases as the pages. Staff never receive an unshared
action (404 on it, absent from lists); writes by anyone but the owner are 403 before the body is
read; bad values are 400 with field messages, nothing stored."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

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


def _url(w: World, rest: str) -> str:
    return f"/api/v1/o/{w.tenant.slug}/{rest}"


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_mentee_creates_moves_and_shares_an_action(w: World) -> None:
    mentee = login(Client(), w.live.mentee_user)
    base = _url(w, f"pairs/{w.live.pair.pk}/actions/")
    created = _post(
        mentee,
        base,
        {
            "title": "Ask a junior colleague before each AI rollout",
            "due_on": (YESTERDAY + timedelta(days=14)).isoformat(),
            "session": w.session.pk,
            "topic": w.topic.pk,
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["shared"], body["next_statuses"]) == (
        "planned",
        False,
        ["in_progress", "dropped"],
    )
    detail = f"{base}{body['id']}/"
    assert _post(mentee, f"{detail}status/", {"status": "in_progress"}).status_code == 200
    done = _post(mentee, f"{detail}status/", {"status": "implemented", "result": "Done twice"})
    assert (done.json()["status"], done.json()["result"]) == ("implemented", "Done twice")
    refused = _post(mentee, f"{detail}status/", {"status": "dropped"})
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"status"}
    assert _post(mentee, f"{detail}share/").json()["shared"] is True
    patched = mentee.patch(
        detail, data=json.dumps({"result": "Done three times"}), content_type="application/json"
    )
    assert patched.json()["result"] == "Done three times"
    assert _post(mentee, f"{detail}unshare/").json()["shared"] is False


def test_staff_see_shared_actions_only_and_cannot_reach_unshared_ones(w: World) -> None:
    hidden = action(w)
    shared = action(w, title="Shared one")
    with w.tenant.scope():
        services.action_share(action=shared, actor=w.live.mentee_user, shared=True)
    base = _url(w, f"pairs/{w.live.pair.pk}/actions/")
    for user in (w.tenant.coordinator.user, w.tenant.admin.user):
        client = login(Client(), user)
        listed = client.get(base)
        assert [a["id"] for a in listed.json()["results"]] == [shared.pk]
        assert SECRET not in listed.content.decode()
        assert client.get(f"{base}{hidden.pk}/").status_code == 404
        assert client.get(f"{base}{shared.pk}/").status_code == 200
        assert _post(client, f"{base}{shared.pk}/unshare/").status_code == 403
    mentor = login(Client(), w.live.mentor_user)
    assert len(mentor.get(base).json()["results"]) == 2
    assert _post(mentor, base, {"title": "Mine"}).status_code == 403


def test_bad_values_are_400_with_field_messages_and_nothing_is_stored(w: World) -> None:
    mentee = login(Client(), w.live.mentee_user)
    base = _url(w, f"pairs/{w.live.pair.pk}/actions/")
    for body, fields in (
        ({}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"title": "Ok", "due_on": "yesterday"}, {"due_on"}),
        ({"title": "Ok", "session": 2**63}, {"session"}),
        ({"title": "Ok", "session": 999_999_999}, {"session"}),
        ({"title": "Ok", "topic": "AI"}, {"topic"}),
        ({"title": "Ok", "due_on": (YESTERDAY - timedelta(days=1)).isoformat()}, {"due_on"}),
    ):
        response = _post(mentee, base, body)
        assert response.status_code == 400, (body, response.status_code)
        assert set(response.json()["fields"]) == fields, body
    created = action(w)
    too_long = mentee.patch(
        f"{base}{created.pk}/",
        data=json.dumps({"result": "x" * 1001}),
        content_type="application/json",
    )
    assert too_long.status_code == 400
    assert set(too_long.json()["fields"]) == {"result"}
    with w.tenant.scope():
        assert list(Action.objects.values_list("pk", "result")) == [(created.pk, "")]


def test_stories_through_the_api(w: World) -> None:
    base = _url(w, f"pairs/{w.live.pair.pk}/stories/")
    mentor, mentee = login(Client(), w.live.mentor_user), login(Client(), w.live.mentee_user)
    coordinator = login(Client(), w.tenant.coordinator.user)
    created = _post(mentor, base, {"text": "The board now asks juniors first."})
    assert created.status_code == 201
    story_url = f"{base}{created.json()['id']}/"
    assert coordinator.get(story_url).status_code == 404
    assert coordinator.get(base).json()["results"] == []
    assert _post(coordinator, f"{story_url}agree/").status_code == 403
    assert _post(mentor, f"{story_url}agree/").json()["published"] is False
    assert _post(mentee, f"{story_url}agree/").json()["published"] is True
    assert coordinator.get(story_url).json()["text"] == "The board now asks juniors first."
    assert _post(mentee, f"{story_url}withdraw/").json()["published"] is False
    assert _post(mentee, f"{story_url}withdraw/").status_code == 400
    assert _post(mentor, base, {"text": "x" * 2001}).status_code == 400
    with w.tenant.scope():
        assert SuccessStory.objects.count() == 1


def test_my_actions_are_mine_only(w: World) -> None:
    action(w, title="Mine")
    mentee = login(Client(), w.live.mentee_user)
    assert [a["title"] for a in mentee.get(_url(w, "me/actions/")).json()["results"]] == ["Mine"]
    assert login(Client(), w.live.mentor_user).get(_url(w, "me/actions/")).json()["results"] == []
    assert mentee.get(_url(w, "me/actions/?status=bogus")).status_code == 400


def test_the_program_summary_counts_all_and_shows_shared_text_only(w: World) -> None:
    actor = w.live.mentee_user
    private = action(w, topic_id=w.topic.pk)
    shared = action(w, title="Shared and done", topic_id=w.topic.pk)
    with w.tenant.scope():
        for item in (private, shared):
            services.action_move(action=item, actor=actor, status=ActionStatus.IN_PROGRESS)
            services.action_move(action=item, actor=actor, status=ActionStatus.IMPLEMENTED)
        services.action_share(action=shared, actor=actor, shared=True)
    url = _url(w, f"programs/{w.live.program.pk}/action-summary/")
    response = login(Client(), w.tenant.coordinator.user).get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert {r["status"]: r["count"] for r in body["by_status"]}["implemented"] == 2
    [topic] = body["by_topic"]
    assert (topic["topic"], topic["total"]) == (w.topic.pk, 2)
    assert [a["title"] for a in body["shared_implemented"]] == ["Shared and done"]
    assert SECRET not in response.content.decode()
    assert login(Client(), w.live.mentee_user).get(url).status_code == 403
