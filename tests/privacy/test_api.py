"""The API does what the pages do, through the same use cases: export, erase, retention."""

from __future__ import annotations

import pytest
from django.test import Client

from matching.models import Pair, PairStatus
from participants.models import Person
from privacy.erasure.services import ERASED_NAME
from privacy.exports.jobs import run_person_export
from tests.conftest import Tenant, login
from tests.feedback.builders import live_pair

pytestmark = pytest.mark.django_db


def test_a_person_exports_their_data_through_the_api(org_a: Tenant) -> None:
    live = live_pair(org_a)
    client = login(Client(), live.mentee_user)
    base = f"/api/v1/o/{org_a.slug}"
    asked = client.post(f"{base}/me/data/", content_type="application/json")
    assert asked.status_code == 202
    export_id = asked.json()["id"]
    assert asked.json()["by_self"] is True
    with org_a.scope():
        assert run_person_export(job_id=export_id) == "done"
    body = client.get(f"{base}/data-exports/{export_id}/").json()
    assert body["status"] == "done"
    assert body["progress_percent"] == 100
    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"  # a zip
    listed = client.get(f"{base}/me/data/").json()
    assert [row["id"] for row in listed["results"]] == [export_id]


def test_erasure_through_the_api_needs_the_name(org_a: Tenant) -> None:
    live = live_pair(org_a)
    with org_a.scope():
        Pair.objects.filter(pk=live.pair.pk).update(status=PairStatus.ENDED)
        name = Person.objects.get(pk=live.mentee.person_id).full_name
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/people/{live.mentee.person_id}/erase/"
    wrong = client.post(url, {"confirm_name": "nobody"}, content_type="application/json")
    assert wrong.status_code == 400
    assert "confirm_name" in wrong.json()["fields"]
    done = client.post(url, {"confirm_name": name}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["tables"]["participants.person"] >= 1
    with org_a.scope():
        assert Person.objects.get(pk=live.mentee.person_id).full_name == ERASED_NAME


def test_retention_rules_through_the_api(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/privacy/retention/"
    bad = client.put(url, {"audit_months": 0}, content_type="application/json")
    assert bad.status_code == 400
    assert "audit_months" in bad.json()["fields"]
    saved = client.put(url, {"audit_months": 36}, content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["audit_months"] == 36
    assert saved.json()["preview"] == {"audit_entries": 0}
    assert client.get(url).json()["pair_notes_months"] is None
