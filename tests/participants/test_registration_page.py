"""The registration page is quick to fill in: one control per topic (not for me, curious, or a
level of what the role brings or seeks), availability rows added without saving (any number the
page sends, up to the maximum), and a time-zone picker the browser may start."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from participants.models import EnrollmentSkill, EnrollmentStatus, SkillDirection
from tests.conftest import Tenant, login
from tests.participants.test_enrollment_builders import (
    enrol,
    make_person,
    make_program,
    make_topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor(org_a: Tenant, org_b: Tenant) -> Any:
    make_topic(org_b, "AI tools")  # look-alike next door
    program = make_program(org_a, name="Digital Upward")
    person = make_person(org_a, user=org_a.member.user, full_name="Morgan Member")
    return enrol(org_a, program, person, "mentor", status=EnrollmentStatus.ACCEPTED)


def _url(org: Tenant, enrollment: Any) -> str:
    return f"/o/{org.slug}/me/programs/{enrollment.program_id}/registration/"


def test_one_control_per_topic_saves_levels_and_interests(org_a: Tenant, mentor: Any) -> None:
    ai, social, culture = (make_topic(org_a, n) for n in ("AI tools", "Social media", "Culture"))
    with org_a.scope():
        # A learning wish saved earlier (through the API): the page does not ask it, nor drops it.
        EnrollmentSkill.objects.create(
            organization=org_a.organization,
            enrollment=mentor,
            topic=culture,
            direction=SkillDirection.LEARN,
            level=2,
        )
    client = login(Client(), org_a.member.user)
    html = client.get(_url(org_a, mentor)).content.decode()
    # One group per topic, named by the topic; no second "level you can learn" list of topics.
    assert html.count('<fieldset class="topic-row">') == 3
    assert f'name="topic_{ai.pk}"' in html
    assert "level you can learn" not in html
    assert 'name="interests"' not in html
    response = client.post(
        _url(org_a, mentor),
        {
            f"topic_{ai.pk}": "4",
            f"topic_{social.pk}": "curious",
            f"topic_{culture.pk}": "",
            "meeting_format": "video",
            "time_zone": "Europe/Paris",
            "languages": "en",
            # Rows 1 and 7: the page added rows without saving.
            "window_0_weekday": "1",
            "window_0_start": "09:00",
            "window_0_end": "10:00",
            "window_6_weekday": "3",
            "window_6_start": "14:00",
            "window_6_end": "15:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with org_a.scope():
        mentor.refresh_from_db()
        skills = {
            (s.topic_id, s.direction, s.level)
            for s in EnrollmentSkill.objects.filter(enrollment=mentor)
        }
        assert skills == {
            (ai.pk, SkillDirection.TEACH, 4),
            (culture.pk, SkillDirection.LEARN, 2),
        }
        assert list(mentor.interests.values_list("pk", flat=True)) == [social.pk]
        assert [w["weekday"] for w in mentor.availability] == [1, 3]
    again = client.get(_url(org_a, mentor)).content.decode()
    assert re.search(rf'name="topic_{ai.pk}" value="4"[^>]*checked', again)
    assert re.search(rf'name="topic_{social.pk}" value="curious"[^>]*checked', again)


def test_a_bad_topic_level_is_a_field_error_not_a_500(org_a: Tenant, mentor: Any) -> None:
    ai = make_topic(org_a, "AI tools")
    client = login(Client(), org_a.member.user)
    response = client.post(
        _url(org_a, mentor),
        {f"topic_{ai.pk}": "9", "meeting_format": "video", "time_zone": "UTC"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_time_zone_picker_starts_from_the_browser_until_one_is_saved(
    org_a: Tenant, mentor: Any
) -> None:
    client = login(Client(), org_a.member.user)
    html = client.get(_url(org_a, mentor)).content.decode()
    assert 'data-browser-zone="id_time_zone_hint"' in html
    with org_a.scope():
        person = mentor.person
        person.time_zone = "Asia/Tokyo"
        person.save(update_fields=["time_zone"])
    html = client.get(_url(org_a, mentor)).content.decode()
    assert "data-browser-zone" not in html
    assert "As saved in your profile." in html


def test_add_row_template_and_button_are_there_for_the_script(org_a: Tenant, mentor: Any) -> None:
    html = login(Client(), org_a.member.user).get(_url(org_a, mentor)).content.decode()
    assert '<template id="availability-row-template">' in html
    assert 'name="window___n___weekday"' in html
    assert 'data-add-row="availability-rows"' in html
    assert 'data-max-rows="14"' in html
    assert "<script>" not in html  # CSP: behaviour only from static/js
