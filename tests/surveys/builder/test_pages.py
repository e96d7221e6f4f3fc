"""The builder's pages: they render, keep what was typed on a bad form (400, never 500), follow
the survey policy, preview as a mentor or a mentee, and link objectives to anchor items."""

from __future__ import annotations

from django.test import Client

from surveys.models import ObjectiveAnchor, Survey, Wave
from surveys.selectors import current_questions
from tests.conftest import Tenant, login
from tests.surveys.builder.builders import (
    CHOICE,
    LIKERT,
    objective,
    program_survey,
    staffed_program,
    template,
)


def test_the_first_visit_installs_the_shipped_templates(org_a: Tenant) -> None:
    page = login(Client(), org_a.coordinator.user).get(f"/o/{org_a.slug}/surveys/templates/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Before the program: expectations and starting point" in body
    assert "Install the shipped templates" not in body  # coordinators read, admins write
    with org_a.scope():
        assert Survey.objects.filter(program__isnull=True).count() == 4


def test_members_are_refused_templates(org_a: Tenant) -> None:
    client = login(Client(), org_a.member.user)
    survey = template(org_a)
    assert client.get(f"/o/{org_a.slug}/surveys/templates/").status_code == 403
    assert client.get(f"/o/{org_a.slug}/surveys/{survey.pk}/").status_code == 403


def test_creating_a_template_with_a_bad_value_keeps_what_was_typed(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    url = f"/o/{org_a.slug}/surveys/templates/new/"
    bad = client.post(url, {"title": "Our pulse", "wave": "pre", "open_days": "90"})
    assert bad.status_code == 400
    assert 'value="Our pulse"' in bad.content.decode()
    good = client.post(url, {"title": "Our pulse", "wave": "pre", "open_days": "14"})
    assert good.status_code == 302
    with org_a.scope():
        assert Survey.objects.get(title="Our pulse").is_template


def test_adding_a_likert_question_with_too_few_labels_is_a_400_with_the_message(
    org_a: Tenant,
) -> None:
    survey = template(org_a)
    client = login(Client(), org_a.admin.user)
    url = f"/o/{org_a.slug}/surveys/{survey.pk}/questions/"
    form = {
        "kind": "likert",
        "text": "I feel heard",
        "audience": "both",
        "required": "on",
        "scale_points": "5",
        "labels": "No\nYes",
    }
    bad = client.post(url, form)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "A 5-point scale needs 5 labels" in body
    assert "I feel heard" in body
    good = client.post(url, {**form, "labels": "1\n2\n3\n4\n5"})
    assert good.status_code == 302
    with org_a.scope():
        assert current_questions(survey).get().labels == ["1", "2", "3", "4", "5"]


def test_edit_move_and_delete_a_question_from_the_pages(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT, CHOICE)
    client = login(Client(), org_a.admin.user)
    with org_a.scope():
        first, second = list(current_questions(survey))
    base = f"/o/{org_a.slug}/surveys/{survey.pk}/questions"
    edit = client.get(f"{base}/{first.pk}/edit/")
    assert edit.status_code == 200
    assert "Strongly agree" in edit.content.decode()
    bad = client.post(
        f"{base}/{second.pk}/edit/",
        {"kind": "single", "text": "Rhythm?", "choices": "Weekly", "audience": "both"},
    )
    assert bad.status_code == 400
    assert "at least 2" in bad.content.decode()
    assert client.post(f"{base}/{second.pk}/move/", {"direction": "up"}).status_code == 302
    with org_a.scope():
        assert list(current_questions(survey).values_list("pk", flat=True)) == [second.pk, first.pk]
    assert client.post(f"{base}/{first.pk}/delete/").status_code == 302
    with org_a.scope():
        assert list(current_questions(survey).values_list("pk", flat=True)) == [second.pk]


def test_preview_filters_questions_by_audience(org_a: Tenant) -> None:
    survey = template(
        org_a,
        {**LIKERT, "audience": "mentees"},
        {"kind": "text", "text": "What do you hope to show your mentee?", "audience": "mentors"},
        {"kind": "nps", "text": "Would you recommend it?"},
    )
    client = login(Client(), org_a.coordinator.user)
    url = f"/o/{org_a.slug}/surveys/{survey.pk}/preview/"
    as_mentee = client.get(url + "?as=mentee").content.decode()
    as_mentor = client.get(url + "?as=mentor").content.decode()
    assert "I am confident using AI tools" in as_mentee
    assert "What do you hope to show" not in as_mentee
    assert "What do you hope to show" in as_mentor
    assert "I am confident using AI tools" not in as_mentor
    assert "Would you recommend it?" in as_mentee
    assert "Would you recommend it?" in as_mentor
    assert "<legend>" in as_mentee  # radio groups are fieldsets with legends
    every = client.get(url + "?as=all").content.decode()
    assert "What do you hope to show" in every
    assert "I am confident" in every


def test_program_surveys_page_lists_the_waves_and_uses_the_recommended_surveys(
    org_a: Tenant, org_b: Tenant
) -> None:
    program = staffed_program(org_a)
    client = login(Client(), org_a.coordinator.user)
    url = f"/o/{org_a.slug}/programs/{program.pk}/surveys/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("No survey yet") == 4
    assert client.post(url + "recommended/").status_code == 302
    page = client.get(url).content.decode()
    assert "No survey yet" not in page
    assert "confidence_ai_tools" in page
    # The program page links here and shows the anchor items once an objective is linked.
    aim = objective(org_a, program)
    with org_a.scope():
        aim.measure = "Free-text measure"
        aim.save()
    detail = client.get(f"/o/{org_a.slug}/programs/{program.pk}/").content.decode()
    assert url in detail
    assert "Free-text measure" in detail
    link = client.post(
        f"{url}objectives/{aim.pk}/anchors/", {f"o{aim.pk}-anchor_key": "confidence_ai_tools"}
    )
    assert link.status_code == 302
    detail = client.get(f"/o/{org_a.slug}/programs/{program.pk}/").content.decode()
    assert "I am confident using AI tools in my work." in detail
    assert "Free-text measure" not in detail


def test_copying_into_a_wave_that_has_a_survey_is_a_400(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    program_survey(org_a, program, LIKERT, wave=Wave.PRE)
    source = template(org_a, CHOICE, wave=Wave.PRE)
    client = login(Client(), org_a.coordinator.user)
    response = client.post(
        f"/o/{org_a.slug}/programs/{program.pk}/surveys/copy/",
        {"template": source.pk, "wave": "pre"},
    )
    assert response.status_code == 400
    assert "already has its pre-program survey" in response.content.decode()


def test_objective_targets_and_links_from_the_objectives_page(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    program_survey(org_a, program, LIKERT)
    aim = objective(org_a, program)
    client = login(Client(), org_a.coordinator.user)
    base = f"/o/{org_a.slug}/programs/{program.pk}/surveys/objectives/"
    assert client.get(base).status_code == 200
    bad = client.post(f"{base}{aim.pk}/anchors/", {f"o{aim.pk}-anchor_key": "not_asked"})
    assert bad.status_code == 400
    assert "asked in this program" in bad.content.decode()
    bad = client.post(
        f"{base}{aim.pk}/targets/", {f"o{aim.pk}-baseline": "2.8", f"o{aim.pk}-target": ""}
    )
    assert bad.status_code == 400
    assert 'value="2.8"' in bad.content.decode()
    ok = client.post(
        f"{base}{aim.pk}/targets/",
        {
            f"o{aim.pk}-baseline": "2.8",
            f"o{aim.pk}-target": "3.6",
            f"o{aim.pk}-unit": "points (1-5)",
        },
    )
    assert ok.status_code == 302
    with org_a.scope():
        aim.refresh_from_db()
    assert (str(aim.baseline), str(aim.target), aim.unit) == ("2.80", "3.60", "points (1-5)")
    client.post(f"{base}{aim.pk}/anchors/", {f"o{aim.pk}-anchor_key": "confidence_ai_tools"})
    with org_a.scope():
        link = ObjectiveAnchor.objects.get()
    remove = f"/o/{org_a.slug}/programs/{program.pk}/surveys/anchors/{link.pk}/remove/"
    assert client.post(remove).status_code == 302
    with org_a.scope():
        assert not ObjectiveAnchor.objects.exists()


def test_a_program_survey_is_404_to_anyone_who_does_not_run_the_program(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    survey = program_survey(org_a, program, LIKERT)
    other = staffed_program(org_a)
    with org_a.scope():
        from programs.models import ProgramCoordinator

        ProgramCoordinator.objects.filter(program=program).delete()
    assert other.pk
    for user in (org_a.coordinator.user, org_a.member.user):
        client = login(Client(), user)
        assert client.get(f"/o/{org_a.slug}/surveys/{survey.pk}/").status_code == 404
        assert client.get(f"/o/{org_a.slug}/programs/{program.pk}/surveys/").status_code == 404


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_objectives_page_queries_do_not_grow_with_objectives(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    program_survey(org_a, program, LIKERT)
    client = login(Client(), org_a.coordinator.user)
    url = f"/o/{org_a.slug}/programs/{program.pk}/surveys/objectives/"
    objective(org_a, program, "First")
    one = _queries(client, url)
    for statement in ("Second", "Third", "Fourth"):
        objective(org_a, program, statement)
    assert _queries(client, url) == one
