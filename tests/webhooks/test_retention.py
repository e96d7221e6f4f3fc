"""Old deliveries are pruned: the nightly sweep deletes every organisation's deliveries (and their
attempts) older than the retention, leaves younger ones and one being sent, and a second run
deletes nothing. The delivery log says how long deliveries are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from tests.conftest import Tenant, login
from tests.webhooks.builders import endpoint_with_failed_delivery
from webhooks import tasks
from webhooks.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db


def _aged(tenant: Tenant, days: float, **fields: object) -> int:
    with tenant.scope():
        _endpoint, delivery = endpoint_with_failed_delivery(tenant.organization.pk)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            created_at=timezone.now() - timedelta(days=days), **fields
        )
    return delivery.pk


def _left(tenant: Tenant) -> set[int]:
    with tenant.scope():
        return set(WebhookDelivery.objects.values_list("pk", flat=True))


def test_deliveries_older_than_the_retention_are_deleted_with_their_attempts(
    org_a: Tenant, org_b: Tenant
) -> None:
    old_a = _aged(org_a, 31)
    young_a = _aged(org_a, 29)
    old_b = _aged(org_b, 45)
    stuck_b = _aged(org_b, 40, status=DeliveryStatus.PENDING, claimed_until=None)
    being_sent = _aged(
        org_a,
        31,
        status=DeliveryStatus.PENDING,
        claimed_until=timezone.now() + timedelta(minutes=1),
    )
    assert tasks.prune_deliveries.apply().get() == 3
    assert _left(org_a) == {young_a, being_sent}
    assert _left(org_b) == set()
    with org_a.scope():
        assert not WebhookAttempt.objects.filter(delivery_id=old_a).exists()
        assert WebhookAttempt.objects.filter(delivery_id=young_a).exists()
    assert {old_b, stuck_b}.isdisjoint(_left(org_b))
    # Idempotent: nothing is left to prune.
    assert tasks.prune_deliveries.apply().get() == 0
    assert _left(org_a) == {young_a, being_sent}


def test_the_retention_is_a_setting(org_a: Tenant, org_b: Tenant, settings: Settings) -> None:
    settings.FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS = 7
    old = _aged(org_a, 8)
    young = _aged(org_a, 6)
    tasks.prune_deliveries.apply()
    assert _left(org_a) == {young}
    assert old not in _left(org_a)


def test_the_prune_is_on_beats_nightly_schedule() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["webhook-deliveries-prune"]
    assert entry["task"] == "webhooks.prune_deliveries" == tasks.prune_deliveries.name
    assert entry["options"]["expires"] > 0
    assert settings.FLIPSIDE_WEBHOOKS_DELIVERY_RETENTION_DAYS == 30


def test_the_delivery_log_says_how_long_deliveries_are_kept(
    org_a: Tenant, org_b: Tenant, client: Client
) -> None:
    with org_a.scope():
        endpoint, _delivery = endpoint_with_failed_delivery(org_a.organization.pk)
    login(client, org_a.admin.user)
    page = client.get(reverse("webhook_deliveries", args=(org_a.slug, endpoint.pk)))
    assert page.status_code == 200
    assert "Deliveries are kept for 30 days." in page.content.decode()
    assert EventType.SESSION_LOGGED in page.content.decode()
