"""The organisation overview, one read for the page and the API. Admins only: a coordinator or a
member is refused (403, like the audit log), whatever they ask."""

from __future__ import annotations

from django.utils import timezone

from core.access import Forbidden
from dashboards import freshness
from dashboards.overview.selectors import Overview, organization_overview
from organizations.models import Membership, Organization
from surveys import privacy

REFUSAL = "Only an admin sees the organisation overview."


def organization_overview_for(*, membership: Membership, organization: Organization) -> Overview:
    if not membership.is_admin:
        raise Forbidden(REFUSAL)
    k = privacy.floor_of(organization)
    # Admins all see the same figures: computed once per change of the data and per day ("the
    # last 30 days").
    return freshness.cached(
        "overview",
        organization.pk,
        (k, timezone.localdate()),
        lambda: organization_overview(k=k),
    )
