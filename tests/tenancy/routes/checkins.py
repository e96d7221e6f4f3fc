"""Check-ins: my check-ins and answering one, a program's check-ins (staff), the email's token
links (outside /o/, guarded by their token) and the API."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from feedback import links
from feedback.models import CheckIn, CheckInStatus
from matching import services
from matching.models import Pair, PairStatus
from participants.models import Person
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import matching_cohort, proposed_round
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    """An active pair whose mentor is the organisation's admin, with a check-in sent to them (so
    that org A's admin reaches every URL: their own check-in and their own email link)."""
    cohort = matching_cohort(tenant, 1)
    published = proposed_round(tenant, cohort)
    with tenant.scope():
        services.round_publish(matching_round=published, actor=tenant.admin.user)
        pair = Pair.objects.get(source_round=published)
        Pair.objects.filter(pk=pair.pk).update(status=PairStatus.ACTIVE)
        Person.objects.filter(pk=cohort.mentors[0].person_id).update(user=tenant.admin.user)
        check_in = CheckIn.objects.create(
            organization=tenant.organization,
            pair=pair,
            enrollment=cohort.mentors[0],
            due_on=timezone.localdate(),
            status=CheckInStatus.SENT,
            sent_at=timezone.now(),
        )
    return {
        "check_in": check_in.pk,
        "check_in_program": cohort.program.pk,
        "check_in_token": links.make_token(check_in),
    }


ROUTES: dict[str, Route] = {
    "my_check_in_list": Route(("GET",)),
    "my_check_in_answer": Route(("GET", "POST"), ids_of("check_in")),
    "program_check_in_list": Route(("GET",), ids_of("check_in_program", "program_pk")),
    # The email links work signed out: org A's token under org B's slug is a 404.
    "check_in_link": Route(("GET", "POST"), ids_of("check_in_token", "token"), member_gated=False),
    "check_in_link_we_met": Route(
        ("GET", "POST"), ids_of("check_in_token", "token"), member_gated=False
    ),
    # API
    "api-check-in-list": Route(("GET",)),
    "api-check-in-detail": Route(("GET",), ids_of("check_in")),
    "api-check-in-answer": Route(("POST",), ids_of("check_in")),
}
