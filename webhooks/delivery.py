"""One attempt of a delivery, and what follows from it.

An attempt first claims its delivery with a conditional update (pending, and no other live
claim): a delivery that already succeeded or failed, or that another worker is sending, is not sent
again. Every attempt is recorded. After the last attempt failed the delivery is *failed* and the
endpoint's run of failures grows; at ``FAILURES_TO_DISABLE`` the endpoint is disabled and the
organisation's admins get an email. A success ends the run.
"""

from __future__ import annotations

import http.client
import json
import time
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core import outbound
from core.text import one_line
from organizations import mail
from organizations.models import Membership, Organization, Role
from webhooks import signing, targets
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

FAILURES_TO_DISABLE = 5
EXCERPT_BYTES = 500


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


def _claim(delivery_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    hold = now + timedelta(seconds=settings.FLIPSIDE_WEBHOOKS_TIMEOUT_SECONDS + 60)
    claimed = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
    ).update(claimed_until=hold, attempts_made=F("attempts_made") + 1)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def connection(target: targets.Target, address: str) -> http.client.HTTPConnection:
    timeout = float(settings.FLIPSIDE_WEBHOOKS_TIMEOUT_SECONDS)
    return outbound.pinned_connection(target.scheme, target.host, target.port, address, timeout)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code, response excerpt, error). The host is resolved once, here: the request goes
    to an address that passed the check (the next one if it refuses the connection), so a DNS
    answer that changes between check and request (rebinding) is never followed. No proxy; a
    3xx is the answer (``http.client`` follows no redirect)."""
    try:
        target = targets.check_target(endpoint.url)
    except ValidationError as error:
        return None, "", one_line(" ".join(error.messages))[:300]
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = signing.headers(endpoint.secret, delivery.message_id, int(time.time()), body)
    failure = ""
    for address in target.addresses:
        conn = connection(target, address)
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, _excerpt(response.read(EXCERPT_BYTES)), ""
        except ConnectionRefusedError as error:
            failure = one_line(f"{type(error).__name__}: {error}")[:300]
            continue  # this address is down: the next checked one may answer
        except (http.client.HTTPException, OSError, ValueError) as error:
            return None, "", one_line(f"{type(error).__name__}: {error}")[:300]
        finally:
            conn.close()
    return None, "", failure


def _excerpt(raw: bytes) -> str:
    return one_line(raw.decode("utf-8", errors="replace"))[:EXCERPT_BYTES]


def attempt(delivery_id: int) -> Outcome:
    delivery = _claim(delivery_id)
    if delivery is None:
        return Outcome.SKIPPED
    endpoint = delivery.endpoint
    started = timezone.now()
    clock = time.monotonic()
    status_code, excerpt, error = _post(endpoint, delivery)
    duration_ms = int((time.monotonic() - clock) * 1000)
    ok = status_code is not None and 200 <= status_code < 300
    last = delivery.attempts_made >= settings.FLIPSIDE_WEBHOOKS_ATTEMPTS
    with transaction.atomic():
        WebhookAttempt.objects.create(
            organization_id=delivery.organization_id,
            delivery=delivery,
            number=delivery.attempts_made,
            started_at=started,
            status_code=status_code,
            response_excerpt=excerpt,
            duration_ms=duration_ms,
            error=error,
        )
        if ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SUCCEEDED, finished_at=timezone.now(), claimed_until=None
            )
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return Outcome.SUCCEEDED
        if not last:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=None)
            return Outcome.RETRY
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, finished_at=timezone.now(), claimed_until=None
        )
        _count_failure(endpoint.pk)
    return Outcome.FAILED


def _count_failure(endpoint_id: int) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if endpoint.is_active and endpoint.consecutive_failures >= FAILURES_TO_DISABLE:
        endpoint.is_active = False
        endpoint.disabled_reason = (
            f"{endpoint.consecutive_failures} deliveries in a row failed after every retry."
        )
        fields += ["is_active", "disabled_reason"]
        notifications = _disabled_emails(endpoint)
        transaction.on_commit(lambda: _send_all(notifications))
    endpoint.save(update_fields=fields)


def _send_all(notifications: list[mail.Notification]) -> None:
    for notification in notifications:
        mail.send(notification)


def _disabled_emails(endpoint: WebhookEndpoint) -> list[mail.Notification]:
    """One email per admin (essential: it says an integration stopped; no unsubscribe link)."""
    organization = Organization.objects.get(pk=endpoint.organization_id)
    admins = list(
        Membership.objects.filter(role=Role.ADMIN)
        .select_related("user")
        .order_by("id")
        .values_list("user__email", flat=True)
    )
    subject = mail.prefixed(f"Webhook endpoint disabled: {endpoint.url}")[:200]
    body = (
        f"The webhook endpoint {endpoint.url} of {organization.name} was disabled: "
        f"{FAILURES_TO_DISABLE} deliveries in a row failed after every retry.\n\n"
        "Its delivery log shows each attempt. Fix the receiver, then enable the endpoint again "
        "and redeliver what it missed.\n"
    )
    return [
        mail.Notification(
            organization=organization,
            to=address,
            subject=subject,
            text_template="email/plain.txt",
            context={"body": body},
        )
        for address in admins
        if address
    ]


def backoff_seconds(attempts_made: int) -> int:
    """Seconds before the next attempt after ``attempts_made`` attempts: base * 2^(n-1)."""
    base: int = settings.FLIPSIDE_WEBHOOKS_RETRY_BASE_SECONDS
    return int(base * 2 ** max(attempts_made - 1, 0))
