"""A person's export: the person from their own pages (everything, private notes and anonymous
answers too), an admin from the directory (without those), never a coordinator; the zip holds JSON
and CSV; the file is its requester's; every step is audited; the task runs on a real worker."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from feedback.models import Note, NoteVisibility
from organizations.models import AuditEntry, Membership, Role
from privacy.exports.jobs import run_person_export
from privacy.models import PersonExport, PersonExportStatus
from tests.conftest import CeleryWorker, Tenant, login
from tests.feedback.builders import LivePair, live_pair
from tests.privacy.test_erasure import _answer, _survey

pytestmark = pytest.mark.django_db


def _content(live: LivePair, tenant: Tenant) -> None:
    with tenant.scope():
        Note.objects.create(
            pair=live.pair, author=live.mentee, visibility=NoteVisibility.PRIVATE, text="secret"
        )
        Note.objects.create(
            pair=live.pair, author=live.mentee, visibility=NoteVisibility.SHARED, text="shared"
        )
        Note.objects.create(
            pair=live.pair, author=live.mentor, visibility=NoteVisibility.SHARED, text="partner's"
        )
        survey, scale, text = _survey(live, anonymous=True, wave="pre")
        _answer(survey, live.mentee, scale, text, "anonymous words")
        _answer(survey, live.mentor, scale, text, "mentor's anonymous words")


def _ask(client: Client, url: str) -> int:
    response = client.post(url)
    assert response.status_code == 302
    return int(response["Location"].rstrip("/").rsplit("/", 1)[-1])


def _run_and_download(client: Client, tenant: Tenant, export_id: int) -> zipfile.ZipFile:
    with tenant.scope():
        assert run_person_export(job_id=export_id) == "done"
    page = client.get(reverse("person_export_detail", args=[tenant.slug, export_id]))
    assert page.status_code == 200
    url = page.context["download_url"]
    assert url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _data(archive: zipfile.ZipFile) -> dict[str, Any]:
    return json.loads(archive.read("data.json"))


def test_the_person_exports_everything_about_themselves(org_a: Tenant, org_b: Tenant) -> None:
    live = live_pair(org_a)
    live_pair(org_b)
    _content(live, org_a)
    client = login(Client(), live.mentee_user)
    export_id = _ask(client, reverse("my_data", args=[org_a.slug]))
    archive = _run_and_download(client, org_a, export_id)
    data = _data(archive)
    assert data["profile"][0]["email"] == live.mentee_user.email
    assert sorted(note["text"] for note in data["notes"]) == ["secret", "shared"]
    texts = [answer["text"] for answer in data["survey_answers"] if answer["text"]]
    assert texts == ["anonymous words"]
    assert [pair["partner"] for pair in data["pairs"]] == [live.mentor.person.full_name]
    # One CSV per table, the same rows.
    notes = list(csv.DictReader(io.StringIO(archive.read("notes.csv").decode())))
    assert sorted(row["text"] for row in notes) == ["secret", "shared"]
    assert "README.txt" in archive.namelist()
    with org_a.scope():
        actions = list(
            AuditEntry.objects.filter(
                object_type="privacy.personexport", object_id=str(export_id)
            ).values_list("action", flat=True)
        )
    assert sorted(actions) == [
        "privacy.export_downloaded",
        "privacy.export_finished",
        "privacy.export_requested",
    ]


def test_an_admin_export_leaves_out_what_only_the_person_sees(org_a: Tenant) -> None:
    live = live_pair(org_a)
    _content(live, org_a)
    client = login(Client(), org_a.admin.user)
    export_id = _ask(client, reverse("person_data", args=[org_a.slug, live.mentee.person_id]))
    data = _data(_run_and_download(client, org_a, export_id))
    assert [note["text"] for note in data["notes"]] == ["shared"]
    assert all(not answer["text"] for answer in data["survey_answers"])
    # The person cannot tell the admin's export exists; the admin's file is the admin's alone.
    mentee = login(Client(), live.mentee_user)
    assert (
        mentee.get(reverse("person_export_detail", args=[org_a.slug, export_id])).status_code == 404
    )


def test_coordinators_and_members_cannot_export_someone_else(org_a: Tenant) -> None:
    live = live_pair(org_a)
    url = reverse("person_data", args=[org_a.slug, live.mentee.person_id])
    for user in (org_a.coordinator.user, live.mentor_user):
        client = login(Client(), user)
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    with org_a.scope():
        assert not PersonExport.objects.exists()


def test_an_admin_who_lost_the_role_gets_no_file(org_a: Tenant) -> None:
    live = live_pair(org_a)
    client = login(Client(), org_a.admin.user)
    export_id = _ask(client, reverse("person_data", args=[org_a.slug, live.mentee.person_id]))
    with org_a.scope():
        Membership.objects.filter(user=org_a.admin.user).update(role=Role.COORDINATOR)
        assert run_person_export(job_id=export_id) == "refused"
        export = PersonExport.objects.get(pk=export_id)
        assert (export.status, export.file.name) == (PersonExportStatus.FAILED, "")
        # A second delivery of the same message does nothing.
        assert run_person_export(job_id=export_id) == "skipped"


def test_someone_without_a_directory_entry_is_told_there_is_nothing(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(reverse("my_data", args=[org_a.slug]))
    assert response.status_code == 400
    assert b"no entry in this organisation" in response.content


def _wait_for(predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_zip(org_a: Tenant, celery_worker: CeleryWorker) -> None:
    live = live_pair(org_a)  # before the worker starts: the builder runs its round inline
    celery_worker.start()
    client = login(Client(), live.mentee_user)
    export_id = _ask(client, reverse("my_data", args=[org_a.slug]))

    def finished() -> bool:
        with org_a.scope():
            return not PersonExport.objects.get(pk=export_id).is_running

    _wait_for(finished)
    with org_a.scope():
        export = PersonExport.objects.get(pk=export_id)
    assert export.status == PersonExportStatus.DONE, export.error
    assert export.progress_percent == 100
    assert export.processed_parts == export.total_parts > 0
