"""Import jobs: who may upload a file of people, check it and import it. The one policy the pages,
the API, the services and the commit task ask.

==============================================  =====  ===========  ======
permission                                      admin  coordinator  member
==============================================  =====  ===========  ======
import.view (list, a job, its problems and its   yes    403          403
  progress)
import.upload                                   yes    403          403
import.map (choose which column fills a field)  yes    403          403
import.check (start the dry run)                yes    403          403
import.commit (import every row or none)        yes    403          403
==============================================  =====  ===========  ======

An import writes the whole organisation's directory, so it is the admins' (HR's) alone. The answer
does not depend on the job: imports belong to the organisation, not to their uploader, and an
uploader who is no longer an admin may no longer touch their own. A coordinator or member is
refused with 403 before any id is looked up (they know their role; the answer never tells whether
an import exists). Another organisation's import is unknown (404) through the tenant scope.

Whether a step may run *now* (a dry run of a committed import, a commit with problems) is not
access: the job services refuse it with a validation error (400 in the API, a message on the page).
"""

from __future__ import annotations

from accounts.models import User
from core.access import Access, Forbidden
from organizations.models import Membership, Role
from organizations.selectors import membership_of

VIEW = "import.view"
UPLOAD = "import.upload"
MAP = "import.map"
CHECK = "import.check"
COMMIT = "import.commit"
PERMISSIONS = (VIEW, UPLOAD, MAP, CHECK, COMMIT)

REFUSAL = "Only an admin imports people into the directory."


def import_access(membership: Membership | None) -> Access:
    """What this member may do with the organisation's imports (nothing without a membership)."""
    granted = PERMISSIONS if membership is not None and membership.role == Role.ADMIN else ()
    return Access.of(granted, dict.fromkeys(PERMISSIONS, REFUSAL))


def user_may(actor: User, permission: str) -> bool:
    """The same answer for a user, through their membership in the organisation in scope."""
    return import_access(membership_of(actor)).allows(permission)


def require_import_permission(actor: User | None, permission: str) -> None:
    """For services, which take the acting user: refuse one whose membership lacks ``permission``.

    ``None`` is the system (the commit task of a job queued without a person, the demo loader, the
    shell): no person acts, so there is nobody to refuse. Pages and API always pass a person.
    """
    if actor is not None and not user_may(actor, permission):
        raise Forbidden(REFUSAL)
