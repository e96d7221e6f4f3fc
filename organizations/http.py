from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User
from organizations.models import Membership, Organization


class OrgRequest(HttpRequest):
    """A request under /o/<slug>/ after OrganizationMiddleware: signed in, a member, in scope."""

    user: User
    organization: Organization
    membership: Membership
