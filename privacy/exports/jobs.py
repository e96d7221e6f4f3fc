"""A person's export: ask (service, audited) → queued → the task claims it and writes the zip →
done (with a signed link for the requester, ``LINK_MAX_AGE``) or failed (no file, a message).

The same shape as the program exports (``dashboards/exports/jobs.py``): the task claims its row
with a conditional update (a redelivered message never runs a job twice) and asks the policy
again for the person who queued it. The zip holds ``data.json`` (every table), one CSV per table
and a README saying what is and is not in it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import secrets
import tempfile
import zipfile
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from core.access import Forbidden
from organizations.audit import log_action
from organizations.models import Organization
from organizations.scope import dangerously_unscoped
from organizations.tasks import TenantTask, enqueue_on_commit
from participants.models import Person
from privacy import access
from privacy.exports.collect import TABLES, collect
from privacy.models import PersonExport, PersonExportStatus

logger = logging.getLogger(__name__)

LINK_MAX_AGE = 24 * 3600
SALT = "privacy.person_export_download"
SWEEP_BATCH = 500
FAILED = "The export failed; no file was kept. Try again, or ask an admin if it fails again."
REFUSED = "The person who asked for this export may no longer take this data. No file was made."

README_SELF = (
    "Everything {org} stores about you, as of {at} (UTC).\n\n"
    "data.json holds every table; each CSV holds one. Your private notes and your anonymous survey\n"
    "answers are included because you asked for this export yourself.\n"
)
README_ADMIN = (
    "Everything {org} stores about {name}, as of {at} (UTC), asked for by an admin.\n\n"
    "data.json holds every table; each CSV holds one. Private notes and anonymous survey answers\n"
    "are not included: the visibility policy shows them to the person alone. The person gets them\n"
    "in an export they ask for themselves.\n"
)


class ExportExpiredError(Exception):
    """The download link or the file is past its time (410)."""


def export_request(
    *, organization: Organization, actor: User, person: Person, by_self: bool
) -> PersonExport:
    """Store the job and queue it after commit. Audited."""
    if not access.may_export(actor, person):
        raise Forbidden(access.ADMINS_ONLY)
    with transaction.atomic():
        job = PersonExport.objects.create(
            organization=organization,
            person=person,
            requested_by=actor,
            by_self=by_self,
            total_parts=len(TABLES),
        )
        log_action(
            actor=actor,
            action="privacy.export_requested",
            target=job,
            data={"person": person.pk, "by_self": by_self},
        )
        enqueue_on_commit(run_person_export_task, organization_id=organization.pk, job_id=job.pk)
    return job


def make_token(job: PersonExport) -> str:
    return signing.dumps(
        {"o": job.organization_id, "j": job.pk, "u": job.requested_by_id}, salt=SALT
    )


def check_token(token: str, job: PersonExport, user: User) -> None:
    expected = {"o": job.organization_id, "j": job.pk, "u": user.pk}
    try:
        payload = signing.loads(token, salt=SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        try:
            payload = signing.loads(token, salt=SALT)
        except signing.BadSignature:
            raise Http404("No such export.") from None
        if payload != expected:
            raise Http404("No such export.") from None
        raise ExportExpiredError from None
    except signing.BadSignature:
        raise Http404("No such export.") from None
    if payload != expected:
        raise Http404("No such export.")


def export_download(*, job: PersonExport, actor: User, token: str) -> File[Any]:
    """The zip, for its requester through a valid link; audited."""
    if job.requested_by_id != actor.pk:
        raise Forbidden(access.REQUESTER_ONLY)
    check_token(token, job, actor)
    if job.status != PersonExportStatus.DONE:
        raise Http404("This export has no file yet.")
    if job.is_expired() or not job.file:
        raise ExportExpiredError
    log_action(
        actor=actor, action="privacy.export_downloaded", target=job, data={"person": job.person_id}
    )
    return default_storage.open(str(job.file.name), "rb")


def _claim(job_id: int, now: datetime) -> bool:
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    return bool(
        PersonExport.objects.filter(
            pk=job_id, status__in=(PersonExportStatus.QUEUED, PersonExportStatus.RUNNING)
        )
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(status=PersonExportStatus.RUNNING, claimed_at=now, processed_parts=0)
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if not rows:
        return ""
    header = list(rows[0])
    for row in rows[1:]:
        header += [key for key in row if key not in header]
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, cls=DjangoJSONEncoder)
                if isinstance(value, dict | list)
                else ("" if value is None else value)
                for key, value in row.items()
            }
        )
    return out.getvalue()


def write_zip(target: Any, job: PersonExport, progress: Any = None) -> None:
    person = job.person
    tables = dict(collect(person, by_self=job.by_self, progress=progress))
    readme = (README_SELF if job.by_self else README_ADMIN).format(
        org=job.organization.name, name=person.full_name, at=f"{timezone.now():%Y-%m-%d %H:%M}"
    )
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        archive.writestr("data.json", json.dumps(tables, cls=DjangoJSONEncoder, indent=2))
        for name, rows in tables.items():
            archive.writestr(f"{name}.csv", _csv(rows))


def run_person_export(*, job_id: int) -> str:
    now = timezone.now()
    if not _claim(job_id, now):
        return "skipped"
    job = PersonExport.objects.select_related("person", "requested_by", "organization").get(
        pk=job_id
    )
    mine = PersonExport.objects.filter(pk=job_id, status=PersonExportStatus.RUNNING, claimed_at=now)
    actor = job.requested_by
    if actor is None or not access.may_export(actor, job.person):
        mine.update(status=PersonExportStatus.FAILED, error=REFUSED, finished_at=timezone.now())
        log_action(actor=actor, action="privacy.export_refused", target=job)
        return "refused"
    stored: str | None = None
    try:
        with tempfile.TemporaryFile() as target:
            write_zip(target, job, progress=lambda done: mine.update(processed_parts=done))
            target.seek(0)
            name = f"person-exports/{job.organization_id}/{secrets.token_hex(16)}.zip"
            stored = default_storage.save(name, File(target, name=name))
        finished_at = timezone.now()
        done = mine.update(
            status=PersonExportStatus.DONE,
            file=stored,
            file_name=f"{slugify(job.person.full_name)[:60] or 'person'}-data-{now:%Y-%m-%d}.zip",
            processed_parts=len(TABLES),
            finished_at=finished_at,
            expires_at=finished_at + timedelta(seconds=LINK_MAX_AGE),
        )
        if not done:
            raise RuntimeError(f"person export {job_id} was taken over while writing")
    except Exception:
        logger.exception("person export %s failed", job_id)
        if stored is not None:
            default_storage.delete(stored)
        mine.update(
            status=PersonExportStatus.FAILED, file="", error=FAILED, finished_at=timezone.now()
        )
        log_action(actor=actor, action="privacy.export_failed", target=job)
        raise
    log_action(actor=actor, action="privacy.export_finished", target=job)
    return "done"


def delete_expired_files(*, now: datetime | None = None) -> int:
    """Delete the files of expired person exports in every organisation (a sweeper)."""
    now = now or timezone.now()
    with dangerously_unscoped():
        expired = list(
            PersonExport.dangerously_unscoped_objects.filter(expires_at__lte=now)
            .exclude(file="")
            .order_by("expires_at", "id")
            .values_list("id", "file")[:SWEEP_BATCH]
        )
        for job_id, name in expired:
            default_storage.delete(name)
            PersonExport.dangerously_unscoped_objects.filter(pk=job_id).update(file="")
    return len(expired)


@shared_task(base=TenantTask, name="privacy.run_person_export", ignore_result=True)
def run_person_export_task(*, job_id: int) -> str:
    return run_person_export(job_id=job_id)


@shared_task(name="privacy.delete_expired_person_exports", ignore_result=True)
def delete_expired_person_exports() -> int:
    """Beat, hourly: delete the files of person exports whose link has expired."""
    return delete_expired_files()
