"""A private note's existence is its author's alone (visibility.py), the audit log included: its
events are private entries that the audit page, the audit API and the platform admin show to no
one but the author, while a shared note's events stay in the log for staff."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import User
from feedback import notes
from feedback.models import Note, NoteVisibility
from organizations.models import AuditEntry
from organizations.selectors import audit_entry_list
from tests.conftest import login
from tests.feedback import test_pages_relationships
from tests.feedback.test_pages_relationships import World

world = test_pages_relationships.world  # the fixture: a live pair with shared and private notes


def _note_ids(entries: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {
        (entry["action"], entry["object_id"])
        for entry in entries
        if entry["object_type"] == "feedback.note"
    }


def _api_entries(world: World, user: User) -> list[dict[str, str]]:
    client = login(Client(), user)
    response = client.get(f"/api/v1/o/{world.tenant.slug}/audit-log/?page_size=200")
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def test_staff_see_shared_note_events_but_no_trace_of_private_notes(world: World) -> None:
    entries = _api_entries(world, world.tenant.admin.user)
    seen = _note_ids(entries)
    assert ("note.create", str(world.shared_note.pk)) in seen
    assert str(world.private_note.pk) not in {object_id for _, object_id in seen}
    assert str(world.mentee_private_note.pk) not in {object_id for _, object_id in seen}
    assert not any(entry["data"].get("visibility") == "private" for entry in entries)

    page = login(Client(), world.tenant.admin.user).get(
        reverse("audit_log", kwargs={"org_slug": world.tenant.slug})
    )
    assert page.status_code == 200
    shown = {entry.pk for entry in page.context["page"]}
    with world.tenant.scope():
        private_entries = set(
            AuditEntry.objects.filter(
                object_type="feedback.note",
                object_id__in=[str(world.private_note.pk), str(world.mentee_private_note.pk)],
            ).values_list("pk", flat=True)
        )
    assert private_entries, "the private notes' events are still recorded"
    assert not shown & private_entries
    assert "private" not in page.content.decode().lower()


def test_the_author_reads_their_own_private_events_and_not_the_partners(world: World) -> None:
    with world.tenant.scope():
        mentor_view = set(
            audit_entry_list(viewer=world.live.mentor_user)
            .filter(object_type="feedback.note")
            .values_list("object_id", flat=True)
        )
    assert str(world.private_note.pk) in mentor_view
    assert str(world.mentee_private_note.pk) not in mentor_view


def test_update_and_delete_follow_the_note_visibility_at_the_time(world: World) -> None:
    live = world.live
    with world.tenant.scope():
        made_private = notes.note_update(
            note=Note.objects.get(pk=world.shared_note.pk),
            author=live.mentor,
            actor=live.mentor_user,
            text="now private",
            visibility=NoteVisibility.PRIVATE,
        )
        notes.note_delete(note=made_private, author=live.mentor, actor=live.mentor_user)
        made_shared = notes.note_update(
            note=Note.objects.get(pk=world.mentee_private_note.pk),
            author=live.mentee,
            actor=live.mentee_user,
            text="now shared",
            visibility=NoteVisibility.SHARED,
        )
    seen = _note_ids(_api_entries(world, world.tenant.admin.user))
    assert ("note.update", str(world.shared_note.pk)) not in seen
    assert ("note.delete", str(world.shared_note.pk)) not in seen
    # Logged while it was shared, seen by the partner: it stays.
    assert ("note.create", str(world.shared_note.pk)) in seen
    assert ("note.update", str(made_shared.pk)) in seen
    assert ("note.create", str(made_shared.pk)) not in seen


def test_platform_admin_does_not_list_private_entries(world: World) -> None:
    operator = User.objects.create_superuser(email="operator@flipside.test", password="x" * 16)
    client = Client()
    client.force_login(operator)
    response = client.get("/platform-admin/organizations/auditentry/?all=")
    assert response.status_code == 200
    listed = {entry.pk for entry in response.context["cl"].result_list}
    with world.tenant.scope():
        private = set(AuditEntry.objects.filter(private=True).values_list("pk", flat=True))
        shared_create = AuditEntry.objects.get(
            action="note.create", object_id=str(world.shared_note.pk)
        )
    assert private
    assert not listed & private
    assert shared_create.pk in listed
