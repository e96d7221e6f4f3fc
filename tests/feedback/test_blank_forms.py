"""The pair page's blank forms are rendered once per process and served again: the same HTML as a
fresh render, a new render when anything a field shows changes, never a bound form's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django import forms
from django.template import Context, Template

from feedback.templatetags import blank_forms

TEMPLATE = Template(
    "{% load blank_forms %}{% blankform form %}"
    '{% include "includes/field.html" with field=form.day %}'
    '{% include "includes/field.html" with field=form.kind %}'
    "{% endblankform %}"
)


class Sample(forms.Form):
    day = forms.DateField(
        label="Day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            self.fields["kind"].choices = kinds


@pytest.fixture(autouse=True)
def _empty_memory() -> None:
    blank_forms.forget()


def _render(form: forms.Form) -> str:
    return TEMPLATE.render(Context({"form": form}))


def _fresh(form: forms.Form) -> str:
    blank_forms.forget()
    return _render(form)


def test_a_blank_form_is_rendered_once_and_served_the_same() -> None:
    first = _render(Sample(initial={"day": date(2030, 1, 2)}))
    assert 'value="2030-01-02"' in first
    assert len(blank_forms._memory) == 1
    again = _render(Sample(initial={"day": date(2030, 1, 2)}))
    assert again == first
    assert len(blank_forms._memory) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"initial": {"day": date(2030, 1, 3)}},
        {"prefix": "plan"},
        {"auto_id": "f_%s"},
        {"kinds": [("a", "A"), ("c", "C")]},
    ],
)
def test_what_a_field_shows_changes_the_html(changed: dict[str, Any]) -> None:
    base = _render(Sample(initial={"day": date(2030, 1, 2)}))
    kwargs = {"initial": {"day": date(2030, 1, 2)}, **changed}
    other = _render(Sample(**kwargs))
    assert other != base
    assert other == _fresh(Sample(**kwargs))


def test_a_bound_form_is_rendered_with_what_was_typed_and_its_errors() -> None:
    _render(Sample())
    bound = Sample({"day": "not a date", "kind": "b"})
    html = _render(bound)
    assert 'value="not a date"' in html
    assert "errorlist" in html
    assert len(blank_forms._memory) == 1  # only the blank one


def test_the_body_sees_the_form_and_nothing_else_of_the_page() -> None:
    """What is remembered can hold nothing of the page it was first rendered on: the body reads
    the form as ``form`` and no other variable (here a person's name), fresh or remembered."""
    peeking = Template(
        "{% load blank_forms %}{% blankform sample %}[{{ secret }}]"
        '{% include "includes/field.html" with field=form.day %}{% endblankform %}'
    )
    html = peeking.render(Context({"sample": Sample(), "secret": "Ada Lovelace"}))
    assert "[]" in html
    assert "Ada Lovelace" not in html
    assert 'name="day"' in html
    bound = peeking.render(Context({"sample": Sample({"day": "x"}), "secret": "Ada Lovelace"}))
    assert "Ada Lovelace" not in bound
    assert 'value="x"' in bound
