"""How the pair page's sections answer a form: the viewer's access, the section for htmx (with a
live-region announcement) or a redirect, and the whole page at 400 with what was typed.

Every action opens the pair through ``feedback.visibility.pair_access`` (anyone who may not see it
gets 404); who may do what is the policy's (``feedback.visibility``, ``matching.access``), asked
by the use cases and services the views call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse

from core.pages import add_form_errors
from feedback.pairs.context import pair_life
from feedback.pairs.views import render_pair_page
from feedback.visibility import PairAccess, pair_access
from organizations.http import OrgRequest
from participants.models import Enrollment

# --- Access --------------------------------------------------------------------------------------


def access_of(request: OrgRequest, pair_pk: int) -> PairAccess:
    return pair_access(pair_pk, membership=request.membership, user=request.user)


def member_of(access: PairAccess) -> Enrollment:
    """The viewer's side of the pair; staff who see the pair without being in it get 403."""
    return access.member()


def is_htmx(request: OrgRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def pair_url(access: PairAccess, org_slug: str, anchor: str = "") -> str:
    url = reverse("pair_detail", kwargs={"org_slug": org_slug, "pk": access.pair.pk})
    return f"{url}#{anchor}" if anchor else url


# --- Answers -------------------------------------------------------------------------------------


def apply_error(form: Form, error: ValidationError, renames: dict[str, str] | None = None) -> None:
    """A service's ValidationError onto the form, its field names translated where they differ."""
    if renames and hasattr(error, "error_dict"):
        error = ValidationError(
            {renames.get(field, field): messages for field, messages in error.message_dict.items()}
        )
    add_form_errors(form, error)


def answer(
    request: OrgRequest,
    org_slug: str,
    access: PairAccess,
    section: str,
    *,
    message: str,
    failed: dict[str, Any] | None = None,
    also: tuple[str, ...] = (),
) -> HttpResponse:
    """After a pair-page form: its section for htmx (with ``also`` sections it changed, swapped
    out of band), else a redirect (or the page at 400)."""
    status = 400 if failed else 200
    if is_htmx(request):
        context = {
            "pair": access.pair,
            "program": access.pair.program,
            **pair_life(request, access, forms=failed),
            "announcement": "" if failed else message,
        }
        html = render_to_string(f"feedback/pairs/detail.html#{section}", context, request=request)
        # The "what to do now" list follows every change (a session confirmed leaves it).
        for other in (*(() if failed else (*also, "todo")), "life-status"):
            html += render_to_string(
                f"feedback/pairs/detail.html#{other}", {**context, "oob": True}, request=request
            )
        return HttpResponse(html, status=status)
    if failed:
        return render_pair_page(request, access.pair, life_forms=failed, status=400)
    messages.success(request, message)
    return redirect(pair_url(access, org_slug, section))
