"""Notes of a pair: shared with the partner or private to the author; never staff's (visibility.py).

Only the author edits or deletes a note. The audit log records that a note was written, never its
text; the events of a private note are private entries (``AuditEntry.private``), shown to the
author alone, because that such a note exists is itself the author's alone (``visibility.py``).
A note made private later hides its later events; what was logged while it was shared (and seen by
the partner) stays as it was.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from feedback.models import Note, NoteVisibility, SessionLog
from feedback.notices.partner import NOTE, notify_partner_on_commit
from matching.models import Pair, PairStatus
from organizations.audit import log_action
from participants.models import Enrollment

NOTE_MAX_LENGTH = 10000


def _clean(text: str, visibility: str) -> str:
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = "Write something first."
    elif len(text) > NOTE_MAX_LENGTH:
        errors["text"] = f"Keep a note to {NOTE_MAX_LENGTH} characters (it has {len(text)})."
    if visibility not in NoteVisibility.values:
        errors["visibility"] = "Choose who sees the note: your partner too, or only you."
    if errors:
        raise ValidationError(errors)
    return text


def note_create(
    *,
    pair: Pair,
    author: Enrollment,
    actor: User | None,
    text: str,
    visibility: str,
    session: SessionLog | None = None,
    notify_partner: bool = True,
) -> Note:
    """Write a note; a shared one is emailed to the partner after commit unless
    ``notify_partner`` is off (a session logged with its notes makes one email, about the session)."""
    if author.pk not in (pair.mentor_id, pair.mentee_id):
        raise ValidationError("Only the two people of this pair write its notes.")
    if pair.status == PairStatus.PENDING:
        raise ValidationError("The pair starts once both of you accepted the charter.")
    if session is not None and session.pair_id != pair.pk:
        raise ValidationError({"session": "Choose a session of this pair."})
    text = _clean(text, visibility)
    with transaction.atomic():
        note = Note.objects.create(
            organization_id=pair.organization_id,
            pair=pair,
            author=author,
            session=session,
            visibility=visibility,
            text=text,
        )
        log_action(
            actor=actor,
            action="note.create",
            target=note,
            data={"visibility": visibility},
            private=visibility == NoteVisibility.PRIVATE,
        )
        if notify_partner and visibility == NoteVisibility.SHARED:
            notify_partner_on_commit(pair=pair, by=author, kind=NOTE, object_id=note.pk)
    return note


def note_update(
    *, note: Note, author: Enrollment, actor: User | None, text: str, visibility: str
) -> Note:
    if note.author_id != author.pk:
        raise ValidationError("Only the author edits a note.")
    text = _clean(text, visibility)
    with transaction.atomic():
        note.text = text
        note.visibility = visibility
        note.updated_at = timezone.now()
        note.save(update_fields=["text", "visibility", "updated_at"])
        log_action(
            actor=actor,
            action="note.update",
            target=note,
            data={"visibility": visibility},
            private=visibility == NoteVisibility.PRIVATE,
        )
    return note


def note_delete(*, note: Note, author: Enrollment, actor: User | None) -> None:
    if note.author_id != author.pk:
        raise ValidationError("Only the author deletes a note.")
    with transaction.atomic():
        log_action(
            actor=actor,
            action="note.delete",
            target=note,
            private=note.visibility == NoteVisibility.PRIVATE,
        )
        note.delete()
