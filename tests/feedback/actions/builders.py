"""Builders for the actions tests (no tests here): a live pair with a session on a focus topic,
a coordinator of its program, and a shortcut to write actions as the system."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from feedback.actions import services
from feedback.models import Action, SessionLog
from feedback.sessions import services as sessions
from programs.models import Topic
from tests.conftest import Tenant
from tests.feedback.builders import LivePair, live_pair
from tests.participants.test_enrollment_builders import assign_coordinator

YESTERDAY = date.today() - timedelta(days=1)
SECRET = "Stop approving every slide deck myself"


@dataclass
class World:
    tenant: Tenant
    live: LivePair
    session: SessionLog
    topic: Topic  # a focus topic of the program, also the session's


def world(tenant: Tenant) -> World:
    live = live_pair(tenant)
    assign_coordinator(tenant, live.program)
    with tenant.scope():
        topic = sessions.session_topics(live.program).order_by("pk").first()
        assert topic is not None
        session = sessions.session_log(
            pair=live.pair,
            by=live.mentor,
            actor=live.mentor_user,
            held_on=YESTERDAY,
            duration_minutes=45,
            topic_ids=[topic.pk],
            action_items="Delegate the deck reviews",
        )
    return World(tenant=tenant, live=live, session=session, topic=topic)


def action(w: World, title: str = SECRET, **fields: object) -> Action:
    """An action of the pair's mentee, written by the mentee."""
    with w.tenant.scope():
        return services.action_create(
            pair=w.live.pair,
            actor=w.live.mentee_user,
            title=title,
            **fields,  # type: ignore[arg-type]
        )
