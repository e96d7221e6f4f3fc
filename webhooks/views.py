"""Webhook pages for admins: the endpoints (and a new one), one endpoint's settings with its secret
rotation and test event, and its delivery log with redelivery. Adapters over
``webhooks.use_cases``; a secret is shown once, on the page the create or rotation answers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import add_form_errors, paginate
from organizations.http import OrgRequest
from webhooks import retention, selectors, use_cases
from webhooks.forms import EndpointEditForm, EndpointForm
from webhooks.models import WebhookEndpoint


@require_http_methods(["GET", "POST"])
def webhook_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    endpoints = use_cases.list_endpoints(actor=request.membership)
    form = EndpointForm(request.POST or None)
    created: WebhookEndpoint | None = None
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = use_cases.create_endpoint(
                actor=request.membership,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["events"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            form = EndpointForm()
    return render(
        request,
        "webhooks/list.html",
        {"form": form, "endpoints": endpoints, "created": created, "secret": secret},
        status=400 if form.errors else 200,
    )


def _edit_page(
    request: OrgRequest, endpoint: WebhookEndpoint, form: EndpointEditForm, secret: str | None
) -> HttpResponse:
    return render(
        request,
        "webhooks/edit.html",
        {"endpoint": endpoint, "form": form, "secret": secret},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def webhook_edit(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    endpoint = use_cases.get_endpoint(actor=request.membership, endpoint_id=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            use_cases.update_endpoint(
                actor=request.membership,
                endpoint_id=pk,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["events"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "The endpoint was saved.")
            return redirect("webhook_edit", org_slug=org_slug, pk=pk)
    return _edit_page(request, endpoint, form, None)


@require_POST
def webhook_delete(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    use_cases.delete_endpoint(actor=request.membership, endpoint_id=pk)
    messages.success(request, "The endpoint was deleted.")
    return redirect("webhook_list", org_slug=org_slug)


@require_POST
def webhook_rotate(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    endpoint, secret = use_cases.rotate_secret(actor=request.membership, endpoint_id=pk)
    form = EndpointEditForm(
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "is_active": endpoint.is_active,
        }
    )
    return _edit_page(request, endpoint, form, secret)


@require_POST
def webhook_test(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    try:
        use_cases.send_test(actor=request.membership, endpoint_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "A test event was queued; its delivery shows below.")
    return redirect("webhook_deliveries", org_slug=org_slug, pk=pk)


@require_GET
def webhook_deliveries(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    endpoint, deliveries = use_cases.list_deliveries(actor=request.membership, endpoint_id=pk)
    page = paginate(request, deliveries)
    rows = list(page)
    attempts = selectors.attempts_of(rows)
    return render(
        request,
        "webhooks/deliveries.html",
        {
            "endpoint": endpoint,
            "page": page,
            "rows": [(delivery, attempts[delivery.pk]) for delivery in rows],
            "retention_days": retention.retention_days(),
        },
    )


@require_POST
def webhook_redeliver(
    request: OrgRequest, org_slug: str, pk: int, delivery_pk: int
) -> HttpResponse:
    try:
        use_cases.redeliver(actor=request.membership, endpoint_id=pk, delivery_id=delivery_pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The event was queued again.")
    return redirect("webhook_deliveries", org_slug=org_slug, pk=pk)
