"""Webhooks through a real Celery worker on the real Redis broker: the task queued on commit by a
test event reaches the receiver, is retried after a 500 (a real Celery retry, re-queued with its
organisation) and then succeeds."""

from __future__ import annotations

import time

import pytest
from pytest_django.fixtures import Settings

from tests.conftest import CeleryWorker, Tenant
from tests.webhooks.receiver import receiver
from webhooks import services, signing
from webhooks.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_worker_retries_a_500_then_delivers(
    tenants: tuple[Tenant, Tenant], worker: CeleryWorker, settings: Settings
) -> None:
    org_a, _org_b = tenants
    settings.FLIPSIDE_WEBHOOKS_RETRY_BASE_SECONDS = 0
    with receiver([500, 200]) as hook:
        with org_a.scope():
            endpoint, secret = services.endpoint_create(
                actor=org_a.admin.user,
                url=hook.url,
                description="",
                event_types=[EventType.PAIR_ENDED],
            )
            sent = services.endpoint_send_test(actor=org_a.admin.user, endpoint=endpoint)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with org_a.scope():
                status = WebhookDelivery.objects.get(pk=sent.pk).status
            if status != DeliveryStatus.PENDING:
                break
            time.sleep(0.2)
    assert status == DeliveryStatus.SUCCEEDED
    assert len(hook.requests) == 2
    last = hook.requests[-1]
    assert signing.verify(
        secret,
        last.headers["webhook-id"],
        last.headers["webhook-timestamp"],
        last.body,
        last.headers["webhook-signature"],
    )
    with org_a.scope():
        codes = list(
            WebhookAttempt.objects.filter(delivery_id=sent.pk)
            .order_by("number")
            .values_list("status_code", flat=True)
        )
    assert codes == [500, 200]
