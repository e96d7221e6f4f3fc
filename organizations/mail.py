"""Notification email: one place that builds every message the product sends about its work.

A notification is a subject, a text template, an HTML template (the organisation's branding: its
name, accent colour and logo at its public, content-addressed URL (``organizations.logo``), never
an inline or third-party image) and attachments (calendar invitations). Non-essential mail names the preference that allows
it (``feedback.notices.preferences``): it carries a signed-out unsubscribe link and the
List-Unsubscribe / List-Unsubscribe-Post headers (RFC 8058); the sender does not send it once the
person turned that kind off. Essential mail (passwords, account invitations, security) has none.
"""

from __future__ import annotations

import email.message
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from core.text import one_line
from organizations.scope import tenant_scope

if TYPE_CHECKING:
    from feedback.ics import Attachment
    from organizations.models import Organization

UNSUBSCRIBE_SALT = "flipside.mail.unsubscribe"
DEFAULT_HTML_TEMPLATE = "email/notification.html"
DEFAULT_BRAND_COLOUR = "#1f6feb"
NEUTRAL_BRAND_NAME = "Flipside"


@dataclass(frozen=True)
class Unsubscribe:
    """Which preference (``EmailPreferences`` field) of which account allows this mail."""

    user_id: int
    kind: str


@dataclass
class Notification:
    organization: Organization
    to: str
    subject: str
    text_template: str
    context: dict[str, Any]
    html_template: str = DEFAULT_HTML_TEMPLATE
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    unsubscribe: Unsubscribe | None = None


def prefixed(subject: str) -> str:
    """A subject with the product's prefix, on one line whatever a name in it holds."""
    return one_line(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}")


def unsubscribe_token(*, organization_id: int, user_id: int, kind: str) -> str:
    return signing.dumps({"o": organization_id, "u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int, str] | None:
    """(organisation id, user id, kind) of a token we signed; None for anything else."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    org, user, kind = data.get("o"), data.get("u"), data.get("k")
    if not isinstance(org, int) or not isinstance(user, int) or not isinstance(kind, str):
        return None
    return org, user, kind


def unsubscribe_url(organization: Organization, unsubscribe: Unsubscribe) -> str:
    token = unsubscribe_token(
        organization_id=organization.pk, user_id=unsubscribe.user_id, kind=unsubscribe.kind
    )
    return settings.SITE_URL + reverse("mail_unsubscribe", args=(organization.slug, token))


# organisation id → (logo URL, when read): a wave mails thousands of messages of one organisation,
# and a logo a few minutes stale is harmless (its URL names its bytes; a replaced one's old URL is a
# 404, the mail then shows the alt text, the organisation's name).
_LOGOS: dict[int, tuple[str, float]] = {}
_LOGO_TTL = 300.0


def forget_logo(organization_id: int) -> None:
    """Read the logo again next time (after it changed)."""
    _LOGOS.pop(organization_id, None)


def logo_url(organization: Organization) -> str:
    """The organisation's logo on our own site (empty without one)."""
    cached = _LOGOS.get(organization.pk)
    if cached is None or time.monotonic() - cached[1] >= _LOGO_TTL:
        cached = (_read_logo_url(organization), time.monotonic())
        _LOGOS[organization.pk] = cached
    return cached[0]


def _read_logo_url(organization: Organization) -> str:
    from organizations import logo

    path = logo.logo_path(organization, logo.logo_ref(organization.pk))
    return f"{settings.SITE_URL}{path}" if path else ""


def branding(organization: Organization) -> dict[str, str]:
    return {
        "brand_name": organization.name,
        "brand_colour": organization.brand_colour or DEFAULT_BRAND_COLOUR,
        "brand_logo_url": logo_url(organization),
    }


def neutral_branding() -> dict[str, str]:
    """The product's own look, for mail that belongs to no one organisation (an account in
    several, or in none)."""
    return {
        "brand_name": NEUTRAL_BRAND_NAME,
        "brand_colour": DEFAULT_BRAND_COLOUR,
        "brand_logo_url": "",
    }


def render_html(
    text: str,
    brand: dict[str, str],
    *,
    template: str = DEFAULT_HTML_TEMPLATE,
    context: dict[str, Any] | None = None,
) -> str:
    """The HTML copy of a text body: written unescaped (autoescape off), it is escaped whole here,
    so whatever a name or a note in it holds is shown, never run."""
    return render_to_string(template, {**(context or {}), **brand, "text_body": escape(text)})


def with_html(message: EmailMessage, organization: Organization | None) -> EmailMultiAlternatives:
    """A text message someone else rendered (allauth's account mail) with our HTML alternative:
    the organisation's branding, or the product's with ``None``. Essential mail: no unsubscribe."""
    if message.content_subtype == "html":
        return message  # type: ignore[return-value]  # already HTML only: nothing to add
    if organization is not None:
        with tenant_scope(organization):
            brand = branding(organization)
    else:
        brand = neutral_branding()
    result = EmailMultiAlternatives(
        subject=one_line(str(message.subject)),
        body=str(message.body),
        from_email=message.from_email,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        headers=dict(message.extra_headers),
        reply_to=list(message.reply_to),
    )
    result.attach_alternative(render_html(str(message.body), brand), "text/html")
    return result


def _calendar_part(attachment: Attachment) -> email.message.MIMEPart:
    part = email.message.MIMEPart()
    part.set_content(
        attachment.content.decode(),
        subtype="calendar",
        charset="utf-8",
        disposition="attachment",
        filename=attachment.filename,
        params={"method": attachment.method},
    )
    return part


def build(notification: Notification) -> EmailMultiAlternatives:
    """The message: text body, HTML alternative, calendar attachments, unsubscribe headers."""
    organization = notification.organization
    brand = branding(organization)
    context = {**notification.context, **brand}
    headers: dict[str, str] = {}
    if notification.unsubscribe is not None:
        url = unsubscribe_url(organization, notification.unsubscribe)
        context["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text: str = render_to_string(notification.text_template, context)
    html = render_html(text, brand, template=notification.html_template, context=context)
    if "unsubscribe_url" in context:
        text = f"{text.rstrip()}\n\n-- \nStop these emails: {context['unsubscribe_url']}\n"
    message = EmailMultiAlternatives(
        subject=one_line(notification.subject),
        body=text,
        to=[notification.to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for attachment in notification.attachments:
        message.attach(_calendar_part(attachment))
    return message


def send(notification: Notification, *, connection: BaseEmailBackend | None = None) -> None:
    """Send one notification. The sender checks the person's preference first
    (``feedback.notices.preferences.wants``): this layer knows no feedback models. Built inside
    the notification's organisation (its logo is read): senders often run after commit, where
    the scope of the request or task that queued them has already ended."""
    with tenant_scope(notification.organization):
        message = build(notification)
    if connection is not None:
        connection.send_messages([message])
    else:
        message.send()


PlainMessage = tuple[str, str, Any, Sequence[str]]  # subject, text, from (ignored), recipients


def send_texts(organization: Organization, messages: Sequence[PlainMessage]) -> None:
    """Text messages written by their sender (subject, body, recipients) sent as the
    organisation's essential mail: the text, its branded HTML copy, no unsubscribe link; one
    message per recipient (no one sees the others' addresses), over one connection."""
    notifications = [
        Notification(
            organization=organization,
            to=recipient,
            subject=subject,
            text_template="email/plain.txt",
            context={"body": body},
        )
        for subject, body, _from, recipients in messages
        for recipient in recipients
        if recipient
    ]
    if not notifications:
        return
    with tenant_scope(organization):
        built = [build(notification) for notification in notifications]
    mailers.default.send_messages(built)
