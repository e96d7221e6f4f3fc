"""Pair pages: my pairs, a pair, ending it, a program's pairs and re-matching one person."""

from __future__ import annotations

from typing import Any

from matching import services
from matching.models import Pair
from tests.conftest import Tenant
from tests.matching.test_rounds_builders import matching_cohort, proposed_round
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    cohort = matching_cohort(tenant, 2)
    published = proposed_round(tenant, cohort)
    with tenant.scope():
        services.round_publish(matching_round=published, actor=tenant.admin.user)
        pair = Pair.objects.get(source_round=published, mentee=cohort.mentees[0])
    return {
        "pair_page_pair": pair.pk,
        "pair_page_program": cohort.program.pk,
        "pair_page_mentee": cohort.mentees[0].pk,
    }


ROUTES: dict[str, Route] = {
    "my_pair_list": Route(("GET",)),
    "pair_detail": Route(("GET",), ids_of("pair_page_pair")),
    "pair_end": Route(("POST",), ids_of("pair_page_pair")),
    "program_pair_list": Route(("GET",), ids_of("pair_page_program", "program_pk")),
    "program_rematch": Route(
        ("POST",),
        lambda ids: {
            "program_pk": ids["pair_page_program"],
            "enrollment_pk": ids["pair_page_mentee"],
        },
    ),
}
