"""Reads of actions and success stories for pages, the API, check-in emails and later dashboards.

The program-wide reads are for the program's staff (callers check ``programs.access`` first): they
count every action, but return the text of shared actions and published stories only — the rest
is the pair's (``feedback.actions.access``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, QuerySet, When

from accounts.models import User
from feedback.models import OPEN_ACTION_STATUSES, Action, ActionStatus, SuccessStory
from participants.models import Enrollment
from programs.models import Program

NO_TOPIC = "No topic"


@dataclass(frozen=True)
class TopicCounts:
    topic_id: int | None
    name: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def in_status_order(self) -> list[int]:
        return [self.by_status.get(status, 0) for status in ActionStatus.values]


@dataclass(frozen=True)
class ActionCounts:
    """Every action of a program, counted per status and per topic and status."""

    by_status: dict[str, int]
    by_topic: list[TopicCounts] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def status_rows(self) -> list[tuple[str, str, int]]:
        return [
            (status, label, self.by_status.get(status, 0)) for status, label in ActionStatus.choices
        ]


def program_action_counts(program: Program) -> ActionCounts:
    """Counts per status and per topic (one query, whatever the number of actions)."""
    rows = (
        Action.objects.filter(pair__program=program)
        .values("status", "topic_id", topic_name=F("topic__name"))
        .annotate(n=Count("id"))
        .order_by()
    )
    by_status = dict.fromkeys(ActionStatus.values, 0)
    topics: dict[int | None, TopicCounts] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        topic_id = row["topic_id"]
        counts = topics.get(topic_id)
        if counts is None:
            name = row["topic_name"] if topic_id is not None else NO_TOPIC
            counts = topics[topic_id] = TopicCounts(topic_id, name, {})
        counts.by_status[row["status"]] = counts.by_status.get(row["status"], 0) + row["n"]
    ordered = sorted(topics.values(), key=lambda t: (t.topic_id is None, -t.total, t.name))
    return ActionCounts(by_status=by_status, by_topic=ordered)


def shared_actions(program: Program) -> QuerySet[Action]:
    """Actions of the program their owners shared with the organisation, latest first."""
    return (
        Action.objects.filter(pair__program=program, shared_at__isnull=False)
        .select_related("topic")
        .order_by("-status_changed_at", "-id")
    )


def shared_implemented_actions(program: Program) -> QuerySet[Action]:
    """What changed: shared actions that were implemented, with their result."""
    return shared_actions(program).filter(status=ActionStatus.IMPLEMENTED)


def published_stories(program: Program) -> QuerySet[SuccessStory]:
    """Stories both people of the pair agreed to publish, latest first."""
    return SuccessStory.objects.filter(
        pair__program=program, mentor_agreed_at__isnull=False, mentee_agreed_at__isnull=False
    ).order_by("-updated_at", "-id")


def open_actions(enrollment: Enrollment) -> QuerySet[Action]:
    """The person's open actions in this enrolment (planned, in progress), due soonest first and
    those without a date last: what a check-in reminds them to review."""
    return (
        Action.objects.filter(owner=enrollment, status__in=OPEN_ACTION_STATUSES)
        .select_related("topic")
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def my_actions(user: User) -> QuerySet[Action]:
    """Every action the signed-in person owns, across their pairs: open ones first, each group
    due soonest first."""
    is_open = Case(When(status__in=OPEN_ACTION_STATUSES, then=0), default=1)
    return (
        Action.objects.filter(owner__person__user=user)
        .select_related("pair__program", "pair__mentor__person", "topic", "session")
        .order_by(is_open, F("due_on").asc(nulls_last=True), "id")
    )
