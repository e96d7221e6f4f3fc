"""The organisation's topic vocabulary (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.pages import add_form_errors, paginate, require_role
from organizations.http import OrgRequest
from organizations.models import Role
from programs import selectors, services
from programs.forms import TopicForm


@require_http_methods(["GET", "POST"])
@require_role(Role.ADMIN)
def topic_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(
                organization=request.organization, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"“{topic.name}” was added to the vocabulary.")
            return redirect("topic_list", org_slug=org_slug)
    return render(
        request,
        "programs/topic_list.html",
        {"form": form, "page": paginate(request, selectors.topic_list(), per_page=50)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@require_role(Role.ADMIN)
def topic_edit(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    topic = get_object_or_404(selectors.topic_list(), pk=pk)
    form = TopicForm(
        request.POST or None, initial={"name": topic.name, "description": topic.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(actor=request.user, topic=topic, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"“{topic.name}” was saved.")
            return redirect("topic_list", org_slug=org_slug)
    return render(
        request,
        "programs/topic_form.html",
        {"form": form, "topic": topic},
        status=400 if form.errors else 200,
    )


@require_POST
@require_role(Role.ADMIN)
def topic_toggle(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    topic = get_object_or_404(selectors.topic_list(), pk=pk)
    services.topic_set_active(actor=request.user, topic=topic, is_active=not topic.is_active)
    state = "offered again" if topic.is_active else "no longer offered for new choices"
    messages.success(request, f"“{topic.name}” is {state}.")
    return redirect("topic_list", org_slug=org_slug)
