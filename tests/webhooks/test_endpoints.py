"""Registering endpoints, pages and API alike: https only and no private address under the
production settings (400 naming why), the secret shown once and rotatable, an audit entry for each
change, another organisation's endpoint a 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from organizations.models import AuditEntry
from tests.conftest import Tenant, login
from webhooks.models import EventType, WebhookEndpoint
from webhooks.targets import PRIVATE_REFUSED

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_rules(settings: Settings) -> None:
    settings.FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE = False
    settings.FLIPSIDE_WEBHOOKS_ALLOW_HTTP = False


def _api(tenant: Tenant, *parts: Any) -> str:
    name, *rest = parts
    kwargs: dict[str, Any] = {"org_slug": tenant.slug}
    if rest:
        kwargs["pk"] = rest[0]
    return reverse(name, kwargs=kwargs)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", PRIVATE_REFUSED),
        ("https://localhost:8443/hook", PRIVATE_REFUSED),
        ("https://10.1.2.3/hook", PRIVATE_REFUSED),
        ("https://192.168.0.10/hook", PRIVATE_REFUSED),
        ("https://169.254.169.254/latest/meta-data/", PRIVATE_REFUSED),
        ("https://[::1]/hook", PRIVATE_REFUSED),
        ("https://[::ffff:127.0.0.1]/hook", PRIVATE_REFUSED),
        ("https://0.0.0.0/hook", PRIVATE_REFUSED),
        ("https://240.0.0.1/hook", PRIVATE_REFUSED),
        ("http://93.184.215.14/hook", "The URL must start with https://."),
        ("ftp://93.184.215.14/hook", "The URL must start with https://."),
    ],
)
def test_production_refuses_private_and_plain_http_targets(
    org_a: Tenant, org_b: Tenant, client: Client, production_rules: None, url: str, message: str
) -> None:
    login(client, org_a.admin.user)
    response = _post(
        client, _api(org_a, "api-webhook-list"), {"url": url, "events": [EventType.PAIR_ENDED]}
    )
    assert response.status_code == 400
    assert response.json()["fields"]["url"] == [message]
    with org_a.scope():
        assert not WebhookEndpoint.objects.exists()


def test_the_page_shows_the_refusal_on_the_form(
    org_a: Tenant, org_b: Tenant, client: Client, production_rules: None
) -> None:
    login(client, org_a.admin.user)
    response = client.post(
        reverse("webhook_list", kwargs={"org_slug": org_a.slug}),
        {"url": "https://127.0.0.1/hook", "events": [EventType.SESSION_LOGGED]},
    )
    assert response.status_code == 400
    assert PRIVATE_REFUSED in response.content.decode()


def test_a_public_address_is_accepted_under_production_rules(
    org_a: Tenant, org_b: Tenant, client: Client, production_rules: None
) -> None:
    login(client, org_a.admin.user)
    response = _post(
        client,
        _api(org_a, "api-webhook-list"),
        {"url": "https://93.184.215.14/in", "events": [EventType.PAIR_ENDED]},
    )
    assert response.status_code == 201, response.content


def test_a_saved_url_that_turned_private_is_not_requested(
    org_a: Tenant, org_b: Tenant, settings: Settings
) -> None:
    from tests.webhooks.receiver import receiver
    from webhooks import services, tasks
    from webhooks.models import WebhookAttempt

    with receiver([200]) as hook:
        with org_a.scope():
            endpoint, _secret = services.endpoint_create(
                actor=org_a.admin.user, url=hook.url, description="", event_types=["pair.ended"]
            )
            sent = services.endpoint_send_test(actor=org_a.admin.user, endpoint=endpoint)
        settings.FLIPSIDE_WEBHOOKS_ALLOW_PRIVATE = False
        settings.FLIPSIDE_WEBHOOKS_ATTEMPTS = 1
        tasks.deliver.apply(
            kwargs={"organization_id": org_a.organization.pk, "delivery_id": sent.pk}
        )
    assert hook.requests == []
    with org_a.scope():
        [attempt] = WebhookAttempt.objects.filter(delivery_id=sent.pk)
    assert attempt.status_code is None
    assert "public addresses" in attempt.error


def test_bad_input_is_a_400_with_field_messages(
    org_a: Tenant, org_b: Tenant, client: Client
) -> None:
    login(client, org_a.admin.user)
    url = _api(org_a, "api-webhook-list")
    response = _post(client, url, {"url": "https://x.test/", "events": ["nope"]})
    assert response.status_code == 400
    assert "events.0" in response.json()["fields"]
    response = _post(client, url, {"url": "https://x.test/", "events": []})
    assert response.status_code == 400
    response = _post(client, url, {"url": "https://x.test/\nHost: evil", "events": ["pair.ended"]})
    assert response.status_code == 400
    assert "url" in response.json()["fields"]


def test_secret_shown_once_rotated_and_every_change_audited(
    org_a: Tenant, org_b: Tenant, client: Client
) -> None:
    login(client, org_a.admin.user)
    created = _post(
        client,
        _api(org_a, "api-webhook-list"),
        {"url": "https://hooks.example.test/in", "events": [EventType.PAIR_PUBLISHED]},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    pk = body["id"]
    detail = client.get(_api(org_a, "api-webhook-detail", pk)).json()
    assert "secret" not in detail
    rotated = client.post(_api(org_a, "api-webhook-rotate-secret", pk)).json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != body["secret"]
    with org_a.scope():
        assert WebhookEndpoint.objects.get(pk=pk).secret == rotated["secret"]
    changed = client.patch(
        _api(org_a, "api-webhook-detail", pk),
        data=json.dumps({"is_active": False, "description": "CRM"}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False
    assert client.delete(_api(org_a, "api-webhook-detail", pk)).status_code == 204
    with org_a.scope():
        entries = list(
            AuditEntry.objects.filter(action__startswith="webhook.")
            .order_by("id")
            .values_list("action", "data")
        )
    assert [action for action, _data in entries] == [
        "webhook.create",
        "webhook.rotate_secret",
        "webhook.change",
        "webhook.delete",
    ]
    assert all("whsec_" not in json.dumps(data) for _action, data in entries)
    assert entries[2][1]["changed"] == ["description", "is_active"]


def test_the_page_shows_a_new_secret_once(org_a: Tenant, org_b: Tenant, client: Client) -> None:
    login(client, org_a.admin.user)
    url = reverse("webhook_list", kwargs={"org_slug": org_a.slug})
    response = client.post(
        url, {"url": "https://hooks.example.test/in", "events": [EventType.SESSION_LOGGED]}
    )
    assert response.status_code == 200
    assert "whsec_" in response.content.decode()
    assert "whsec_" not in client.get(url).content.decode()


def test_another_organisations_endpoint_is_a_404(
    org_a: Tenant, org_b: Tenant, client: Client
) -> None:
    from tests.webhooks.builders import endpoint_with_failed_delivery

    with org_a.scope():
        endpoint, delivery = endpoint_with_failed_delivery(org_a.organization.pk)
    login(client, org_b.admin.user)
    for name in ("api-webhook-detail", "api-webhook-deliveries"):
        assert client.get(_api(org_b, name, endpoint.pk)).status_code == 404
    page = reverse("webhook_edit", kwargs={"org_slug": org_b.slug, "pk": endpoint.pk})
    assert client.get(page).status_code == 404
    redeliver = reverse(
        "api-webhook-redeliver",
        kwargs={"org_slug": org_b.slug, "pk": endpoint.pk, "delivery_pk": delivery.pk},
    )
    assert client.post(redeliver).status_code == 404
