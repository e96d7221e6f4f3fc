"""The bulk invitation page (filters, select all across pages, batch progress) and its API twin."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import Enrollment, InvitationBatch
from participants.onboarding import sending
from tests.conftest import Tenant
from tests.participants.test_enrollment_builders import (
    assign_coordinator,
    make_people,
    make_person,
    make_program,
)

pytestmark = pytest.mark.django_db


def _page(tenant: Tenant) -> str:
    return reverse("people_invite", args=(tenant.slug,))


def test_the_page_filters_people_and_pages_them(client_for, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    program = make_program(org_a, name="Digital Fluency")
    make_people(org_a, 30, level=2, department="Engineering")
    make_people(org_a, 4, level=9, department="Board")
    client = client_for(org_a.admin.user)
    response = client.get(_page(org_a), {"program": program.pk, "level_max": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "30 people match (page 1 of 2)" in html
    assert "Select all 30 people who match, on every page" in html
    bad = client.get(_page(org_a), {"program": program.pk, "level_min": "abc"})
    assert bad.status_code == 400


def test_select_all_invites_every_page_and_shows_the_batch(client_for, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    program = make_program(org_a)
    make_people(org_a, 30, level=2)
    make_people(org_a, 2, level=9)
    client = client_for(org_a.admin.user)
    response = client.post(
        _page(org_a),
        {
            "program": program.pk,
            "filtered": "1",
            "not_invited": "1",
            "level_max": "3",
            "select_all": "on",
            "role": "mentor",
        },
    )
    assert response.status_code == 302
    with org_a.scope():
        batch = InvitationBatch.objects.get()
        assert batch.total == 30
        assert Enrollment.objects.filter(program=program).count() == 30
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert "Sending the invitations" in detail.content.decode()
    with org_a.scope():
        sending.run_batch(batch.pk)
    polled = client.get(response["Location"], headers={"HX-Request": "true"})
    assert "30 invitations sent" in polled.content.decode()
    assert len(mail.outbox) == 30


def test_nothing_ticked_is_a_field_error(client_for, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    program = make_program(org_a)
    make_person(org_a)
    client = client_for(org_a.admin.user)
    response = client.post(_page(org_a), {"program": program.pk, "role": "mentor"})
    assert response.status_code == 400
    assert "Tick the people to invite" in response.content.decode()


def test_members_get_403_and_other_coordinators_do_not_see_the_batch(  # type: ignore[no-untyped-def]
    client_for, org_a: Tenant
) -> None:
    program = make_program(org_a)
    person = make_person(org_a)
    admin = client_for(org_a.admin.user)
    admin.post(_page(org_a), {"program": program.pk, "role": "mentor", "person_ids": [person.pk]})
    with org_a.scope():
        batch = InvitationBatch.objects.get()
    detail = reverse("invitation_batch_detail", args=(org_a.slug, batch.pk))
    assert client_for(org_a.member.user).get(_page(org_a)).status_code == 403
    assert client_for(org_a.coordinator.user).get(detail).status_code == 404
    assign_coordinator(org_a, program)
    assert client_for(org_a.coordinator.user).get(detail).status_code == 200


def test_the_api_asks_for_a_batch_and_follows_it(org_a: Tenant) -> None:
    program = make_program(org_a)
    people = make_people(org_a, 3, department="Data")
    client = Client()
    client.force_login(org_a.admin.user)
    url = reverse("api-invitation-batch-list", args=(org_a.slug,))
    response = client.post(
        url,
        {
            "program": program.pk,
            "role": "mentee",
            "select_all": True,
            "filters": {"department": "Data"},
        },
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["total"] == 3
    assert body["status"] == "queued"
    with org_a.scope():
        sending.run_batch(body["id"])
    detail = client.get(reverse("api-invitation-batch-detail", args=(org_a.slug, body["id"])))
    assert detail.json()["sent"] == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    bad = client.post(
        url,
        {"program": program.pk, "role": "boss", "filters": {"level_min": 0}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"role", "filters.level_min"}
    member = Client()
    member.force_login(org_a.member.user)
    assert member.post(url, {}, content_type="application/json").status_code == 403


def test_the_page_costs_the_same_queries_for_3_or_30_people(client_for, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    program = make_program(org_a)
    make_people(org_a, 3, level=2)
    client = client_for(org_a.admin.user)
    url = _page(org_a)
    client.get(url, {"program": program.pk})  # warm the session

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"program": program.pk}).status_code == 200
        return len(captured.captured_queries)

    few = count()
    make_people(org_a, 27, level=2)
    assert count() == few
