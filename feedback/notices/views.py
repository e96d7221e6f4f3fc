"""A person's email settings: which non-essential emails they get in this organisation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from feedback.notices.preferences import KINDS, preferences_of, preferences_save
from organizations.http import OrgRequest


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
    current = preferences_of(request.user.pk)
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None, initial=current)
    if request.method == "POST" and form.is_valid():
        preferences_save(
            organization_id=request.organization.pk,
            user=request.user,
            actor=request.user,
            values={kind.field: form.cleaned_data[kind.field] for kind in KINDS},
        )
        messages.success(request, "Your email settings were saved.")
        return redirect("my_email_preferences", org_slug=org_slug)
    return render(request, "feedback/notices/preferences.html", {"form": form})
