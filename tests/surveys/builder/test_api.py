"""The builder API: templates and questions, program surveys through the same versioning service,
objective links; 400 with field messages, 403/404 by the survey policy."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from surveys.models import Survey, SurveyVersion
from tests.conftest import Tenant, login
from tests.surveys.builder.builders import (
    CHOICE,
    LIKERT,
    answer,
    objective,
    program_survey,
    staffed_program,
    template,
)


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.generic(method, url, json.dumps(body or {}), content_type="application/json")


def test_template_and_question_round_trip(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    api = f"/api/v1/o/{org_a.slug}"
    created = _send(client, "POST", f"{api}/survey-templates/", {"wave": "mid", "title": "Pulse"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    question = _send(client, "POST", f"{api}/survey-templates/{pk}/questions/", LIKERT)
    assert question.status_code == 201, question.content
    assert question.json()["labels"] == LIKERT["labels"]
    qid = question.json()["id"]
    patched = _send(
        client, "PATCH", f"{api}/survey-templates/{pk}/questions/{qid}/", {"required": False}
    )
    assert patched.status_code == 200
    assert patched.json()["required"] is False
    detail = client.get(f"{api}/survey-templates/{pk}/").json()
    assert [q["text"] for q in detail["questions"]] == [LIKERT["text"]]
    assert detail["version"] == 1
    assert (
        _send(client, "DELETE", f"{api}/survey-templates/{pk}/questions/{qid}/").status_code == 204
    )
    archived = _send(client, "POST", f"{api}/survey-templates/{pk}/archive/")
    assert archived.json()["is_active"] is False


def test_bad_question_is_a_400_with_field_messages(org_a: Tenant) -> None:
    survey = template(org_a)
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/survey-templates/{survey.pk}/questions/"
    response = _send(client, "POST", url, {**CHOICE, "choices": ["Weekly", "Weekly"]})
    assert response.status_code == 400
    assert "twice" in response.json()["fields"]["choices"][0]
    response = _send(client, "POST", url, {**LIKERT, "labels": "not a list"})
    assert response.status_code == 400
    assert "labels" in response.json()["fields"]
    response = _send(client, "POST", url, {**LIKERT, "min_value": "1e999"})
    assert response.status_code == 400


def test_coordinators_read_templates_members_do_not(org_a: Tenant) -> None:
    survey = template(org_a, LIKERT)
    api = f"/api/v1/o/{org_a.slug}/survey-templates/"
    coordinator = login(Client(), org_a.coordinator.user)
    assert coordinator.get(api).status_code == 200
    assert coordinator.get(f"{api}{survey.pk}/").status_code == 200
    refused = _send(coordinator, "PATCH", f"{api}{survey.pk}/", {"title": "Mine"})
    assert refused.status_code == 403
    assert "Only an admin" in refused.json()["detail"]
    member = login(Client(), org_a.member.user)
    assert member.get(api).status_code == 403


def test_install_library_twice_installs_once(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    url = f"/api/v1/o/{org_a.slug}/survey-templates/install-library/"
    assert len(_send(client, "POST", url).json()) == 4
    assert _send(client, "POST", url).json() == []


def test_program_survey_from_template_then_versioned_by_a_question_change(
    org_a: Tenant,
) -> None:
    program = staffed_program(org_a)
    source = template(org_a, LIKERT, CHOICE)
    client = login(Client(), org_a.coordinator.user)
    api = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/surveys/"
    created = _send(client, "POST", api, {"template": source.pk, "wave": "post"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["wave"] == "post"
    assert len(body["questions"]) == 2
    again = _send(client, "POST", api, {"template": source.pk, "wave": "post"})
    assert again.status_code == 400
    assert "wave" in again.json()["fields"]
    with org_a.scope():
        survey = Survey.objects.get(pk=body["id"])
    answer(org_a, survey)
    qid = body["questions"][0]["id"]
    changed = _send(client, "PATCH", f"{api}{survey.pk}/questions/{qid}/", {"text": "Reworded"})
    assert changed.status_code == 200
    assert changed.json()["id"] != qid
    assert client.get(f"{api}{survey.pk}/").json()["version"] == 2
    with org_a.scope():
        assert SurveyVersion.objects.filter(survey=survey).count() == 2
    locked = _send(client, "PATCH", f"{api}{survey.pk}/", {"anonymous": True})
    assert locked.status_code == 400
    assert "can no longer change" in locked.json()["fields"]["anonymous"][0]
    assert _send(client, "PATCH", f"{api}{survey.pk}/", {"open_days": 10}).status_code == 200


def test_bad_ids_in_bodies_are_field_errors(org_a: Tenant, org_b: Tenant) -> None:
    program = staffed_program(org_a)
    foreign = template(org_b, LIKERT)
    client = login(Client(), org_a.admin.user)
    api = f"/api/v1/o/{org_a.slug}/programs/{program.pk}"
    for bad in (foreign.pk, 2**70, "x"):
        response = _send(client, "POST", f"{api}/surveys/", {"template": bad})
        assert response.status_code == 400, bad
        assert "template" in response.json()["fields"]
    response = _send(
        client, "POST", f"{api}/objective-anchors/", {"objective": 2**70, "anchor_key": "x"}
    )
    assert response.status_code == 400


def test_objective_anchors_api(org_a: Tenant) -> None:
    program = staffed_program(org_a)
    program_survey(org_a, program, LIKERT)
    aim = objective(org_a, program)
    client = login(Client(), org_a.coordinator.user)
    url = f"/api/v1/o/{org_a.slug}/programs/{program.pk}/objective-anchors/"
    bad = _send(client, "POST", url, {"objective": aim.pk, "anchor_key": "mentor_visibility"})
    assert bad.status_code == 400
    assert "anchor_key" in bad.json()["fields"]
    made = _send(client, "POST", url, {"objective": aim.pk, "anchor_key": "confidence_ai_tools"})
    assert made.status_code == 201
    assert [row["anchor_key"] for row in client.get(url).json()["results"]] == [
        "confidence_ai_tools"
    ]
    assert _send(client, "DELETE", f"{url}{made.json()['id']}/").status_code == 204
    member = login(Client(), org_a.member.user)
    assert member.get(url).status_code == 404
