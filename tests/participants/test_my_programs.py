"""The participant's own pages: list, detail (status, expectations, charter, training, profile),
registration form; and the journey of accepting the charter and completing the profile."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from participants import participation, registration
from participants.models import EnrollmentRole, EnrollmentStatus, RegistrationQuestion
from programs.models import Audience
from tests.conftest import Tenant, login
from tests.participants.test_enrollment_builders import (
    enrol,
    make_charter,
    make_person,
    make_program,
    make_topic,
    make_training,
)


def _mine(tenant: Tenant, rest: str = "") -> str:
    return f"/o/{tenant.slug}/me/programs/{rest}"


@pytest.fixture
def invited(org_a: Tenant) -> Any:
    program = make_program(
        org_a,
        name="Digital Upward",
        terminology={"mentor": "reverse mentor"},
        session_cadence_days=14,
    )
    person = make_person(org_a, user=org_a.member.user, full_name="Morgan Member")
    return enrol(org_a, program, person, EnrollmentRole.MENTOR)


def test_list_shows_my_programs_and_open_ones(org_a: Tenant, invited: Any) -> None:
    make_program(org_a, name="Open Cohort", self_registration=True)
    make_program(org_a, name="Closed Cohort", self_registration=False)
    html = login(Client(), org_a.member.user).get(_mine(org_a)).content.decode()
    assert "Digital Upward" in html
    assert "Open Cohort" in html
    assert "Closed Cohort" not in html


def test_empty_states(org_a: Tenant) -> None:
    html = login(Client(), org_a.member.user).get(_mine(org_a)).content.decode()
    assert "You are not in any program yet." in html
    assert "No program is taking applications right now." in html


def test_someone_elses_program_page_is_404(org_a: Tenant, invited: Any) -> None:
    client = login(Client(), org_a.coordinator.user)
    assert client.get(_mine(org_a, f"{invited.program_id}/")).status_code == 404
    assert client.post(_mine(org_a, f"{invited.program_id}/accept/")).status_code == 404


def test_detail_shows_status_expectations_and_next_step(org_a: Tenant, invited: Any) -> None:
    html = (
        login(Client(), org_a.member.user)
        .get(_mine(org_a, f"{invited.program_id}/"))
        .content.decode()
    )
    assert "reverse mentor" in html
    assert "Meet every 14 days" in html
    assert "Accept the invitation" in html
    assert "Profile 0% complete" in html
    assert "The program team has not published the charter yet." in html


def test_apply_to_an_open_program(org_a: Tenant) -> None:
    program = make_program(org_a, name="Open Cohort", self_registration=True)
    make_person(org_a, email=org_a.member.user.email)
    client = login(Client(), org_a.member.user)
    response = client.post(_mine(org_a, f"{program.pk}/apply/"), {"role": "mentee"}, follow=True)
    assert "Your application is waiting for the program team." in response.content.decode()


def test_waitlisted_acceptance_shows_the_position(org_a: Tenant, invited: Any) -> None:
    response = login(Client(), org_a.member.user).post(
        _mine(org_a, f"{invited.program_id}/accept/"), follow=True
    )
    html = response.content.decode()
    assert "you are number 1 on the waitlist" in html
    assert "You are number 1 on the waitlist and move up" in html


def test_withdraw_needs_a_reason_on_the_page(org_a: Tenant, invited: Any) -> None:
    client = login(Client(), org_a.member.user)
    response = client.post(
        _mine(org_a, f"{invited.program_id}/withdraw/"), {"reason": ""}, follow=True
    )
    assert "Say why" in response.content.decode()
    client.post(_mine(org_a, f"{invited.program_id}/withdraw/"), {"reason": "New job"})
    with org_a.scope():
        invited.refresh_from_db()
    assert invited.status == EnrollmentStatus.WITHDRAWN


def test_participant_accepts_the_charter_and_completes_the_profile(
    org_a: Tenant, invited: Any
) -> None:
    """The journey of the issue: accept the invitation, accept the charter, complete the profile,
    and accept again when a new charter version is published."""
    program = invited.program
    topic = make_topic(org_a, "AI tools")
    with org_a.scope():
        make_charter(program, 1, body="Confidential by default.")
        question = RegistrationQuestion.objects.create(
            organization=org_a.organization,
            program=program,
            text="Preferred pace?",
            kind="single_choice",
            choices=["Slow", "Fast"],
            required=True,
        )
    client = login(Client(), org_a.member.user)
    detail = _mine(org_a, f"{program.pk}/")
    client.post(_mine(org_a, f"{program.pk}/accept/"))

    html = client.get(detail).content.decode()
    assert "Confidential by default." in html
    assert "I accept version 1 of the charter" in html
    html = client.post(_mine(org_a, f"{program.pk}/charter/"), follow=True).content.decode()
    assert "You accepted version 1 of the charter." in html

    form_url = _mine(org_a, f"{program.pk}/registration/")
    assert client.get(form_url).status_code == 200
    bad = client.post(
        form_url,
        {
            "meeting_format": "video",
            "time_zone": "UTC",
            f"q_{question.pk}": "",
            "window_0_weekday": "2",
            "window_0_start": "11:00",
            "window_0_end": "10:00",
        },
    )
    assert bad.status_code == 400
    bad_html = bad.content.decode()
    assert "Answer this question." in bad_html
    assert "Window 1: the start must be before the end." in bad_html
    response = client.post(
        form_url,
        {
            f"topic_{topic.pk}": "4",
            "window_0_weekday": "2",
            "window_0_start": "09:00",
            "window_0_end": "10:30",
            "meeting_format": "video",
            "languages": "en, nl",
            "time_zone": "Europe/Amsterdam",
            "max_mentees": "1",
            f"q_{question.pk}": "Fast",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Your registration was saved." in html
    assert "Profile 100% complete" in html

    with org_a.scope():
        make_charter(program, 2, body="Now with a social media rule.")
    html = client.get(detail).content.decode()
    assert "A new version of the charter (version 2) needs your acceptance." in html
    client.post(_mine(org_a, f"{program.pk}/charter/"))
    with org_a.scope():
        invited.refresh_from_db()
        assert not participation.needs_charter_acceptance(invited)
        assert registration.profile_completeness(invited).complete


def test_training_marked_done_with_htmx_returns_only_the_panel(org_a: Tenant, invited: Any) -> None:
    with org_a.scope():
        resource = make_training(invited.program, "Teaching upwards", audience=Audience.MENTORS)
    client = login(Client(), org_a.member.user)
    url = _mine(org_a, f"{invited.program_id}/training/{resource.pk}/")
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        '<section aria-labelledby="training-heading" id="training-panel">'
    )
    assert "All required training is done." in html
    response = client.post(url, follow=True)
    assert "is marked as done" in response.content.decode()


def test_training_of_the_other_role_is_refused_on_the_page(org_a: Tenant, invited: Any) -> None:
    with org_a.scope():
        resource = make_training(invited.program, "For executives", audience=Audience.MENTEES)
    client = login(Client(), org_a.member.user)
    response = client.post(
        _mine(org_a, f"{invited.program_id}/training/{resource.pk}/"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "not part of your program" in response.content.decode()


def test_detail_query_count_is_fixed(org_a: Tenant, invited: Any) -> None:
    client = login(Client(), org_a.member.user)
    url = _mine(org_a, f"{invited.program_id}/")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with org_a.scope():
        make_charter(invited.program, 1)
        for n in range(5):
            make_training(invited.program, f"Module {n}")
            RegistrationQuestion.objects.create(
                organization=org_a.organization,
                program=invited.program,
                text=f"Q{n}",
                kind="short_text",
                required=True,
            )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few) == 12


def test_an_imported_person_is_linked_by_email_and_sees_their_invitation(org_a: Tenant) -> None:
    """Imports and the directory form create people without an account: the first visit to My
    programs links the entry with the signed-in email, so the invitation shows."""
    program = make_program(org_a, name="Digital Upward")
    person = make_person(org_a, email=org_a.member.user.email.upper())
    enrol(org_a, program, person, EnrollmentRole.MENTOR)
    html = login(Client(), org_a.member.user).get(_mine(org_a)).content.decode()
    assert "Digital Upward" in html
    assert "You are invited" in html
    with org_a.scope():
        person.refresh_from_db()
    assert person.user_id == org_a.member.user.pk
    # Someone else's entry is never linked to a different account.
    html = login(Client(), org_a.coordinator.user).get(_mine(org_a)).content.decode()
    assert "Digital Upward" not in html


def test_what_happens_next_is_the_next_step_rule_and_stays_current(
    org_a: Tenant, invited: Any
) -> None:
    """The program page lists next_step.py's steps (the home's rule), and drops each once done."""
    with org_a.scope():
        invited.status = EnrollmentStatus.ACCEPTED
        invited.save(update_fields=["status"])
        program = invited.program
        make_charter(program, 1)
        make_training(program, "Listening well", required=True)
    client = login(Client(), org_a.member.user)
    url = _mine(org_a, f"{invited.program_id}/")
    html = client.get(url).content.decode()
    ahead = html[html.index('id="next-heading"') : html.index('id="expect-heading"')]
    assert "Read and accept version 1 of the charter." in ahead
    assert 'href="#charter"' in ahead
    assert "1 required training item left." in ahead
    assert "Finish your registration" in ahead
    client.post(_mine(org_a, f"{invited.program_id}/charter/"))
    html = client.get(url).content.decode()
    ahead = html[html.index('id="next-heading"') : html.index('id="expect-heading"')]
    assert "charter" not in ahead
    assert "1 required training item left." in ahead
