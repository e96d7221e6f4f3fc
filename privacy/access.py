"""People's data rights: who may export a person's data, erase a person, and set retention. The one
policy that the pages, the API, the services and the export task ask.

==============================================  ======  ===========  ==============================
permission                                      admin   coordinator  member
==============================================  ======  ===========  ==============================
privacy.export_self (my own data, from my own    yes     yes          yes (a person in the directory;
  pages: ``me/data/``)                                                without an entry: 404)
privacy.export_person (anyone's, from their      yes     403          403
  directory page)
privacy.export_view (one export's status)        the requester, and admins; others 404
privacy.export_download (its file)               the requester alone (admins 403); others 404
privacy.erase (anonymise a person)               yes     403          403
privacy.retention (the rules, their preview)     yes     403          403
==============================================  ======  ===========  ==============================

A person's data is theirs and the organisation's (the controller, acting through its admins):
coordinators run programs and see program figures, but never take one person's whole file away.
An export someone else asked for does not exist for a member (404), so its existence tells
nothing. A person id is resolved inside the organisation (404 otherwise), after the role check
(403 first: the answer never tells a coordinator whether a person exists).
"""

from __future__ import annotations

from accounts.models import User
from core.access import Forbidden
from organizations.models import Membership, Role
from organizations.selectors import membership_of
from participants.models import Person
from privacy.models import PersonExport

ADMINS_ONLY = "Only the organisation's admins act on a person's data rights."
REQUESTER_ONLY = "Only the person who asked for this export downloads it."
NO_ENTRY = "You have no entry in this organisation's directory, so there is nothing to export."


def require_admin(membership: Membership) -> None:
    if membership.role != Role.ADMIN:
        raise Forbidden(ADMINS_ONLY)


def require_admin_user(actor: User | None) -> None:
    """For services and tasks: ``actor`` must be an admin of the scoped organisation (``None`` is
    the system: the nightly sweep, the platform operator's command)."""
    if actor is None:
        return
    membership = membership_of(actor)
    if membership is None or membership.role != Role.ADMIN:
        raise Forbidden(ADMINS_ONLY)


def may_view(membership: Membership, export: PersonExport) -> bool:
    return export.requested_by_id == membership.user_id or membership.role == Role.ADMIN


def may_download(membership: Membership, export: PersonExport) -> bool:
    return export.requested_by_id == membership.user_id


def may_export(actor: User, person: Person) -> bool:
    """Whether ``actor`` may (still) take ``person``'s data: themselves, or an admin."""
    if person.user_id is not None and person.user_id == actor.pk:
        return membership_of(actor) is not None
    membership = membership_of(actor)
    return membership is not None and membership.role == Role.ADMIN


def require_download(membership: Membership, export: PersonExport) -> None:
    if not may_download(membership, export):
        raise Forbidden(REQUESTER_ONLY)
