"""Asking for an export on the page and in the API, following it, downloading it: who may, what a
bad request gets, the requester-only signed link that expires, and the audit log."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboards.exports import jobs
from dashboards.models import ExportJob, ExportStatus
from organizations.models import AuditEntry
from tests.conftest import Tenant, login
from tests.dashboards.exports.builders import World, csv_rows, export, world


@pytest.fixture
def built(org_a: Tenant) -> World:
    return world(org_a)


def _api(tenant: Tenant, program_pk: int, *rest: Any) -> str:
    tail = "".join(f"{part}/" for part in rest)
    return f"/api/v1/o/{tenant.slug}/programs/{program_pk}/exports/{tail}"


def _page(tenant: Tenant, program_pk: int) -> str:
    return reverse("program_exports", kwargs={"org_slug": tenant.slug, "program_pk": program_pk})


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


# --- Who may ---------------------------------------------------------------------------------------


def test_staff_ask_for_an_export_in_the_api_and_get_202(org_a: Tenant, built: World) -> None:
    for user in (org_a.coordinator.user, org_a.admin.user):
        response = _post(
            login(Client(), user),
            _api(org_a, built.program.pk),
            {"dataset": "sessions", "format": "xlsx", "filters": {"role": "mentor"}},
        )
        assert response.status_code == 202, response.content
        body = response.json()
        assert (body["status"], body["dataset"], body["format"]) == ("queued", "sessions", "xlsx")
        assert body["filters"] == {"role": "mentor"}
        assert body["download_url"] == ""


def test_a_coordinator_of_another_program_gets_404(org_a: Tenant, built: World) -> None:
    other = world(org_a)  # assigns the same coordinator: take the program away from them
    with org_a.scope():
        from programs.models import ProgramCoordinator

        ProgramCoordinator.objects.filter(program=built.program).delete()
    client = login(Client(), org_a.coordinator.user)
    assert client.get(_page(org_a, built.program.pk)).status_code == 404
    assert client.get(_api(org_a, built.program.pk)).status_code == 404
    assert _post(client, _api(org_a, built.program.pk), {}).status_code == 404
    assert client.get(_page(org_a, other.program.pk)).status_code == 200


def test_a_mentor_is_refused_and_learns_nothing(org_a: Tenant, built: World) -> None:
    client = login(Client(), built.live.mentor_user)
    page = client.get(_page(org_a, built.program.pk))
    assert page.status_code == 403
    body = {"dataset": "sessions", "format": "csv"}
    assert _post(client, _api(org_a, built.program.pk), body).status_code == 403
    # The same answer for a program that does not exist: the refusal tells nothing.
    assert client.get(_page(org_a, 999_999)).status_code == 403
    with org_a.scope():
        assert not ExportJob.objects.exists()


# --- Bad input: a clear error, no data ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"dataset": "sessions", "format": "csv", "filters": {"colour": "red"}}, "filters"),
        (
            {
                "dataset": "sessions",
                "format": "csv",
                "filters": {"date_from": "2026-03-01", "date_to": "2026-02-01"},
            },
            "date_to",
        ),
        (
            {"dataset": "sessions", "format": "csv", "filters": {"date_from": "yesterday"}},
            "date_from",
        ),
        ({"dataset": "sessions", "format": "csv", "filters": {"level": "²"}}, "level"),
        ({"dataset": "sessions", "format": "csv", "filters": {"role": "boss"}}, "role"),
        ({"dataset": "sessions", "format": "csv", "filters": ["role"]}, "filters"),
        ({"dataset": "notes", "format": "csv"}, "dataset"),
        ({"dataset": "sessions", "format": "pdf"}, "format"),
        (
            {"dataset": "survey_results", "format": "csv", "filters": {"date_from": "2026-01-01"}},
            "date_from",
        ),
    ],
)
def test_bad_requests_are_400_with_a_field_message(
    org_a: Tenant, built: World, body: dict[str, Any], field: str
) -> None:
    response = _post(login(Client(), org_a.coordinator.user), _api(org_a, built.program.pk), body)
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    with org_a.scope():
        assert not ExportJob.objects.exists()


def test_the_page_shows_a_reversed_period_on_its_field(org_a: Tenant, built: World) -> None:
    client = login(Client(), org_a.coordinator.user)
    response = client.post(
        _page(org_a, built.program.pk),
        {
            "dataset": "sessions",
            "format": "csv",
            "date_from": "2026-03-01",
            "date_to": "2026-02-01",
        },
    )
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()
    with org_a.scope():
        assert not ExportJob.objects.exists()


def test_the_page_starts_an_export_and_shows_its_progress(org_a: Tenant, built: World) -> None:
    client = login(Client(), org_a.coordinator.user)
    response = client.post(
        _page(org_a, built.program.pk), {"dataset": "pairs", "format": "csv", "role": "mentee"}
    )
    assert response.status_code == 302
    with org_a.scope():
        job = ExportJob.objects.get()
    assert job.filters == {"role": "mentee"}
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'role="status"' in html
    assert "<progress" in html
    assert 'hx-trigger="every 1s"' in html
    with org_a.scope():
        assert jobs.run_export(job_id=job.pk) == "done"
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial  # done: polling stops
    assert "Download" in partial
    assert "<html" not in partial
    listing = client.get(_page(org_a, built.program.pk)).content.decode()
    assert "Done" in listing
    assert 'scope="col"' in listing


# --- The download: requester only, signed, expiring --------------------------------------------------


def _download_url(client: Client, tenant: Tenant, job: ExportJob) -> str:
    body = client.get(_api(tenant, job.program_id, job.pk)).json()
    return str(body["download_url"])


def test_the_requester_downloads_through_the_signed_link(org_a: Tenant, built: World) -> None:
    job = export(org_a, built.program, "sessions")
    client = login(Client(), org_a.coordinator.user)
    url = _download_url(client, org_a, job)
    assert url.startswith(f"/api/v1/o/{org_a.slug}/programs/{built.program.pk}/exports/{job.pk}/")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert job.file_name in response["Content-Disposition"]
    rows = csv_rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert rows[1][0] == str(built.session.pk)
    page_url = reverse(
        "program_export_download",
        kwargs={
            "org_slug": org_a.slug,
            "program_pk": built.program.pk,
            "pk": job.pk,
            "token": jobs.make_token(job),
        },
    )
    assert client.get(page_url).status_code == 200


def test_other_staff_may_not_download_and_forged_links_are_404(org_a: Tenant, built: World) -> None:
    job = export(org_a, built.program, "sessions")
    token = jobs.make_token(job)
    admin = login(Client(), org_a.admin.user)
    assert _download_url(admin, org_a, job) == ""
    assert admin.get(_api(org_a, built.program.pk, job.pk, "download", token)).status_code == 403
    owner = login(Client(), org_a.coordinator.user)
    for forged in (
        token[:-2] + "xx",
        "nonsense",
        jobs.make_token(export(org_a, built.program, "pairs")),
    ):
        assert (
            owner.get(_api(org_a, built.program.pk, job.pk, "download", forged)).status_code == 404
        )


def test_an_expired_link_is_410_with_a_clear_page(org_a: Tenant, built: World) -> None:
    job = export(org_a, built.program, "sessions")
    token = jobs.make_token(job)
    client = login(Client(), org_a.coordinator.user)
    page = reverse(
        "program_export_download",
        kwargs={
            "org_slug": org_a.slug,
            "program_pk": built.program.pk,
            "pk": job.pk,
            "token": token,
        },
    )
    with time_machine.travel(timezone.now() + timedelta(seconds=jobs.LINK_MAX_AGE + 60)):
        client = login(Client(), org_a.coordinator.user)
        response = client.get(page)
        assert response.status_code == 410
        assert "This download link has expired" in response.content.decode()
        api = client.get(_api(org_a, built.program.pk, job.pk, "download", token))
        assert api.status_code == 410
        assert "expired" in api.json()["detail"]


def test_the_sweeper_deletes_expired_files_and_the_link_answers_410(
    org_a: Tenant, built: World, media_root: Path
) -> None:
    job = export(org_a, built.program, "sessions")
    fresh = export(org_a, built.program, "pairs")
    token = jobs.make_token(job)
    assert (media_root / job.file.name).exists()
    with org_a.scope():
        ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert jobs.delete_expired_files() == 1
    assert not (media_root / job.file.name).exists()
    assert (media_root / fresh.file.name).exists()
    with org_a.scope():
        job.refresh_from_db()
    assert job.file.name == ""
    assert job.status == ExportStatus.DONE
    client = login(Client(), org_a.coordinator.user)
    assert client.get(_api(org_a, built.program.pk, job.pk, "download", token)).status_code == 410
    assert client.get(_api(org_a, built.program.pk, job.pk)).json()["download_url"] == ""


# --- Audit ---------------------------------------------------------------------------------------------


def test_every_request_and_download_is_in_the_audit_log(org_a: Tenant, built: World) -> None:
    job = export(org_a, built.program, "check_ins", "xlsx", filters={"role": "mentee"})
    client = login(Client(), org_a.coordinator.user)
    assert client.get(_download_url(client, org_a, job)).status_code == 200
    with org_a.scope():
        entries = list(
            AuditEntry.objects.filter(object_type="dashboards.exportjob", object_id=str(job.pk))
            .order_by("id")
            .values_list("action", "actor_id", "data")
        )
    user = org_a.coordinator.user.pk
    assert entries == [
        (
            "export.requested",
            user,
            {
                "program": built.program.pk,
                "dataset": "check_ins",
                "format": "xlsx",
                "filters": {"role": "mentee"},
            },
        ),
        ("export.finished", user, {"rows": 1}),
        (
            "export.downloaded",
            user,
            {"program": built.program.pk, "dataset": "check_ins", "format": "xlsx"},
        ),
    ]
