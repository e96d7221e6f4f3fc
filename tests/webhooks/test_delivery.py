"""Delivering to a real receiver on 127.0.0.1: the Standard Webhooks signature, a retry after a
500, one attempt recorded per request, nothing sent twice, and the endpoint disabled (admins
emailed) after five deliveries in a row used up their retries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from pytest_django.fixtures import Settings

from tests.conftest import Tenant
from tests.webhooks.receiver import receiver
from webhooks import delivery, services, signing, tasks
from webhooks.models import DeliveryStatus, EventType, WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db


def _endpoint(tenant: Tenant, url: str) -> tuple[int, str]:
    with tenant.scope():
        endpoint, secret = services.endpoint_create(
            actor=tenant.admin.user, url=url, description="", event_types=[EventType.PAIR_ENDED]
        )
    return endpoint.pk, secret


def _test_delivery(tenant: Tenant, endpoint_id: int) -> WebhookDelivery:
    with tenant.scope():
        from webhooks.models import WebhookEndpoint

        endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
        return services.endpoint_send_test(actor=tenant.admin.user, endpoint=endpoint)


def _run(tenant: Tenant, delivery_id: int) -> None:
    tasks.deliver.apply(
        kwargs={"organization_id": tenant.organization.pk, "delivery_id": delivery_id}
    )


def test_a_delivery_is_signed_as_standard_webhooks_says(org_a: Tenant, org_b: Tenant) -> None:
    with receiver([200]) as hook:
        endpoint_id, secret = _endpoint(org_a, hook.url)
        sent = _test_delivery(org_a, endpoint_id)
        _run(org_a, sent.pk)
    [request] = hook.requests
    headers = request.headers
    assert headers["webhook-id"] == sent.message_id
    assert headers["content-type"] == "application/json"
    assert signing.verify(
        secret,
        headers["webhook-id"],
        headers["webhook-timestamp"],
        request.body,
        headers["webhook-signature"],
    )
    assert not signing.verify(
        signing.new_secret(),
        headers["webhook-id"],
        headers["webhook-timestamp"],
        request.body,
        headers["webhook-signature"],
    )
    body = json.loads(request.body)
    assert body["type"] == EventType.TEST
    assert body["data"] == {"endpoint_id": endpoint_id}
    with org_a.scope():
        done = WebhookDelivery.objects.get(pk=sent.pk)
        [attempt] = WebhookAttempt.objects.filter(delivery=done)
    assert done.status == DeliveryStatus.SUCCEEDED
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert attempt.response_excerpt == "answer 1: 200"


def test_the_signature_matches_the_specification_example() -> None:
    # The example of the Standard Webhooks specification's reference libraries.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        signing.signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_500_is_retried_then_succeeds_with_the_same_id(org_a: Tenant, org_b: Tenant) -> None:
    with receiver([500, 200]) as hook:
        endpoint_id, _secret = _endpoint(org_a, hook.url)
        sent = _test_delivery(org_a, endpoint_id)
        _run(org_a, sent.pk)
        # Already succeeded: running the task again sends nothing.
        _run(org_a, sent.pk)
    assert len(hook.requests) == 2
    assert {r.headers["webhook-id"] for r in hook.requests} == {sent.message_id}
    with org_a.scope():
        done = WebhookDelivery.objects.get(pk=sent.pk)
        attempts = list(WebhookAttempt.objects.filter(delivery=done).order_by("number"))
    assert done.status == DeliveryStatus.SUCCEEDED
    assert done.attempts_made == 2
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 200)]
    assert attempts[0].response_excerpt == "answer 1: 500"


def test_backoff_doubles() -> None:
    assert [delivery.backoff_seconds(n) for n in (1, 2, 3, 4)] == [0, 0, 0, 0]  # test settings


def test_backoff_doubles_from_its_base(settings: Settings) -> None:
    settings.FLIPSIDE_WEBHOOKS_RETRY_BASE_SECONDS = 30
    assert [delivery.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_five_exhausted_deliveries_in_a_row_disable_the_endpoint_and_email_the_admins(
    org_a: Tenant,
    org_b: Tenant,
    settings: Settings,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.FLIPSIDE_WEBHOOKS_ATTEMPTS = 2
    with receiver([500]) as hook:
        endpoint_id, _secret = _endpoint(org_a, hook.url)
        for number in range(1, delivery.FAILURES_TO_DISABLE + 1):
            sent = _test_delivery(org_a, endpoint_id)
            with django_capture_on_commit_callbacks(execute=True):
                _run(org_a, sent.pk)
            with org_a.scope():
                from webhooks.models import WebhookEndpoint

                endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
                assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.FAILED
            assert endpoint.consecutive_failures == number
            assert endpoint.is_active is (number < delivery.FAILURES_TO_DISABLE)
    assert len(hook.requests) == 2 * delivery.FAILURES_TO_DISABLE  # each retried once
    [message] = mail.outbox
    assert message.to == [org_a.admin.user.email]
    assert hook.url in message.subject
    assert "disabled" in message.body
    # Branded essential mail (organizations.mail): an HTML part, no unsubscribe link.
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert org_a.organization.name in str(html)
    assert "List-Unsubscribe" not in message.extra_headers
    assert "5 deliveries in a row" in endpoint.disabled_reason


def test_a_success_ends_the_run_of_failures(org_a: Tenant, org_b: Tenant) -> None:
    with receiver([500, 500, 500, 500, 500, 200]) as hook:
        endpoint_id, _secret = _endpoint(org_a, hook.url)
        failed = _test_delivery(org_a, endpoint_id)
        _run(org_a, failed.pk)  # five attempts, all 500
        ok = _test_delivery(org_a, endpoint_id)
        _run(org_a, ok.pk)
    with org_a.scope():
        from webhooks.models import WebhookEndpoint

        assert WebhookEndpoint.objects.get(pk=endpoint_id).consecutive_failures == 0
        assert WebhookDelivery.objects.get(pk=failed.pk).status == DeliveryStatus.FAILED


def test_redelivery_sends_the_event_again_with_its_id(org_a: Tenant, org_b: Tenant) -> None:
    with receiver([500, 500, 500, 500, 500, 200]) as hook:
        endpoint_id, _secret = _endpoint(org_a, hook.url)
        failed = _test_delivery(org_a, endpoint_id)
        _run(org_a, failed.pk)
        with org_a.scope():
            failed = WebhookDelivery.objects.select_related("endpoint").get(pk=failed.pk)
            again = services.delivery_redeliver(actor=org_a.admin.user, delivery=failed)
        _run(org_a, again.pk)
    assert again.pk != failed.pk
    assert hook.requests[-1].headers["webhook-id"] == failed.message_id
    with org_a.scope():
        assert WebhookDelivery.objects.get(pk=again.pk).status == DeliveryStatus.SUCCEEDED
