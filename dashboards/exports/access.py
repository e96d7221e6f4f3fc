"""Exports: who may ask for a program's export, follow it, and download its file. The one policy
that the pages, the API, the job services and the export task ask.

=============================================  =====  ===========  ===========  ======
permission                                     admin  coordinator  coordinator  member
                                                      (assigned)   elsewhere
=============================================  =====  ===========  ===========  ======
export.view (the program's exports page, its    yes    yes          404          403
  jobs, their status and progress)
export.request (start an export of a dataset)   yes    yes          404          403
export.download (the file, through its signed   the person who asked for it; other
  link, until it expires: 410 after)            staff 403; others as above
=============================================  =====  ===========  ===========  ======

A program's exports belong to the program: whoever cannot see the program (a coordinator of another
program) cannot tell its exports exist (404), as ``programs.access`` says. A member (mentors and
mentees included) knows their role: they are refused with 403 before any id is looked up, so the
answer never tells whether a program exists. The file is its requester's alone: the staff who run
the program see that an export was made (and by whom), but a file holds personal data, so only the
person who asked for it, and whose request the audit log holds, downloads it.

The export task asks again at run time for the person who queued the job (``require_export``):
whoever lost the program since gets a failed job and no file.
"""

from __future__ import annotations

from accounts.models import User
from core.access import Access, Forbidden
from dashboards.models import ExportJob
from organizations.models import Membership
from programs import access as program_policy
from programs.models import Program

VIEW = "export.view"
REQUEST = "export.request"
DOWNLOAD = "export.download"

STAFF_ONLY = "Only the staff of a program export its data."
REQUESTER_ONLY = "Only the person who asked for this export downloads it."

_REFUSALS = {VIEW: STAFF_ONLY, REQUEST: STAFF_ONLY, DOWNLOAD: REQUESTER_ONLY}


def export_program(membership: Membership, program_id: int) -> Program:
    """The program whose exports ``membership`` may see: 403 for a member (by role, before the
    lookup), 404 for a program they do not run."""
    if not membership.is_staff_role:
        raise Forbidden(STAFF_ONLY)
    return program_policy.managed_program(membership, program_id)


def export_access(membership: Membership, program: Program, job: ExportJob | None = None) -> Access:
    """What ``membership`` may do with the exports of ``program`` (and with ``job``, if given)."""
    granted: set[str] = set()
    if membership.is_staff_role and program_policy.manages(membership, program.pk):
        granted |= {VIEW, REQUEST}
        if job is not None and job.requested_by_id == membership.user_id:
            granted.add(DOWNLOAD)
    return Access.of(granted, _REFUSALS)


def require_export(actor: User | None, program: Program) -> None:
    """For services and the task: refuse ``actor`` unless they run ``program`` (``None`` is the
    system). A member is refused (403); a coordinator of another program cannot see it (404)."""
    if actor is None:
        return
    try:
        program_policy.require_program_staff(actor, program)
    except Forbidden:
        raise Forbidden(STAFF_ONLY) from None
