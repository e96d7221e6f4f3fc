"""People's data rights: one function per action, shared by the pages, the API and the shell.

Each takes the acting membership and asks the policy (``privacy/access.py``) first: a role that
may not act is refused (403) before any id is looked up; a person or export id is resolved inside
the organisation (404 otherwise). Services check the values (``ValidationError``: 400 with field
messages) and ask the policy again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import QuerySet
from django.http import Http404

from organizations.models import Membership
from participants.enrollment import person_of
from participants.models import Person
from privacy import access
from privacy.erasure import services as erasure
from privacy.exports import jobs
from privacy.models import PersonExport, RetentionPolicy
from privacy.retention import services as retention


def _exports_of(person: Person, membership: Membership) -> QuerySet[PersonExport]:
    return PersonExport.objects.filter(person=person, requested_by=membership.user)


def _person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


# --- My own data ------------------------------------------------------------------------------------


def my_data(*, actor: Membership) -> tuple[Person | None, QuerySet[PersonExport]]:
    """My directory entry (None without one) and the exports I asked for of it."""
    person = person_of(actor.user)
    if person is None:
        return None, PersonExport.objects.none()
    return person, _exports_of(person, actor)


def request_my_export(*, actor: Membership) -> PersonExport:
    person = person_of(actor.user)
    if person is None:
        raise ValidationError({"person": [access.NO_ENTRY]})
    return jobs.export_request(
        organization=actor.organization, actor=actor.user, person=person, by_self=True
    )


# --- An admin, for one person -------------------------------------------------------------------------


def person_data(*, actor: Membership, person_id: int) -> tuple[Person, QuerySet[PersonExport]]:
    access.require_admin(actor)
    person = _person(person_id)
    return person, PersonExport.objects.filter(person=person).select_related("requested_by")


def request_person_export(*, actor: Membership, person_id: int) -> PersonExport:
    access.require_admin(actor)
    person = _person(person_id)
    by_self = person.user_id == actor.user_id
    return jobs.export_request(
        organization=actor.organization, actor=actor.user, person=person, by_self=by_self
    )


# --- One export ---------------------------------------------------------------------------------------


def show_export(*, actor: Membership, export_id: int) -> PersonExport:
    export = (
        PersonExport.objects.select_related("person", "requested_by").filter(pk=export_id).first()
    )
    if export is None or not access.may_view(actor, export):
        raise Http404("No such export.")
    return export


def may_download(actor: Membership, export: PersonExport) -> bool:
    return access.may_download(actor, export)


def download_export(
    *, actor: Membership, export_id: int, token: str
) -> tuple[PersonExport, File[Any]]:
    export = show_export(actor=actor, export_id=export_id)
    access.require_download(actor, export)
    return export, jobs.export_download(job=export, actor=actor.user, token=token)


# --- Erasure ------------------------------------------------------------------------------------------


def erasure_page(*, actor: Membership, person_id: int) -> tuple[Person, list[str]]:
    """The person and why erasure would be refused now (empty: it may go ahead)."""
    access.require_admin(actor)
    person = _person(person_id)
    try:
        erasure.check_erasable(person, actor.user)
    except ValidationError as error:
        return person, [str(message) for message in error.message_dict.get("person", [])]
    return person, []


def erase_person(*, actor: Membership, person_id: int, confirm_name: Any) -> erasure.ErasureReport:
    access.require_admin(actor)
    person = _person(person_id)
    return erasure.person_erase(
        organization=actor.organization, actor=actor.user, person=person, confirm_name=confirm_name
    )


# --- Retention ----------------------------------------------------------------------------------------


def retention_page(*, actor: Membership) -> tuple[RetentionPolicy | None, dict[str, int]]:
    """The rules and the dry run: what they would delete now, per kind."""
    access.require_admin(actor)
    return retention.current_policy(), retention.preview()


def update_retention(*, actor: Membership, values: dict[str, Any]) -> RetentionPolicy:
    access.require_admin(actor)
    return retention.retention_update(
        organization=actor.organization, actor=actor.user, values=values
    )


def run_retention(*, actor: Membership) -> dict[str, int] | None:
    """Enforce the rules now (the nightly sweep does the same)."""
    access.require_admin(actor)
    return retention.sweep(actor=actor.user)
