"""Writes of webhooks: keyword-only, atomic, validated, audited; each asks the policy again."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.text import check_single_line
from organizations.audit import log_action
from organizations.scope import require_organization_id
from webhooks import events, signing, targets
from webhooks.access import require_admin_user
from webhooks.models import (
    SUBSCRIBABLE,
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)

EVENT_VALUES = [value for value, _label in SUBSCRIBABLE]
MAX_ENDPOINTS = 20


def _clean(*, url: str, description: str, event_types: Iterable[str]) -> tuple[str, str, list[str]]:
    errors: dict[str, str] = {}
    url = (url or "").strip()
    description = (description or "").strip()
    chosen = list(dict.fromkeys(event_types))
    if not url:
        errors["url"] = "Enter the URL that receives the events."
    elif len(url) > 500:
        errors["url"] = "Keep the URL under 500 characters."
    if len(description) > 200:
        errors["description"] = "Keep the description under 200 characters."
    else:
        try:
            check_single_line("description", description)
        except ValidationError as error:
            errors["description"] = " ".join(error.messages)
    if url:
        try:
            check_single_line("url", url)
        except ValidationError as error:
            errors["url"] = " ".join(error.messages)
    unknown = [value for value in chosen if value not in EVENT_VALUES]
    if unknown:
        errors["events"] = f"Unknown event: {', '.join(map(str, unknown))}."
    elif not chosen:
        errors["events"] = "Choose at least one event."
    if errors:
        raise ValidationError(errors)
    targets.check_url(url)
    return url, description, chosen


def endpoint_create(
    *, actor: User | None, url: str, description: str, event_types: Iterable[str]
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown to the admin this once)."""
    require_admin_user(actor)
    url, description, chosen = _clean(url=url, description=description, event_types=event_types)
    with transaction.atomic():
        if WebhookEndpoint.objects.count() >= MAX_ENDPOINTS:
            raise ValidationError(f"An organisation has at most {MAX_ENDPOINTS} endpoints.")
        secret = signing.new_secret()
        endpoint = WebhookEndpoint.objects.create(
            organization_id=require_organization_id(),
            url=url,
            description=description,
            events=chosen,
            secret=secret,
            created_by=actor,
        )
        log_action(
            actor=actor,
            action="webhook.create",
            target=endpoint,
            data={"url": url, "events": chosen},
        )
    return endpoint, secret


def endpoint_update(
    *,
    actor: User | None,
    endpoint: WebhookEndpoint,
    url: str,
    description: str,
    event_types: Iterable[str],
    is_active: bool,
) -> WebhookEndpoint:
    """Change an endpoint; enabling it again starts its run of failures from zero."""
    require_admin_user(actor)
    url, description, chosen = _clean(url=url, description=description, event_types=event_types)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        changed = {
            name: value
            for name, value in (
                ("url", url),
                ("description", description),
                ("events", chosen),
                ("is_active", is_active),
            )
            if getattr(locked, name) != value
        }
        for name, value in changed.items():
            setattr(locked, name, value)
        if changed.get("is_active") is True:
            locked.consecutive_failures = 0
            locked.disabled_reason = ""
        locked.updated_at = timezone.now()
        locked.save()
        log_action(
            actor=actor,
            action="webhook.change",
            target=locked,
            data={"changed": sorted(changed), "url": locked.url},
        )
    return locked


def endpoint_delete(*, actor: User | None, endpoint: WebhookEndpoint) -> None:
    require_admin_user(actor)
    with transaction.atomic():
        log_action(
            actor=actor, action="webhook.delete", target=endpoint, data={"url": endpoint.url}
        )
        endpoint.delete()


def endpoint_rotate_secret(*, actor: User | None, endpoint: WebhookEndpoint) -> str:
    """A new secret replaces the old one at once (shown this once); the audit holds no secret."""
    require_admin_user(actor)
    secret = signing.new_secret()
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            secret=secret, updated_at=timezone.now()
        )
        log_action(actor=actor, action="webhook.rotate_secret", target=endpoint)
    endpoint.secret = secret
    return secret


def _require_active(endpoint: WebhookEndpoint) -> None:
    if not endpoint.is_active:
        raise ValidationError("This endpoint is disabled: enable it first.")


def delivery_redeliver(*, actor: User | None, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished delivery's event again, as a new delivery with the same ``webhook-id`` (a
    receiver that got it already can tell). A pending one is still being sent: 400."""
    require_admin_user(actor)
    _require_active(delivery.endpoint)
    if delivery.status == DeliveryStatus.PENDING:
        raise ValidationError("This delivery is still being sent.")
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            organization_id=delivery.organization_id,
            endpoint=delivery.endpoint,
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
        )
        events.queue(again)
    return again


def endpoint_send_test(*, actor: User | None, endpoint: WebhookEndpoint) -> WebhookDelivery:
    require_admin_user(actor)
    _require_active(endpoint)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            organization_id=endpoint.organization_id,
            endpoint=endpoint,
            event_type=EventType.TEST,
            payload=events.envelope(EventType.TEST, {"endpoint_id": endpoint.pk}),
        )
        events.queue(delivery)
    return delivery
