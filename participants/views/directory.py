"""Directory pages for admins and coordinators: list, search, detail, create, edit, deactivate.

Demographics never appear here: they are the person's own answers, shown only as aggregates.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate, require_role
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from participants import directory, groups, hooks
from participants.forms.directory import DirectorySearchForm, PersonForm
from participants.models import Person

STAFF = STAFF_ROLES


def _person(pk: int) -> Person:
    return get_object_or_404(directory.person_list(status="all"), pk=pk)


@require_role(*STAFF)
def person_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    form = DirectorySearchForm(
        request.GET or None,
        organization=request.organization,
        departments=directory.department_list(),
        groups=groups.group_choices(),
    )
    # A filter value the form refuses (a department or level that does not exist, an unknown
    # status) is a 400 showing the field's message over the unfiltered list, never silently
    # ignored: a filter that quietly shows everyone looks like an answer.
    valid = not request.GET or form.is_valid()
    filters = form.filters() if request.GET else {"status": "active"}
    page = paginate(request, directory.person_list(**filters), per_page=50)
    levels = dict(directory.level_scale(request.organization))
    return render(
        request,
        "participants/directory/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(value for key, value in filters.items() if key != "status"),
            "rows": [(person, levels.get(person.level or 0, "")) for person in page.object_list],
        },
        status=200 if valid else 400,
    )


@require_role(*STAFF)
def person_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    person = _person(pk)
    return render(
        request,
        "participants/directory/detail.html",
        {
            "person": person,
            "level": directory.level_label(request.organization, person.level),
            "reports": directory.direct_reports(person),
            "chain": directory.reporting_chain(person),
            "groups": groups.groups_of(person),
            "person_actions": [],
            **hooks.person_page.context(request.membership, person),
        },
    )


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def person_create(request: OrgRequest, org_slug: str) -> HttpResponse:
    form = PersonForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            person = directory.person_create(
                organization=request.organization, actor=request.user, **form.person_fields()
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"{person.full_name} was added to the directory.")
            return redirect("person_detail", org_slug=org_slug, pk=person.pk)
    return render(
        request,
        "participants/directory/form.html",
        {"form": form, "person": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_role(*STAFF)
def person_edit(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    person = _person(pk)
    form = PersonForm(
        request.POST or None,
        organization=request.organization,
        initial=PersonForm.initial_for(person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            directory.person_update(
                organization=request.organization,
                actor=request.user,
                person=person,
                **form.person_fields(),
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"{person.full_name} was saved.")
            return redirect("person_detail", org_slug=org_slug, pk=person.pk)
    return render(
        request,
        "participants/directory/form.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(*STAFF)
def person_deactivate(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    person = directory.person_set_active(actor=request.user, person=_person(pk), active=False)
    messages.success(request, f"{person.full_name} was deactivated.")
    return redirect("person_detail", org_slug=org_slug, pk=person.pk)


@require_POST
@require_role(*STAFF)
def person_reactivate(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    person = directory.person_set_active(actor=request.user, person=_person(pk), active=True)
    messages.success(request, f"{person.full_name} is active again.")
    return redirect("person_detail", org_slug=org_slug, pk=person.pk)
