"""A person's email settings: which non-essential emails they get in this organisation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from feedback.notices import use_cases
from feedback.notices.preferences import KIND_FIELDS, KINDS, unsubscribe
from organizations import mail
from organizations.http import OrgRequest
from organizations.models import Organization
from organizations.scope import tenant_scope
from organizations.selectors import organization_by_slug


class EmailPreferencesForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind in KINDS:
            self.fields[kind.field] = forms.BooleanField(
                required=False, label=kind.label, help_text=kind.help_text
            )


@require_http_methods(["GET", "POST"])
def my_email_preferences(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Every member edits their own choices (nobody else's: there is no id in the URL)."""
    current = use_cases.my_email_preferences(membership=request.membership)
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None, initial=current)
    if request.method == "POST" and form.is_valid():
        use_cases.save_my_email_preferences(
            membership=request.membership,
            actor=request.user,
            values={kind.field: form.cleaned_data[kind.field] for kind in KINDS},
        )
        messages.success(request, "Your email settings were saved.")
        return redirect("my_email_preferences", org_slug=org_slug)
    return render(request, "feedback/notices/preferences.html", {"form": form})


def _unsubscribe_link(org_slug: str, token: str) -> tuple[Organization, int, str]:
    """The organisation, account and kind a signed unsubscribe token names; 404 for anything
    not signed by us for this organisation."""
    organization = organization_by_slug(org_slug)
    read = mail.read_unsubscribe_token(token)
    if organization is None or read is None or read[0] != organization.pk:
        raise Http404("No such link.")
    if read[2] not in KIND_FIELDS:
        raise Http404("No such link.")
    return organization, read[1], read[2]


@csrf_exempt  # the signed token is the authority; RFC 8058 one-click POSTs carry no CSRF token
@require_http_methods(["GET", "POST"])
def mail_unsubscribe(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """Unsubscribe from one kind of email, signed out. GET only shows a button (mail scanners
    fetch links); the POST, from that button or a mail client's one-click, turns the kind off."""
    organization, user_id, kind = _unsubscribe_link(org_slug, token)
    label = next(k.label for k in KINDS if k.field == kind)
    with tenant_scope(organization):
        done = False
        if request.method == "POST":
            if not unsubscribe(organization_id=organization.pk, user_id=user_id, kind=kind):
                raise Http404("No such link.")
            done = True
        return render(
            request,
            "feedback/notices/unsubscribe.html",
            {"link_org": organization, "label": label, "done": done},
        )
