"""Actions and success stories: the writes. Keyword-only, typed, atomic, validated, audited.

Each write asks ``feedback.actions.access`` about its actor (``None`` is the system: the demo, a
shell). Audit entries carry ids, states and dates only: an action's title and result, and a
story's text, are the pair's until shared or published, and the audit log is read by admins.

Status moves (anything else is refused with a message)::

    planned      → in progress, dropped
    in progress  → implemented, dropped
    implemented  → in progress   (re-opened)
    dropped      → in progress   (re-opened)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.text import check_single_line
from feedback.actions import access as policy
from feedback.models import (
    ACTION_RESULT_MAX_LENGTH,
    SUCCESS_STORY_MAX_LENGTH,
    Action,
    ActionStatus,
    SessionLog,
    SessionTopic,
    SuccessStory,
)
from feedback.sessions.services import session_topics
from matching.models import Pair, PairStatus
from organizations.audit import log_action
from participants.models import Enrollment
from programs.lifecycle import program_today
from programs.models import Topic

TITLE_MAX_LENGTH = 200
# A commitment further out than this is not a commitment; it also bounds typing mistakes.
LATEST_DUE = timedelta(days=3 * 366)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    ActionStatus.PLANNED: (ActionStatus.IN_PROGRESS, ActionStatus.DROPPED),
    ActionStatus.IN_PROGRESS: (ActionStatus.IMPLEMENTED, ActionStatus.DROPPED),
    ActionStatus.IMPLEMENTED: (ActionStatus.IN_PROGRESS,),
    ActionStatus.DROPPED: (ActionStatus.IN_PROGRESS,),
}


def next_statuses(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


# --- Rules ---------------------------------------------------------------------------------------


def _require_started(pair: Pair) -> None:
    # Actions outlive the program (implementing comes later), but a pair that never started has
    # had no conversation to act on.
    if pair.status == PairStatus.PENDING:
        raise ValidationError(
            "The pair starts once both of you accepted the program's charter: accept it first."
        )


def allowed_topics(pair: Pair, session: SessionLog | None = None) -> QuerySet[Topic]:
    """An action's topic: one of the program's focus topics, or of the session it came from."""
    allowed = Q(pk__in=session_topics(pair.program).values("pk"))
    if session is not None:
        allowed |= Q(pk__in=SessionTopic.objects.filter(session=session).values("topic_id"))
    return Topic.objects.filter(allowed).order_by("name")


def _clean_title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ValidationError({"title": "Say what you will do."})
    title = title.strip()
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": f"Keep it to {TITLE_MAX_LENGTH} characters (it has {len(title)})."}
        )
    return check_single_line("title", title)


def _clean_result(result: Any) -> str:
    if result is None:
        return ""
    if not isinstance(result, str):
        raise ValidationError({"result": "Write the result as text."})
    result = result.strip()
    if len(result) > ACTION_RESULT_MAX_LENGTH:
        raise ValidationError(
            {
                "result": f"Keep the result to {ACTION_RESULT_MAX_LENGTH} characters "
                f"(it has {len(result)})."
            }
        )
    return result


def _clean_due(pair: Pair, due_on: Any, *, unchanged: date | None = None) -> date | None:
    if due_on is None:
        return None
    if not isinstance(due_on, date):
        raise ValidationError({"due_on": "Give the date as YYYY-MM-DD."})
    if due_on == unchanged:
        return due_on  # a date already passed may stay as it was
    today = program_today(pair.program)
    if due_on < today:
        raise ValidationError({"due_on": "That date has passed: choose today or later."})
    if due_on > today + LATEST_DUE:
        raise ValidationError({"due_on": "Choose a date within the next three years."})
    return due_on


def _clean_session(pair: Pair, session_id: Any) -> SessionLog | None:
    if session_id is None:
        return None
    if isinstance(session_id, bool) or not isinstance(session_id, int):
        raise ValidationError({"session": "Choose a session of this pair."})
    session = SessionLog.objects.filter(pair=pair, pk=session_id).first()
    if session is None:
        raise ValidationError({"session": "Choose a session of this pair."})
    return session


def _clean_topic(pair: Pair, topic_id: Any, session: SessionLog | None) -> Topic | None:
    if topic_id is None:
        return None
    if isinstance(topic_id, bool) or not isinstance(topic_id, int):
        raise ValidationError({"topic": "Choose one of the program's focus topics."})
    topic = allowed_topics(pair, session).filter(pk=topic_id).first()
    if topic is None:
        raise ValidationError(
            {"topic": "Choose one of the program's focus topics or of the session's topics."}
        )
    return topic


def _facts(action: Action) -> dict[str, Any]:
    """What the audit log keeps of an action: never its title or result."""
    return {
        "pair": action.pair_id,
        "status": action.status,
        "session": action.session_id,
        "topic": action.topic_id,
        "due_on": action.due_on.isoformat() if action.due_on else None,
        "shared": action.shared_at is not None,
    }


def _collect(*checks: Any) -> None:
    """Run every check, raising one ValidationError with all their field messages."""
    errors: dict[str, list[str]] = {}
    for check in checks:
        try:
            check()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _locked(action: Action) -> Action:
    return (
        Action.objects.select_for_update(of=("self",))
        .select_related("pair__program")
        .get(pk=action.pk)
    )


# --- Actions -------------------------------------------------------------------------------------


def action_create(
    *,
    pair: Pair,
    actor: User | None,
    title: str,
    due_on: date | None = None,
    session_id: int | None = None,
    topic_id: int | None = None,
) -> Action:
    """The pair's mentee commits to an action, optionally from one of the pair's sessions and
    about a topic (the session's, or one of the program's focus topics). It starts planned."""
    policy.require(actor, pair, policy.WRITE_ACTION)
    _require_started(pair)
    cleaned: dict[str, Any] = {}

    def session_and_topic() -> None:
        cleaned["session"] = _clean_session(pair, session_id)
        cleaned["topic"] = _clean_topic(pair, topic_id, cleaned["session"])

    def title_() -> None:
        cleaned["title"] = _clean_title(title)

    def due() -> None:
        cleaned["due_on"] = _clean_due(pair, due_on)

    _collect(title_, due, session_and_topic)
    now = timezone.now()
    with transaction.atomic():
        action = Action.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            owner_id=pair.mentee_id,
            session=cleaned["session"],
            topic=cleaned["topic"],
            title=cleaned["title"],
            due_on=cleaned["due_on"],
            status=ActionStatus.PLANNED,
            status_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        log_action(actor=actor, action="action.create", target=action, data=_facts(action))
    return action


def action_update(
    *,
    action: Action,
    actor: User | None,
    title: str,
    due_on: date | None,
    topic_id: int | None,
    result: str = "",
) -> Action:
    """Rewrite an action (its owner): what, by when, topic and the result note. The session it
    came from stays."""
    pair = action.pair
    policy.require(actor, pair, policy.WRITE_ACTION)
    _require_started(pair)
    with transaction.atomic():
        locked = _locked(action)
        session = locked.session
        cleaned: dict[str, Any] = {}

        def title_() -> None:
            cleaned["title"] = _clean_title(title)

        def due() -> None:
            cleaned["due_on"] = _clean_due(pair, due_on, unchanged=locked.due_on)

        def topic() -> None:
            cleaned["topic"] = _clean_topic(pair, topic_id, session)

        def result_() -> None:
            cleaned["result"] = _clean_result(result)

        _collect(title_, due, topic, result_)
        locked.title = cleaned["title"]
        locked.due_on = cleaned["due_on"]
        locked.topic = cleaned["topic"]
        locked.result = cleaned["result"]
        locked.updated_at = timezone.now()
        locked.save(update_fields=["title", "due_on", "topic", "result", "updated_at"])
        log_action(actor=actor, action="action.update", target=locked, data=_facts(locked))
    return locked


def action_move(
    *, action: Action, actor: User | None, status: str, result: str | None = None
) -> Action:
    """Move an action along its course (allowed moves only), optionally with the result note."""
    pair = action.pair
    policy.require(actor, pair, policy.WRITE_ACTION)
    _require_started(pair)
    if status not in ActionStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(ActionStatus.labels)}."})
    note = _clean_result(result) if result is not None else None
    with transaction.atomic():
        locked = _locked(action)
        before = locked.status
        if status not in next_statuses(before):
            allowed = ", ".join(ActionStatus(s).label.lower() for s in next_statuses(before))
            raise ValidationError(
                {
                    "status": f"An action that is {ActionStatus(before).label.lower()} can move "
                    f"to: {allowed}."
                }
            )
        now = timezone.now()
        locked.status = status
        locked.status_changed_at = now
        locked.updated_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if note is not None:
            locked.result = note
            fields.append("result")
        locked.save(update_fields=fields)
        log_action(
            actor=actor,
            action="action.status",
            target=locked,
            data={**_facts(locked), "from": before},
        )
    return locked


def action_share(*, action: Action, actor: User | None, shared: bool) -> Action:
    """Share an action with the organisation (its owner's consent, per action), or revoke it:
    staff read its text only while it is shared."""
    policy.require(actor, action.pair, policy.WRITE_ACTION)
    with transaction.atomic():
        locked = _locked(action)
        if shared and locked.shared_at is None:
            locked.shared_at = timezone.now()
        elif not shared:
            locked.shared_at = None
        else:
            return locked  # shared already: the consent keeps its first date
        locked.updated_at = timezone.now()
        locked.save(update_fields=["shared_at", "updated_at"])
        log_action(
            actor=actor,
            action="action.share" if shared else "action.unshare",
            target=locked,
            data=_facts(locked),
        )
    return locked


# --- Success stories -----------------------------------------------------------------------------


def _side_field(story: SuccessStory, by: Enrollment) -> str:
    pair = story.pair
    if by.pk == pair.mentor_id:
        return "mentor_agreed_at"
    if by.pk == pair.mentee_id:
        return "mentee_agreed_at"
    raise ValidationError("Only the two people of this pair agree to publish its stories.")


def _clean_story(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"text": "Write the story first."})
    text = text.strip()
    if len(text) > SUCCESS_STORY_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Keep it to {SUCCESS_STORY_MAX_LENGTH} characters (it has {len(text)})."}
        )
    return text


def _story_facts(story: SuccessStory) -> dict[str, Any]:
    """What the audit log keeps of a story: never its text."""
    return {
        "pair": story.pair_id,
        "mentor_agreed": story.mentor_agreed_at is not None,
        "mentee_agreed": story.mentee_agreed_at is not None,
        "published": story.is_published,
    }


def _locked_story(story: SuccessStory) -> SuccessStory:
    return (
        SuccessStory.objects.select_for_update(of=("self",)).select_related("pair").get(pk=story.pk)
    )


def story_write(*, pair: Pair, by: Enrollment, actor: User | None, text: str) -> SuccessStory:
    """Either member of the pair writes a story; it is published once both agreed."""
    policy.require_side(actor, pair, by)
    if by.pk not in (pair.mentor_id, pair.mentee_id):
        raise ValidationError("Only the two people of this pair write its stories.")
    _require_started(pair)
    text = _clean_story(text)
    now = timezone.now()
    with transaction.atomic():
        story = SuccessStory.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            text=text,
            written_by=by,
            created_at=now,
            updated_at=now,
        )
        log_action(actor=actor, action="story.write", target=story, data=_story_facts(story))
    return story


def story_edit(
    *, story: SuccessStory, by: Enrollment, actor: User | None, text: str
) -> SuccessStory:
    """Rewrite an unpublished story. Agreements were given to the old text: both start over."""
    policy.require_side(actor, story.pair, by)
    text = _clean_story(text)
    with transaction.atomic():
        locked = _locked_story(story)
        _side_field(locked, by)
        if locked.is_published:
            raise ValidationError("A published story is not edited: withdraw your agreement first.")
        locked.text = text
        locked.mentor_agreed_at = None
        locked.mentee_agreed_at = None
        locked.updated_at = timezone.now()
        locked.save(update_fields=["text", "mentor_agreed_at", "mentee_agreed_at", "updated_at"])
        log_action(actor=actor, action="story.edit", target=locked, data=_story_facts(locked))
    return locked


def story_agree(*, story: SuccessStory, by: Enrollment, actor: User | None) -> SuccessStory:
    """One side agrees to publish the story (it is published when both did)."""
    policy.require_side(actor, story.pair, by)
    with transaction.atomic():
        locked = _locked_story(story)
        field = _side_field(locked, by)
        if getattr(locked, field) is not None:
            raise ValidationError("You have already agreed to publish this story.")
        setattr(locked, field, timezone.now())
        locked.updated_at = timezone.now()
        locked.save(update_fields=[field, "updated_at"])
        log_action(actor=actor, action="story.agree", target=locked, data=_story_facts(locked))
    return locked


def story_withdraw(*, story: SuccessStory, by: Enrollment, actor: User | None) -> SuccessStory:
    """One side withdraws their agreement: the story is no longer published."""
    policy.require_side(actor, story.pair, by)
    with transaction.atomic():
        locked = _locked_story(story)
        field = _side_field(locked, by)
        if getattr(locked, field) is None:
            raise ValidationError("You have not agreed to publish this story.")
        setattr(locked, field, None)
        locked.updated_at = timezone.now()
        locked.save(update_fields=[field, "updated_at"])
        log_action(actor=actor, action="story.withdraw", target=locked, data=_story_facts(locked))
    return locked
