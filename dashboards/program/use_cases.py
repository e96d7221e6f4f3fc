"""The program dashboard, one read shared by the page and the API.

Policy: ``programs.access`` program staff (admins, the program's coordinators); anyone else gets 404,
as for the program's survey results. Bad filters are a ``ValidationError`` (400 with field
messages) and no data; a filtered selection under the privacy floor is a dashboard with no data and
the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from dashboards import freshness
from dashboards.program.filters import DashboardFilterForm, Population
from dashboards.program.selectors import ProgramDashboard, program_dashboard
from organizations.models import Membership, Organization
from programs.access import managed_program
from programs.lifecycle import program_today
from programs.models import Program
from surveys import privacy


def dashboard_program(membership: Membership, program_pk: int) -> Program:
    """The program whose dashboard ``membership`` may read; 404 for anyone who does not run it."""
    if not membership.is_staff_role:
        raise Http404("No such program.")
    return managed_program(membership, program_pk)


def population_of(program: Program) -> Population:
    """The program's people per (role, department, level): the filters' choices and the privacy
    gate's counts, cached until the organisation's data changes."""
    return freshness.cached(
        "population", program.organization_id, (program.pk,), lambda: Population(program)
    )


def filter_form(program: Program, data: Mapping[str, Any]) -> DashboardFilterForm:
    return DashboardFilterForm(data, population=population_of(program))


def program_dashboard_for(
    *,
    membership: Membership,
    organization: Organization,
    program_pk: int,
    data: Mapping[str, Any],
) -> tuple[ProgramDashboard, DashboardFilterForm]:
    """The dashboard of a program the viewer runs, under the filters in ``data``; raises
    ``ValidationError`` (field messages) for an unknown filter value or a reversed period."""
    program = dashboard_program(membership, program_pk)
    population = population_of(program)
    form = DashboardFilterForm(data, population=population)
    if not form.is_valid():
        raise ValidationError(
            {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        )
    filters = form.filters()
    k = privacy.floor_of(organization)
    # The whole program is the staff's to see (they see each person's enrolment anyway); the
    # floor guards the narrower selections, and the answers inside (pulse, outcomes) have their own.
    decision = population.decide(filters, k) if filters.narrows_people else privacy.Decision(True)
    # The figures are the same for everyone who may see them (the policy above decided that), so
    # they are computed once per change of the data and per day (gaps and "this month" move with
    # the program's today).
    dashboard = freshness.cached(
        "program",
        organization.pk,
        (program.pk, filters, k, decision, program_today(program)),
        lambda: program_dashboard(program, filters=filters, k=k, decision=decision),
    )
    dashboard.program = program  # the live row (name, status) rather than the cached copy
    return dashboard, form
