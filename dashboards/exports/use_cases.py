"""Exports: one function per action, shared by the pages, the API and the shell.

Each takes the acting membership and asks the export policy (``dashboards/exports/access.py``)
first: a member is refused (403) before any id is looked up, a program the actor does not run is
404, and a job id is resolved inside that program (404 otherwise). The job services check the
request itself (``ValidationError``: 400 with field messages) and ask the policy again.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db.models import QuerySet
from django.http import Http404

from dashboards.exports import access, jobs
from dashboards.models import ExportJob
from organizations.models import Membership
from programs.models import Program


def _jobs(program: Program) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(program=program).select_related("requested_by")


def _job(program: Program, job_id: int) -> ExportJob:
    job = _jobs(program).select_related("program").filter(pk=job_id).first()
    if job is None:
        raise Http404("No such export.")
    return job


def program_exports(*, actor: Membership, program_id: int) -> tuple[Program, QuerySet[ExportJob]]:
    """The program and its exports, newest first (the exports page)."""
    program = access.export_program(actor, program_id)
    access.export_access(actor, program).require(access.VIEW)
    return program, _jobs(program)


def request_export(
    *, actor: Membership, program_id: int, dataset: Any, fmt: Any, filters: Any
) -> ExportJob:
    """Queue an export of ``dataset`` as ``fmt`` ("csv" or "xlsx") with ``filters``."""
    program = access.export_program(actor, program_id)
    access.export_access(actor, program).require(access.REQUEST)
    job = jobs.export_request(
        organization=actor.organization,
        actor=actor.user,
        program=program,
        dataset=dataset,
        fmt=fmt,
        filters=filters,
    )
    return _job(program, job.pk)


def show_export(*, actor: Membership, program_id: int, job_id: int) -> ExportJob:
    """One export with its status and progress (what its page polls)."""
    program = access.export_program(actor, program_id)
    access.export_access(actor, program).require(access.VIEW)
    return _job(program, job_id)


def may_download(actor: Membership, job: ExportJob) -> bool:
    """Whether the page offers ``actor`` the download link of ``job``."""
    assert job.program is not None
    return access.export_access(actor, job.program, job).allows(access.DOWNLOAD)


def download_export(
    *, actor: Membership, program_id: int, job_id: int, token: str
) -> tuple[ExportJob, File[Any]]:
    """The file of a finished export, for its requester through its signed link (403 for other
    staff, 404 for a bad link, ``jobs.ExportExpiredError`` once expired)."""
    program = access.export_program(actor, program_id)
    job = _job(program, job_id)
    access.export_access(actor, program, job).require(access.DOWNLOAD)
    return job, jobs.export_download(job=job, actor=actor.user, token=token)
