"""DNS rebinding: the host is resolved once per attempt, every address checked, and the request
connects to the checked address, the name kept for the Host header and the TLS certificate. The
resolver (DNS, outside our control) is the one part replaced; the HTTP(S) receivers are real."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from tests.conftest import Tenant
from tests.webhooks.receiver import receiver
from tests.webhooks.tls import self_signed
from webhooks import signing, targets, tasks
from webhooks.models import (
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

pytestmark = pytest.mark.django_db


class FakeDns:
    """Answers each name with the next of its answers (the last one again once they run out)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        given = self.answers[host]
        return given[min(self.asked.count(host), len(given)) - 1]


def _delivery(tenant: Tenant, url: str) -> WebhookDelivery:
    # Stored as is: the endpoint was saved when its name still pointed somewhere harmless.
    with tenant.scope():
        endpoint = WebhookEndpoint.objects.create(
            organization_id=tenant.organization.pk,
            url=url,
            events=[EventType.PAIR_ENDED],
            secret=signing.new_secret(),
        )
        return WebhookDelivery.objects.create(
            organization_id=tenant.organization.pk,
            endpoint=endpoint,
            event_type=EventType.TEST,
            payload={"type": EventType.TEST, "data": {}},
        )


def _run(tenant: Tenant, delivery: WebhookDelivery) -> tuple[WebhookDelivery, WebhookAttempt]:
    tasks.deliver.apply(
        kwargs={"organization_id": tenant.organization.pk, "delivery_id": delivery.pk}
    )
    with tenant.scope():
        done = WebhookDelivery.objects.get(pk=delivery.pk)
        last = WebhookAttempt.objects.filter(delivery=done).order_by("-number").first()
    assert last is not None
    return done, last


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def test_a_name_resolving_to_a_private_address_is_refused_when_delivering(
    org_a: Tenant,
    org_b: Tenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE = False
    settings.FLIPSIDE_WEBHOOKS_ATTEMPTS = 1
    dns = FakeDns({"hooks.example.test": [["93.184.216.34", "127.0.0.1"]]})
    monkeypatch.setattr(targets, "resolve", dns)
    with receiver([200]) as hook:
        sent = _delivery(org_a, f"http://hooks.example.test:{_port(hook.url)}/hook")
        done, attempt = _run(org_a, sent)
    assert hook.requests == []
    assert done.status == DeliveryStatus.FAILED
    assert attempt.status_code is None
    assert attempt.error == targets.PRIVATE_REFUSED
    assert dns.asked == ["hooks.example.test"]


def test_the_request_goes_to_the_address_that_was_checked(
    org_a: Tenant, org_b: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first answer is the one checked; a second lookup would get an unroutable address
    # (TEST-NET-1) and the delivery would time out: it succeeds only on the pinned address.
    dns = FakeDns({"hooks.example.test": [["127.0.0.1"], ["192.0.2.1"]]})
    monkeypatch.setattr(targets, "resolve", dns)
    with receiver([200]) as hook:
        port = _port(hook.url)
        sent = _delivery(org_a, f"http://hooks.example.test:{port}/hook?x=1")
        done, attempt = _run(org_a, sent)
    assert (done.status, attempt.status_code) == (DeliveryStatus.SUCCEEDED, 200)
    assert dns.asked == ["hooks.example.test"]
    [request] = hook.requests
    assert request.headers["host"] == f"hooks.example.test:{port}"
    assert request.path == "/hook?x=1"


def test_a_refused_address_falls_over_to_the_next_checked_one(
    org_a: Tenant, org_b: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver([200]) as hook:
        port = _port(hook.url)
        # 127.0.0.2 answers nothing on this port (refused at once); 127.0.0.1 is the receiver.
        monkeypatch.setattr(
            targets, "resolve", FakeDns({"hooks.example.test": [["127.0.0.2", "127.0.0.1"]]})
        )
        sent = _delivery(org_a, f"http://hooks.example.test:{port}/hook")
        done, _attempt = _run(org_a, sent)
    assert done.status == DeliveryStatus.SUCCEEDED
    assert len(hook.requests) == 1


def test_a_redirect_is_the_answer_never_followed(
    org_a: Tenant, org_b: Tenant, settings: Settings
) -> None:
    settings.FLIPSIDE_WEBHOOKS_ATTEMPTS = 1
    with receiver([302]) as hook:
        sent = _delivery(org_a, hook.url)
        done, attempt = _run(org_a, sent)
    assert len(hook.requests) == 1
    assert (done.status, attempt.status_code) == (DeliveryStatus.FAILED, 302)


def test_https_verifies_the_certificate_against_the_name_not_the_address(
    org_a: Tenant,
    org_b: Tenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    settings.FLIPSIDE_WEBHOOKS_ATTEMPTS = 1
    cert_file, server_context = self_signed(tmp_path, "hooks.example.test")
    # The test's certificate is the only authority trusted (OpenSSL reads this when a context
    # loads its default paths).
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "none"))
    monkeypatch.setattr(
        targets,
        "resolve",
        FakeDns({"hooks.example.test": [["127.0.0.1"]], "other.example.test": [["127.0.0.1"]]}),
    )
    with receiver([200], tls=server_context) as hook:
        port = _port(hook.url)
        good = _delivery(org_a, f"https://hooks.example.test:{port}/hook")
        done, attempt = _run(org_a, good)
        assert (done.status, attempt.status_code) == (DeliveryStatus.SUCCEEDED, 200)
        assert hook.requests[0].headers["host"] == f"hooks.example.test:{port}"
        # The same server under another name: its certificate does not name it.
        wrong = _delivery(org_a, f"https://other.example.test:{port}/hook")
        done, attempt = _run(org_a, wrong)
        assert done.status == DeliveryStatus.FAILED
        assert attempt.status_code is None
        assert "CERTIFICATE_VERIFY_FAILED" in attempt.error or "certificate" in attempt.error
    assert len(hook.requests) == 1


def test_https_refuses_a_certificate_no_authority_signed(
    org_a: Tenant,
    org_b: Tenant,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    settings.FLIPSIDE_WEBHOOKS_ATTEMPTS = 1
    _cert_file, server_context = self_signed(tmp_path, "hooks.example.test")
    monkeypatch.setattr(targets, "resolve", FakeDns({"hooks.example.test": [["127.0.0.1"]]}))
    with receiver([200], tls=server_context) as hook:
        sent = _delivery(org_a, f"https://hooks.example.test:{_port(hook.url)}/hook")
        done, attempt = _run(org_a, sent)
    assert hook.requests == []
    assert done.status == DeliveryStatus.FAILED
    assert "CERTIFICATE_VERIFY_FAILED" in attempt.error
