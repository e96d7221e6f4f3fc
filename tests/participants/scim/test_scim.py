"""SCIM provisioning: tokens and tenancy, the error format, and what deactivation does to the
person's pairs and enrolments (the whole client sequence is in test_conformance.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from matching.models import Pair, PairStatus
from organizations.models import AuditEntry
from participants import directory
from participants.models import Enrollment, EnrollmentStatus, Person, ScimToken
from participants.scim import tokens
from participants.scim.resources import ENTERPRISE, ERROR, PATCH_OP, USER
from tests.conftest import Tenant, login
from tests.feedback.builders import live_pair

pytestmark = pytest.mark.django_db


def _key(tenant: Tenant) -> str:
    with tenant.scope():
        _token, key = tokens.create_token(actor=tenant.admin, name="Okta")
    return key


def _call(
    method: str, tenant: Tenant, path: str, key: str | None, body: Any = None, client: Any = None
) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return (client or Client()).generic(
        method,
        f"/api/v1/o/{tenant.slug}/scim/v2/{path}",
        data=json.dumps(body) if body is not None else "",
        content_type="application/scim+json",
        **headers,
    )


def _new_user(email: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER], "userName": email, "displayName": "Sam Scim", **extra}


def test_a_token_works_only_in_its_own_organisation(org_a: Tenant, org_b: Tenant) -> None:
    key_a, key_b = _key(org_a), _key(org_b)
    created = _call("POST", org_a, "Users", key_a, _new_user("sam@acme.test"))
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    # B's token under A's slug does not exist there; A's person under B's slug is nobody.
    refused = _call("GET", org_a, "Users", key_b)
    assert refused.status_code == 401
    assert refused.json()["schemas"] == [ERROR]
    assert refused["WWW-Authenticate"] == 'Bearer realm="SCIM"'
    assert _call("GET", org_b, f"Users/{person_id}", key_b).status_code == 404
    assert _call("PATCH", org_b, f"Users/{person_id}", key_b, {}).status_code == 404
    assert _call("DELETE", org_b, f"Users/{person_id}", key_b).status_code == 404
    listed = _call("GET", org_b, "Users", key_b).json()
    assert person_id not in [user["id"] for user in listed["Resources"]]
    with org_a.scope():
        assert Person.objects.get(pk=person_id).is_active


def test_a_session_is_not_a_provisioning_token(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = _call("GET", org_a, "Users", None, client=client)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/scim+json"


def test_a_revoked_token_stops_at_once_and_its_use_is_noted(org_a: Tenant) -> None:
    key = _key(org_a)
    assert _call("GET", org_a, "Users", key).status_code == 200
    with org_a.scope():
        token = ScimToken.objects.get()
        assert token.last_used_at is not None
        tokens.revoke_token(actor=org_a.admin, token_id=token.pk)
    assert _call("GET", org_a, "Users", key).status_code == 401


def test_a_token_at_an_unknown_organisation_is_a_401_like_every_api_token(org_a: Tenant) -> None:
    """Whether the organisation exists or not (organizations.api.authentication): nothing learnt."""
    response = Client().get("/api/v1/o/no-such-org/scim/v2/Users", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "scim_type"),
    [
        ({"userName": "a@acme.test"}, 400, "invalidSyntax"),
        ([1, 2], 400, "invalidSyntax"),
        (_new_user("a@acme.test", timezone="Mars/Olympus"), 400, "invalidValue"),
        (_new_user("a@acme.test", displayName="Line\nbreak"), 400, "invalidValue"),
        (_new_user("a@acme.test", **{ENTERPRISE: {"manager": {"value": "424242"}}}), 400, None),
        (_new_user("a@acme.test", displayName=""), 400, "invalidValue"),
        (_new_user("a@acme.test", active="maybe"), 400, "invalidValue"),
        (_new_user("a@acme.test", displayName="x" * 201), 400, "invalidValue"),
        (_new_user("a@acme.test", displayName="nul\x00"), 400, "invalidValue"),
    ],
)
def test_bad_users_are_refused_in_scim_error_format_and_nothing_is_written(
    org_a: Tenant, body: Any, status: int, scim_type: str | None
) -> None:
    response = _call("POST", org_a, "Users", _key(org_a), body)
    assert response.status_code == status, response.content
    error = response.json()
    assert error["schemas"] == [ERROR]
    assert error["status"] == str(status)
    assert error["detail"]
    if scim_type:
        assert error["scimType"] == scim_type
    with org_a.scope():
        assert not Person.objects.filter(email="a@acme.test").exists()


def test_deep_json_and_wrong_methods_are_clean_errors(org_a: Tenant) -> None:
    key = _key(org_a)
    deep = Client().generic(
        "POST",
        f"/api/v1/o/{org_a.slug}/scim/v2/Users",
        data="[" * 50_000 + "]" * 50_000,
        content_type="application/scim+json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert deep.status_code == 400
    assert _call("DELETE", org_a, "Users", key).status_code == 405
    assert _call("POST", org_a, "Schemas", key, {}).status_code == 405


def test_writes_are_audited_as_the_tokens_maker(org_a: Tenant) -> None:
    key = _key(org_a)
    created = _call("POST", org_a, "Users", key, _new_user("sam@acme.test"))
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "title", "value": "CTO"}],
    }
    assert _call("PATCH", org_a, f"Users/{created.json()['id']}", key, patch).status_code == 200
    with org_a.scope():
        actions = list(
            AuditEntry.objects.filter(actor=org_a.admin.user)
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["scim.token_created", "person.created", "person.updated"]


def test_deactivation_ends_pairs_tells_partner_offers_rematch_and_withdraws(
    org_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    live = live_pair(org_a)
    key = _key(org_a)
    mentor_person = live.mentor.person
    mail.outbox.clear()
    patch = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": False}}]}
    with django_capture_on_commit_callbacks(execute=True):
        response = _call("PATCH", org_a, f"Users/{mentor_person.pk}", key, patch)
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    with org_a.scope():
        pair = Pair.objects.get(pk=live.pair.pk)
        assert pair.status == PairStatus.ENDED
        assert pair.ended_reason == f"{mentor_person.full_name} has left the organisation."
        assert Enrollment.objects.get(pk=live.mentor.pk).status == EnrollmentStatus.WITHDRAWN
        assert Enrollment.objects.get(pk=live.mentee.pk).status == EnrollmentStatus.ACCEPTED
        assert AuditEntry.objects.filter(action="matching.pair_end_departed").count() == 1
    told = [message for message in mail.outbox if live.mentee.person.email in message.to]
    assert len(told) == 1
    assert "has ended" in told[0].subject
    offers = [message for message in mail.outbox if "Re-match" in message.subject]
    assert len(offers) == 1
    assert live.mentee.person.full_name in offers[0].body
    assert f"/o/{org_a.slug}/programs/{live.program.pk}/pairs/" in offers[0].body
    # Nothing more happens twice: a repeat is a no-op.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _call("PATCH", org_a, f"Users/{mentor_person.pk}", key, patch).status_code == 200
    assert mail.outbox == []


def test_deactivating_on_the_directory_page_does_the_same(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        directory.person_set_active(actor=org_a.admin.user, person=live.mentee.person, active=False)
        assert Pair.objects.get(pk=live.pair.pk).status == PairStatus.ENDED
        assert Enrollment.objects.get(pk=live.mentee.pk).status == EnrollmentStatus.WITHDRAWN


def test_delete_hides_the_user_from_scim_but_keeps_the_directory_entry(org_a: Tenant) -> None:
    key = _key(org_a)
    person_id = _call("POST", org_a, "Users", key, _new_user("sam@acme.test")).json()["id"]
    assert _call("DELETE", org_a, f"Users/{person_id}", key).status_code == 204
    assert _call("DELETE", org_a, f"Users/{person_id}", key).status_code == 404
    with org_a.scope():
        person = Person.objects.get(pk=person_id)
        assert not person.is_active
        assert person.scim_deleted_at is not None
    again = _call("POST", org_a, "Users", key, _new_user("SAM@acme.test", displayName="Sam B"))
    assert again.status_code == 201
    assert again.json()["id"] == person_id
    with org_a.scope():
        person.refresh_from_db()
        assert person.is_active
        assert person.scim_deleted_at is None
        assert person.full_name == "Sam B"


def test_the_provisioning_page_is_for_admins(org_a: Tenant) -> None:
    url = f"/o/{org_a.slug}/people/provisioning/"
    admin = login(Client(), org_a.admin.user)
    created = admin.post(url, {"name": "Entra ID"})
    assert created.status_code == 200
    assert b"fscim_" in created.content
    assert b"It will not be shown again" in created.content
    assert admin.post(url, {"name": ""}).status_code == 400
    assert login(Client(), org_a.coordinator.user).get(url).status_code == 403
    assert login(Client(), org_a.member.user).get(url).status_code == 403
    with org_a.scope():
        token = ScimToken.objects.get()
    revoke = admin.post(f"{url}{token.pk}/revoke/")
    assert revoke.status_code == 302
    with org_a.scope():
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert AuditEntry.objects.filter(action="scim.token_revoked").exists()
