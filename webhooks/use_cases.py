"""One function per action, shared by the pages and the API: each asks the policy first (403 for
anyone but an admin), then resolves ids inside the organisation (404), then calls the service."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations.models import Membership
from webhooks import selectors, services
from webhooks.access import require_admin
from webhooks.models import WebhookDelivery, WebhookEndpoint


def list_endpoints(*, actor: Membership) -> QuerySet[WebhookEndpoint]:
    require_admin(actor)
    return selectors.endpoint_list()


def get_endpoint(*, actor: Membership, endpoint_id: int) -> WebhookEndpoint:
    require_admin(actor)
    return get_object_or_404(selectors.endpoint_list(), pk=endpoint_id)


def create_endpoint(
    *, actor: Membership, url: str, description: str, event_types: Iterable[str]
) -> tuple[WebhookEndpoint, str]:
    require_admin(actor)
    return services.endpoint_create(
        actor=actor.user, url=url, description=description, event_types=event_types
    )


def update_endpoint(
    *,
    actor: Membership,
    endpoint_id: int,
    url: str,
    description: str,
    event_types: Iterable[str],
    is_active: bool,
) -> WebhookEndpoint:
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    return services.endpoint_update(
        actor=actor.user,
        endpoint=endpoint,
        url=url,
        description=description,
        event_types=event_types,
        is_active=is_active,
    )


def delete_endpoint(*, actor: Membership, endpoint_id: int) -> None:
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    services.endpoint_delete(actor=actor.user, endpoint=endpoint)


def rotate_secret(*, actor: Membership, endpoint_id: int) -> tuple[WebhookEndpoint, str]:
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    return endpoint, services.endpoint_rotate_secret(actor=actor.user, endpoint=endpoint)


def list_deliveries(
    *, actor: Membership, endpoint_id: int
) -> tuple[WebhookEndpoint, QuerySet[WebhookDelivery]]:
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    return endpoint, selectors.delivery_list(endpoint)


def redeliver(*, actor: Membership, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    delivery = get_object_or_404(selectors.delivery_list(endpoint), pk=delivery_id)
    return services.delivery_redeliver(actor=actor.user, delivery=delivery)


def send_test(*, actor: Membership, endpoint_id: int) -> WebhookDelivery:
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    return services.endpoint_send_test(actor=actor.user, endpoint=endpoint)
