"""Helpers for driving allauth's pages the way a person does: through forms and emailed links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

_URL = re.compile(r"https?://[^\s<>\"]+")


def links_in_last_email(to: str) -> list[str]:
    """The URL paths in the most recent email sent to ``to`` (fails when there is none)."""
    sent_to_address = [message for message in mail.outbox if to in message.to]
    assert sent_to_address, f"no email was sent to {to}; outbox: {[m.to for m in mail.outbox]}"
    body = sent_to_address[-1].body
    return [urlsplit(url).path for url in _URL.findall(body)]


def link_in_last_email(to: str, *, containing: str) -> str:
    matches = [path for path in links_in_last_email(to) if containing in path]
    assert len(matches) == 1, f"expected one link containing {containing!r}, got {matches}"
    return matches[0]


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def post_login(client: Client, email: str, password: str) -> HttpResponse:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def form_errors(response: HttpResponse, field: str = "__all__") -> list[str]:
    form = response.context["form"]
    return list(form.errors.get(field, []))


def first_template(response: HttpResponse) -> str:
    """The template the view rendered (the others are the ones it extends or includes)."""
    return response.templates[0].name
