"""Webhooks: org A's endpoint and a failed delivery of it, every page and API route as org B."""

from __future__ import annotations

from typing import Any

from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of
from tests.webhooks.builders import endpoint_with_failed_delivery


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        endpoint, delivery = endpoint_with_failed_delivery(tenant.organization.pk)
    return {"webhook": endpoint.pk, "webhook_delivery": delivery.pk}


def _delivery(ids: dict[str, Any]) -> dict[str, Any]:
    return {"pk": ids["webhook"], "delivery_pk": ids["webhook_delivery"]}


_ENDPOINT = ids_of("webhook")

ROUTES: dict[str, Route] = {
    "webhook_list": Route(("GET", "POST")),
    "webhook_edit": Route(("GET", "POST"), _ENDPOINT),
    "webhook_delete": Route(("POST",), _ENDPOINT),
    "webhook_rotate": Route(("POST",), _ENDPOINT),
    "webhook_test": Route(("POST",), _ENDPOINT),
    "webhook_deliveries": Route(("GET",), _ENDPOINT),
    "webhook_redeliver": Route(("POST",), _delivery),
    "api-webhook-list": Route(("GET", "POST")),
    "api-webhook-detail": Route(("GET", "PATCH", "DELETE"), _ENDPOINT),
    "api-webhook-rotate-secret": Route(("POST",), _ENDPOINT),
    "api-webhook-test": Route(("POST",), _ENDPOINT),
    "api-webhook-deliveries": Route(("GET",), _ENDPOINT),
    "api-webhook-redeliver": Route(("POST",), _delivery),
}
