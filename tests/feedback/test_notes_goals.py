"""Notes (author-only edits) and goals (progress with updates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from feedback import goals, notes
from feedback.models import GoalStatus, GoalUpdate, Note, NoteVisibility
from organizations.models import AuditEntry
from tests.conftest import Tenant
from tests.feedback.builders import live_pair


def test_note_needs_text_and_a_visibility(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        with pytest.raises(ValidationError) as caught:
            notes.note_create(
                pair=live.pair, author=live.mentor, actor=None, text=" ", visibility="x"
            )
        assert set(caught.value.message_dict) == {"text", "visibility"}
        with pytest.raises(ValidationError) as caught:
            notes.note_create(
                pair=live.pair,
                author=live.mentor,
                actor=None,
                text="x" * 10001,
                visibility=NoteVisibility.SHARED,
            )
        assert "text" in caught.value.message_dict
        assert not Note.objects.exists()


def test_only_the_author_edits_or_deletes_a_note_and_the_audit_has_no_text(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        note = notes.note_create(
            pair=live.pair,
            author=live.mentor,
            actor=live.mentor_user,
            text="Ask about the board deck",
            visibility=NoteVisibility.SHARED,
        )
        with pytest.raises(ValidationError, match="Only the author"):
            notes.note_update(
                note=note, author=live.mentee, actor=None, text="hijack", visibility="shared"
            )
        with pytest.raises(ValidationError, match="Only the author"):
            notes.note_delete(note=note, author=live.mentee, actor=None)
        notes.note_update(
            note=note, author=live.mentor, actor=None, text="Private now", visibility="private"
        )
        note.refresh_from_db()
        assert (note.text, note.visibility) == ("Private now", NoteVisibility.PRIVATE)
        assert "board" not in str(list(AuditEntry.objects.values_list("data", flat=True)))
        notes.note_delete(note=note, author=live.mentor, actor=None)
        assert not Note.objects.exists()


def test_outsiders_cannot_write_notes_on_a_pair(org_a: Tenant) -> None:
    live, other = live_pair(org_a), live_pair(org_a)
    with org_a.scope(), pytest.raises(ValidationError, match="Only the two people"):
        notes.note_create(
            pair=live.pair, author=other.mentee, actor=None, text="hi", visibility="shared"
        )


def test_goal_validation(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        with pytest.raises(ValidationError) as caught:
            goals.goal_create(
                pair=live.pair,
                by=live.mentee,
                actor=None,
                owner="boss",
                description="",
                target_date=date.today() - timedelta(days=1),
            )
        assert set(caught.value.message_dict) == {"owner", "description", "target_date"}
        goal = goals.goal_create(
            pair=live.pair, by=live.mentee, actor=None, owner="mentee", description="Post weekly"
        )
        for progress in (-1, 101, True, "50"):
            with pytest.raises(ValidationError) as caught:
                goals.goal_progress(goal=goal, by=live.mentee, actor=None, progress=progress)  # type: ignore[arg-type]
            assert "progress" in caught.value.message_dict
        assert not GoalUpdate.objects.exists()


def test_goal_progress_moves_with_updates_and_100_means_achieved(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        goal = goals.goal_create(
            pair=live.pair,
            by=live.mentor,
            actor=None,
            owner="mentee",
            description="Use an AI assistant daily",
            target_date=date.today() + timedelta(days=30),
        )
        goals.goal_progress(goal=goal, by=live.mentor, actor=None, progress=30, comment="Started")
        goals.goal_progress(goal=goal, by=live.mentee, actor=None, progress=100)
        goal.refresh_from_db()
        assert (goal.progress, goal.status) == (100, GoalStatus.ACHIEVED)
        goals.goal_progress(goal=goal, by=live.mentee, actor=None, progress=60, status="dropped")
        goal.refresh_from_db()
        assert (goal.progress, goal.status) == (60, GoalStatus.DROPPED)
        assert GoalUpdate.objects.filter(goal=goal).count() == 3
