"""Import people: one function per action, shared by the pages, the API and the shell.

Each takes the acting membership, asks the import policy (a refusal is ``Forbidden``: 403 with the
same message on a page and in the API), resolves the job id inside the organisation (``Http404``
when it is not there), then runs the job services, which check their own input (``ValidationError``:
400 with field messages) and ask the policy again for the user they are given. Views and API views
only parse the request, call one of these and render what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from organizations.models import Membership
from participants.importing import access, downloads, jobs
from participants.importing.parsing import MAX_UPLOAD_BYTES
from participants.models import ImportJob, Person


def _jobs() -> QuerySet[ImportJob]:
    # The stored file is never shown: leave it in the database.
    return ImportJob.objects.select_related("created_by").defer("content")


def _job(job_id: int) -> ImportJob:
    job = _jobs().filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job


def list_imports(*, actor: Membership) -> QuerySet[ImportJob]:
    """The organisation's imports, newest first."""
    access.import_access(actor).require(access.VIEW)
    return _jobs()


def show_import(*, actor: Membership, job_id: int) -> ImportJob:
    """One import with its status, progress and problems (what the job page polls)."""
    access.import_access(actor).require(access.VIEW)
    return _job(job_id)


PEOPLE_SHOWN = 100


@dataclass(frozen=True)
class ImportedPeople:
    """Whom an applied import added and changed, as far as they are still in the directory (the
    first ``PEOPLE_SHOWN`` of each, in file order; ``*_more`` counts the rest)."""

    created: list[Person]
    updated: list[Person]
    created_more: int
    updated_more: int


def imported_people(*, actor: Membership, job: ImportJob) -> ImportedPeople:
    access.import_access(actor).require(access.VIEW)
    created, updated = job.created_people[:PEOPLE_SHOWN], job.updated_people[:PEOPLE_SHOWN]
    found = Person.objects.in_bulk([*created, *updated])
    return ImportedPeople(
        created=[found[pk] for pk in created if pk in found],
        updated=[found[pk] for pk in updated if pk in found],
        created_more=max(0, len(job.created_people) - PEOPLE_SHOWN),
        updated_more=max(0, len(job.updated_people) - PEOPLE_SHOWN),
    )


def upload_import(*, actor: Membership, upload: UploadedFile) -> ImportJob:
    """Store an uploaded CSV or XLSX file and suggest which column fills which field."""
    access.import_access(actor).require(access.UPLOAD)
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        # Refused before reading: a huge file never reaches memory.
        raise ValidationError({"file": f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."})
    job = jobs.import_upload(
        organization=actor.organization,
        actor=actor.user,
        file_name=upload.name or "",
        content=upload.read(),
    )
    return _job(job.pk)


def map_import_columns(*, actor: Membership, job_id: int, mapping: dict[str, Any]) -> ImportJob:
    """Choose the column (by index or header name) that fills each directory field."""
    access.import_access(actor).require(access.MAP)
    with transaction.atomic():
        job = jobs.import_set_mapping(
            organization=actor.organization, actor=actor.user, job=_job(job_id), mapping=mapping
        )
    return _job(job.pk)


def start_dry_run(
    *, actor: Membership, job_id: int, mapping: dict[str, Any] | None = None
) -> ImportJob:
    """Save the mapping (when given) and queue the check of every row; nothing is written."""
    access.import_access(actor).require(access.CHECK)
    with transaction.atomic():
        job = jobs.import_request_validation(
            organization=actor.organization, actor=actor.user, job=_job(job_id), mapping=mapping
        )
    return _job(job.pk)


def start_commit(*, actor: Membership, job_id: int) -> ImportJob:
    """Queue the import of every row of a checked file without problems (all rows or none)."""
    access.import_access(actor).require(access.COMMIT)
    with transaction.atomic():
        job = jobs.import_request_commit(
            organization=actor.organization, actor=actor.user, job=_job(job_id)
        )
    return _job(job.pk)


def import_template(*, actor: Membership) -> bytes:
    """A CSV template with the columns an import reads and one example person."""
    access.import_access(actor).require(access.UPLOAD)
    return downloads.template_csv(actor.organization)


def import_problems_file(*, actor: Membership, job_id: int) -> tuple[str, bytes]:
    """The rows of a checked import that have problems, each with its problems (file name, CSV)."""
    access.import_access(actor).require(access.VIEW)
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    if not job.problems:
        raise ValidationError("This import has no problems to download.")
    stem = job.file_name.rsplit(".", 1)[0] or "import"
    return f"{stem}-problems.csv", downloads.problems_csv(job)
