"""No page repeats an element id: a repeated id leaves a second label pointing at the first
field (the program page had id_audience and id_body twice)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client

from tests.conftest import Tenant, login
from tests.feedback.builders import live_pair
from tests.participants.test_enrollment_builders import make_program

pytestmark = pytest.mark.django_db

ID = re.compile(r'\sid="([^"]+)"')


def repeated_ids(html: str) -> list[str]:
    # <template> content is inert markup, cloned by a script with fresh ids: not part of the page.
    html = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    return [name for name, n in Counter(ID.findall(html)).items() if n > 1]


def test_program_page_ids_are_unique(org_a: Tenant) -> None:
    program = make_program(org_a, name="Digital Upward")
    html = (
        login(Client(), org_a.admin.user)
        .get(f"/o/{org_a.slug}/programs/{program.pk}/")
        .content.decode()
    )
    assert 'id="id_objective_audience"' in html
    assert 'id="id_training_audience"' in html
    assert 'for="id_charter_body"' in html
    assert repeated_ids(html) == []


def test_participant_pages_ids_are_unique(org_a: Tenant) -> None:
    live = live_pair(org_a)
    for user, path in (
        (live.mentor_user, f"/o/{org_a.slug}/pairs/{live.pair.pk}/"),
        (live.mentee_user, f"/o/{org_a.slug}/pairs/{live.pair.pk}/"),
        (org_a.admin.user, f"/o/{org_a.slug}/pairs/{live.pair.pk}/"),
        (live.mentor_user, f"/o/{org_a.slug}/"),
        (live.mentor_user, f"/o/{org_a.slug}/me/programs/{live.program.pk}/"),
        (live.mentor_user, f"/o/{org_a.slug}/me/programs/{live.program.pk}/registration/"),
        (live.mentor_user, f"/o/{org_a.slug}/me/emails/"),
    ):
        response = login(Client(), user).get(path)
        assert response.status_code == 200, path
        assert repeated_ids(response.content.decode()) == [], path
