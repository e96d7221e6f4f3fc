"""Program pages: roles and visibility, field errors with 400, htmx sections, empty states and
pinned query counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from organizations.models import AuditEntry
from programs import services
from programs.models import CharterVersion, Objective, Program, ProgramStatus, Topic
from tests.conftest import Tenant, login
from tests.programs.conftest import make_program, make_ready_program, make_topic


def _client(tenant: Tenant, role: str) -> Client:
    return login(Client(), getattr(tenant, role).user)


def _assign(tenant: Tenant, program: Program) -> None:
    with tenant.scope():
        services.coordinator_assign(
            actor=tenant.admin.user, program=program, user=tenant.coordinator.user
        )


@pytest.mark.parametrize(
    ("role", "assigned", "list_status", "detail_status"),
    [
        ("admin", False, 200, 200),
        ("coordinator", True, 200, 200),
        ("coordinator", False, 200, 404),
        ("member", False, 403, 403),
    ],
)
def test_page_visibility(
    org_a: Tenant, role: str, assigned: bool, list_status: int, detail_status: int
) -> None:
    program = make_program(org_a, "Visible program")
    if assigned:
        _assign(org_a, program)
    client = _client(org_a, role)
    listing = client.get(f"/o/{org_a.slug}/programs/")
    assert listing.status_code == list_status
    if list_status == 200:
        assert ("Visible program" in listing.content.decode()) == (detail_status == 200)
    base = f"/o/{org_a.slug}/programs/{program.pk}/"
    assert client.get(base).status_code == detail_status
    assert client.get(base + "edit/").status_code == detail_status
    response = client.post(base + "transition/", {"to": "enrolling"})
    assert response.status_code == (400 if detail_status == 200 else detail_status)


def test_coordinators_cannot_assign_coordinators_or_edit_topics(org_a: Tenant) -> None:
    program = make_program(org_a)
    _assign(org_a, program)
    client = _client(org_a, "coordinator")
    response = client.post(
        f"/o/{org_a.slug}/programs/{program.pk}/coordinators/",
        {"user": org_a.coordinator.user.pk},
    )
    assert response.status_code == 403
    assert client.get(f"/o/{org_a.slug}/topics/").status_code == 403


def test_create_shows_field_errors_with_400_and_keeps_input(org_a: Tenant) -> None:
    client = _client(org_a, "admin")
    response = client.post(
        f"/o/{org_a.slug}/programs/new/",
        {
            "name": "Spring cohort",
            "start_date": "2030-05-01",
            "end_date": "2030-04-01",
            "time_zone": "Mars/Olympus",
            "session_cadence_days": "14",
            "checkin_cadence_days": "28",
            "max_mentees_per_mentor": "0",
            "term_boss": "ignored",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The end date must be after the start date." in html
    assert "is not a time zone" in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert 'value="Spring cohort"' in html
    with org_a.scope():
        assert not Program.objects.exists()


def test_create_with_topics_and_terminology_then_edit(org_a: Tenant) -> None:
    topic = make_topic(org_a, "AI tools")
    retired = make_topic(org_a, "Old topic")
    with org_a.scope():
        services.topic_set_active(actor=org_a.admin.user, topic=retired, is_active=False)
    client = _client(org_a, "admin")
    form = client.get(f"/o/{org_a.slug}/programs/new/").content.decode()
    assert "AI tools" in form
    assert "Old topic" not in form
    response = client.post(
        f"/o/{org_a.slug}/programs/new/",
        {
            "name": "Spring cohort",
            "focus_topics": [topic.pk],
            "time_zone": "Europe/London",
            "session_cadence_days": "14",
            "checkin_cadence_days": "28",
            "max_mentees_per_mentor": "2",
            "term_program": "upward mentoring",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "“Spring cohort” was created as a draft." in response.content.decode()
    with org_a.scope():
        program = Program.objects.get()
        assert list(program.focus_topics.all()) == [topic]
    assert program.terminology == {"program": "upward mentoring"}
    edit = client.get(f"/o/{org_a.slug}/programs/{program.pk}/edit/").content.decode()
    assert 'value="upward mentoring"' in edit


def test_a_topic_of_another_organisation_is_a_field_error(tenants: tuple[Tenant, Tenant]) -> None:
    org_a, org_b = tenants
    foreign = make_topic(org_b, "Foreign")
    client = _client(org_a, "admin")
    response = client.post(
        f"/o/{org_a.slug}/programs/new/",
        {
            "name": "X",
            "focus_topics": [foreign.pk],
            "time_zone": "UTC",
            "session_cadence_days": "14",
            "checkin_cadence_days": "28",
            "max_mentees_per_mentor": "1",
        },
    )
    assert response.status_code == 400
    assert f"Select a valid choice. {foreign.pk} is not one of the available choices." in (
        response.content.decode()
    )


def test_lifecycle_panel_lists_missing_preconditions_and_moves(org_a: Tenant) -> None:
    program = make_program(org_a)
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/"
    html = client.get(url).content.decode()
    for message in ("Set a start date.", "Add at least one objective.", "Publish the ground rules"):
        assert message in html
    response = client.post(url + "transition/", {"to": "enrolling"})
    assert response.status_code == 400
    assert "The program cannot move to enrolling yet." in response.content.decode()
    ready = make_ready_program(org_a)
    response = client.post(
        f"/o/{org_a.slug}/programs/{ready.pk}/transition/", {"to": "enrolling"}, follow=True
    )
    assert "is now enrolling." in response.content.decode()


def test_objective_added_in_place_with_htmx(org_a: Tenant, program: Program) -> None:
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/objectives/"
    response = client.post(url, {"statement": "", "audience": "both"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="objectives"')
    assert "This field is required." in html
    response = client.post(
        url,
        {"statement": "Leaders post weekly", "audience": "mentees", "measure": "Q4", "target": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Leaders post weekly" in html
    assert "The objective was added." in html


def test_objective_without_javascript_redirects_and_moves(org_a: Tenant, program: Program) -> None:
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/objectives/"
    for statement in ("First", "Second"):
        response = client.post(
            url, {"statement": statement, "audience": "both", "measure": "Q", "target": "1"}
        )
        assert response.status_code == 302
    with org_a.scope():
        second = Objective.objects.get(statement="Second")
    client.post(f"{url}{second.pk}/move/", {"direction": "up"})
    with org_a.scope():
        assert list(Objective.objects.values_list("statement", flat=True)) == ["Second", "First"]
    response = client.post(f"{url}{second.pk}/edit/", {"statement": "", "audience": "both"})
    assert response.status_code == 400


def test_charter_publish_and_history(org_a: Tenant, program: Program) -> None:
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/charter/"
    assert client.post(url, {"body": "Rule one."}).status_code == 302
    response = client.post(url, {"body": "Rule one."})
    assert response.status_code == 400
    assert "The text is the same as the current version (v1)." in response.content.decode()
    client.post(url, {"body": "Rule one. Rule two.", "change_note": "Added rule two"})
    html = client.get(f"/o/{org_a.slug}/programs/{program.pk}/").content.decode()
    assert "Version 2, published" in html
    assert "Version 1 —" in html
    with org_a.scope():
        assert list(CharterVersion.objects.values_list("version", flat=True)) == [2, 1]


def test_training_needs_link_or_text_on_the_page(org_a: Tenant, program: Program) -> None:
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/training/"
    response = client.post(url, {"title": "Empty", "audience": "both", "estimated_minutes": "5"})
    assert response.status_code == 400
    assert "Give a link, a text, or both." in response.content.decode()


def test_duplicate_and_archive_buttons(org_a: Tenant) -> None:
    program = make_ready_program(org_a, "Cohort one")
    client = _client(org_a, "admin")
    base = f"/o/{org_a.slug}/programs/{program.pk}/"
    response = client.post(base + "duplicate/")
    with org_a.scope():
        copy = Program.objects.get(name="Cohort one (copy)")
    assert response["Location"] == f"/o/{org_a.slug}/programs/{copy.pk}/edit/"
    client.post(base + "archive/")
    listing = client.get(f"/o/{org_a.slug}/programs/").content.decode()
    assert "Cohort one (copy)" in listing
    assert ">Cohort one<" not in listing
    archived = client.get(f"/o/{org_a.slug}/programs/?archived=1").content.decode()
    assert ">Cohort one<" in archived
    with org_a.scope():
        Program.objects.filter(pk=copy.pk).update(status=ProgramStatus.ACTIVE)
    response = client.post(f"/o/{org_a.slug}/programs/{copy.pk}/archive/", follow=True)
    assert "Only draft or closed programs can be archived" in response.content.decode()


def test_status_filter_and_empty_states(org_a: Tenant) -> None:
    client = _client(org_a, "admin")
    assert "No programs yet." in client.get(f"/o/{org_a.slug}/programs/").content.decode()
    make_program(org_a, "Drafty")
    html = client.get(f"/o/{org_a.slug}/programs/?status=active").content.decode()
    assert "No programs match this filter." in html
    unknown = client.get(f"/o/{org_a.slug}/programs/?status=nonsense")
    assert unknown.status_code == 400  # an unknown filter value is named, not ignored
    assert "status" in unknown.content.decode()
    assert "Drafty" in client.get(f"/o/{org_a.slug}/programs/").content.decode()
    coordinator = _client(org_a, "coordinator").get(f"/o/{org_a.slug}/programs/")
    assert "You are not assigned to any program yet." in coordinator.content.decode()


def test_coordinator_assignment_on_the_page(org_a: Tenant, program: Program) -> None:
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/coordinators/"
    response = client.post(url, {"user": org_a.member.user.pk})
    assert response.status_code == 400
    assert client.post(url, {"user": org_a.coordinator.user.pk}).status_code == 302
    assert (
        _client(org_a, "coordinator").get(f"/o/{org_a.slug}/programs/{program.pk}/").status_code
        == 200
    )


def test_topic_vocabulary_page(org_a: Tenant) -> None:
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/topics/"
    assert "The vocabulary is empty." in client.get(url).content.decode()
    assert client.post(url, {"name": "AI tools"}).status_code == 302
    response = client.post(url, {"name": "ai tools"})
    assert response.status_code == 400
    assert "The vocabulary already has “ai tools”." in response.content.decode()
    with org_a.scope():
        topic = Topic.objects.get()
    client.post(f"{url}{topic.pk}/toggle/")
    with org_a.scope():
        topic.refresh_from_db()
        assert topic.is_active is False
        assert AuditEntry.objects.filter(action="topic.deactivated").exists()


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("path", "add"),
    [
        ("programs/", lambda t, i: make_program(t, f"P{i}")),
        ("topics/", lambda t, i: make_topic(t, f"T{i}")),
    ],
)
def test_list_page_query_counts_do_not_grow(
    org_a: Tenant, path: str, add: Callable[[Tenant, int], object]
) -> None:
    topic = make_topic(org_a, "Shared")
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/{path}"
    add(org_a, 0)
    client.get(url)
    few = _count(client, url)
    for i in range(1, 12):
        created = add(org_a, i)
        if isinstance(created, Program):
            with org_a.scope():
                services.program_update(
                    actor=org_a.admin.user, program=created, values={}, focus_topics=[topic]
                )
    assert _count(client, url) == few
    assert few <= 12


def test_detail_query_count_does_not_grow_with_content(org_a: Tenant) -> None:
    program = make_ready_program(org_a)
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/"
    client.get(url)
    few = _count(client, url)
    from programs import content

    with org_a.scope():
        for i in range(5):
            content.objective_create(
                actor=org_a.admin.user,
                program=program,
                values={"statement": f"O{i}", "measure": "Q", "target": 1},
            )
            content.training_create(
                actor=org_a.admin.user, program=program, values={"title": f"T{i}", "body": "x"}
            )
    assert _count(client, url) == few


def test_htmx_objective_and_charter_also_refresh_the_lifecycle_panel(org_a: Tenant) -> None:
    """Both are preconditions of enrolling: the panel comes along as an out-of-band swap."""
    program = make_program(org_a, start_date=date(2030, 3, 1), end_date=date(2030, 9, 1))
    client = _client(org_a, "admin")
    url = f"/o/{org_a.slug}/programs/{program.pk}/"
    html = client.post(
        url + "objectives/",
        {"statement": "Leaders post weekly", "audience": "both", "measure": "Q4", "target": "3"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    oob = html[html.index('<section id="lifecycle"') :]
    assert 'hx-swap-oob="true"' in oob.split(">", 1)[0]
    assert "Add at least one objective." not in oob
    assert "Publish the ground rules" in oob
    html = client.post(
        url + "charter/", {"body": "What is said stays.", "change_note": ""}, HTTP_HX_REQUEST="true"
    ).content.decode()
    oob = html[html.index('<section id="lifecycle"') :]
    assert "Before it can move to enrolling" not in oob
    assert "Move to enrolling" in oob
    html = client.post(
        url + "training/",
        {"title": "Intro", "audience": "both", "estimated_minutes": "15"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'id="lifecycle"' not in html  # training is no precondition: the section alone
    assert "hx-swap-oob" not in client.get(url).content.decode()
