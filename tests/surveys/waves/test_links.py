"""Signed invitation links: bound to one invitation and person, expire a week after the close,
tampering or another organisation's slug is a 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from surveys.models import InvitationStatus, SurveyInvitation, Wave
from surveys.waves import links
from tests.conftest import Tenant
from tests.surveys.waves.builders import SurveyWorld, make_survey, survey_world

pytestmark = pytest.mark.django_db

OPENS = date(2026, 6, 1)


def _invitation(world: SurveyWorld) -> SurveyInvitation:
    survey = make_survey(world.tenant, world.program, Wave.POST)
    with world.tenant.scope():
        return SurveyInvitation.objects.create(
            organization=world.tenant.organization,
            survey=survey,
            enrollment=world.mentor,
            opens_on=OPENS,
            closes_on=OPENS + timedelta(days=14),
            status=InvitationStatus.SENT,
        )


def _url(tenant: Tenant, token: str) -> str:
    return reverse("survey_link", kwargs={"org_slug": tenant.slug, "token": token})


def test_a_token_names_its_invitation_person_and_last_day(org_a: Tenant) -> None:
    world = survey_world(org_a)
    invitation = _invitation(world)
    link = links.read_token(links.make_token(invitation))
    assert (link.organization_id, link.invitation_id, link.enrollment_id) == (
        org_a.organization.pk,
        invitation.pk,
        world.mentor.pk,
    )
    assert link.expires_on == invitation.closes_on + timedelta(days=links.LINK_GRACE_DAYS)
    assert not link.expired(link.expires_on)
    assert link.expired(link.expires_on + timedelta(days=1))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t[: len(t) // 2],
        lambda t: signing.dumps({"o": 1, "i": 1, "e": 1, "x": "2099-01-01"}, salt="other"),
        lambda t: "not-a-token",
    ],
    ids=["tampered", "truncated", "other-salt", "garbage"],
)
def test_a_tampered_token_is_a_404(org_a: Tenant, mangle) -> None:  # type: ignore[no-untyped-def]
    world = survey_world(org_a)
    token = mangle(links.make_token(_invitation(world)))
    with pytest.raises(links.InvalidLinkError):
        links.read_token(token)
    assert Client().get(_url(org_a, token)).status_code == 404


def test_a_token_forged_for_another_invitation_id_does_not_verify(org_a: Tenant) -> None:
    world = survey_world(org_a)
    invitation = _invitation(world)
    token = links.make_token(invitation)
    payload = signing.loads(token, salt=links.SALT)
    payload["i"] += 1
    forged = signing.dumps(payload, salt="surveys.invitation_link.v0")
    assert Client().get(_url(org_a, forged)).status_code == 404


def test_another_organisations_slug_is_a_404(org_a: Tenant, org_b: Tenant) -> None:
    world = survey_world(org_a)
    token = links.make_token(_invitation(world))
    assert Client().get(_url(org_b, token)).status_code == 404


def test_closed_then_expired(org_a: Tenant) -> None:
    world = survey_world(org_a)
    invitation = _invitation(world)
    url = _url(org_a, links.make_token(invitation))
    with time_machine.travel("2026-06-10T10:00:00Z", tick=False):
        page = Client().get(url)
        assert page.status_code == 200
        assert "Send my answers" in page.content.decode()
    with time_machine.travel("2026-06-17T10:00:00Z", tick=False):  # closed on the 15th
        page = Client().get(url)
        assert page.status_code == 410
        assert "This survey closed on 15 June 2026" in page.content.decode()
    with time_machine.travel("2026-06-23T10:00:00Z", tick=False):  # a week after: expired
        page = Client().get(url)
        assert page.status_code == 410
        assert "This link has expired" in page.content.decode()
        assert Client().post(url, {}).status_code == 410
