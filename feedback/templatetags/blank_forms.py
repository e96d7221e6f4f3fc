"""``{% blankform form %}…{% endblankform %}``: the pair page's blank forms, rendered once.

The pair page carries some twenty-five form widgets (log a session, plan one, notes, goals, the
pair's course, actions, stories), and Django renders each through its own widget template on
every view: about a third of the page's cost. A blank form renders the same HTML whenever its
fields say the same thing, so the block keeps the HTML in this process, keyed by where the block
is and a fingerprint of everything a field's rendering reads (names, ids, labels, help, initial
values, widget and its attributes, choices, the language). A bound form (a failed POST, with the
values typed and its errors) is always rendered afresh.

The body is rendered with the form as ``form`` and nothing else in its context (no request, no
user, no CSRF token, no other variable of the page), fresh or remembered alike: what is kept can
only ever be the form's own HTML, never something of the page it was first rendered on.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from django import forms, template
from django.template.base import Parser, Token
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Pairs of programs differ in their topics, names and dates: a few hundred blank forms at most.
MEMORY_SIZE = 2048
_memory: dict[tuple[str, str], SafeString] = {}
_lock = threading.Lock()


def _choices(widget: forms.Widget) -> list[tuple[str, str]] | None:
    choices = getattr(widget, "choices", None)
    if choices is None:
        return None
    if not isinstance(choices, list | tuple):
        # A model field's choices run a query each time they are iterated: read them once (a
        # loop, not list(), which would ask their len(): a COUNT query), and let the widget
        # render from that list if the form is rendered.
        read: list[Any] = []
        for choice in choices:
            read.append(choice)
        widget.choices = choices = read  # type: ignore[attr-defined]  # a ChoiceWidget here
    # A model choice's value is a wrapper whose repr names the object's address: use its text.
    return [(str(value), str(label)) for value, label in choices]


def fingerprint(form: forms.BaseForm) -> str:
    """Everything a blank form's fields render from, as a digest."""
    parts: list[Any] = [
        type(form).__module__,
        type(form).__qualname__,
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        translation.get_language(),
        timezone.get_current_timezone_name(),
    ]
    for bound in form:
        field, widget = bound.field, bound.field.widget
        parts.append(
            (
                bound.html_name,
                bound.auto_id,
                str(bound.label),
                str(field.help_text),
                field.required,
                field.disabled,
                field.localize,
                field.show_hidden_initial,
                type(field).__qualname__,
                type(widget).__qualname__,
                getattr(widget, "input_type", None),
                getattr(widget, "format", None),
                sorted((str(k), str(v)) for k, v in widget.attrs.items()),
                sorted((str(k), str(v)) for k, v in field.widget_attrs(widget).items()),
                repr(bound.value()),
                _choices(widget),
            )
        )
    return hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()


def forget() -> None:
    """Drop every remembered form (tests)."""
    with _lock:
        _memory.clear()


class BlankFormNode(template.Node):
    def __init__(
        self, nodelist: template.NodeList, form: template.base.FilterExpression, where: str
    ):
        self.nodelist = nodelist
        self.form = form
        self.where = where

    def render(self, context: template.Context) -> str:
        form = self.form.resolve(context)
        # Only the form: a body that reads anything else renders it empty, in tests too.
        only_the_form = context.new({"form": form})
        if not isinstance(form, forms.BaseForm) or form.is_bound or form.errors:
            return self.nodelist.render(only_the_form)
        key = (self.where, fingerprint(form))
        html = _memory.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(only_the_form))  # noqa: S308  (templates)
            with _lock:
                if len(_memory) >= MEMORY_SIZE:
                    _memory.clear()
                _memory[key] = html
        return html


@register.tag("blankform")
def blankform(parser: Parser, token: Token) -> BlankFormNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% blankform form %} takes the form, and only it.")
    nodelist = parser.parse(("endblankform",))
    parser.delete_first_token()
    origin = getattr(parser, "origin", None)
    where = f"{getattr(origin, 'name', '?')}:{token.lineno}"
    return BlankFormNode(nodelist, parser.compile_filter(bits[1]), where)
