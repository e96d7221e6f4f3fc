from __future__ import annotations

from django import forms

from webhooks.models import SUBSCRIBABLE


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where the events are POSTed, e.g. https://hooks.example.com/flipside.",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Events", choices=SUBSCRIBABLE, widget=forms.CheckboxSelectMultiple
    )


class EndpointEditForm(EndpointForm):
    is_active = forms.BooleanField(
        label="Enabled",
        required=False,
        help_text="A disabled endpoint is sent nothing; enabling it starts its failure count anew.",
    )
