"""The builder's pages: the organisation's templates, a survey's editor (template or program
survey alike), its preview, a program's surveys and the objectives measured by anchor items.

Each view is an adapter: look up through the use cases (404/403 by the policy), parse the form,
call the service, redirect on success or show the page again with status 400 and the field
messages, keeping what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import add_form_errors, paginate
from core.params import bool_value, choice_value
from organizations.http import OrgRequest
from programs import selectors as program_selectors
from programs.models import Program
from surveys import access as policy
from surveys import selectors
from surveys.builder import services, use_cases
from surveys.builder.forms import (
    AnchorLinkForm,
    CopyForm,
    MoveForm,
    QuestionForm,
    SettingsForm,
    TargetsForm,
)
from surveys.models import Survey, SurveyResponse

# --- Templates ---------------------------------------------------------------------------------------


@require_GET
def template_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    archived = bool_value(request.GET, "archived")
    templates = use_cases.templates_for(request.membership, archived=archived)
    access = policy.template_access(request.membership)
    return render(
        request,
        "surveys/builder/template_list.html",
        {
            "page": paginate(request, templates),
            "archived": archived,
            "can_manage": access.allows(policy.TEMPLATE_MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
def template_create(request: OrgRequest, org_slug: str) -> HttpResponse:
    policy.template_access(request.membership).require(policy.TEMPLATE_MANAGE)
    form = SettingsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.template_create(
                organization=request.organization, actor=request.user, **form.values()
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "Template created. Add its questions.")
            return redirect("survey_detail", org_slug=org_slug, pk=survey.pk)
    return render(
        request,
        "surveys/builder/template_create.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def library_install(request: OrgRequest, org_slug: str) -> HttpResponse:
    from surveys.library import install_library

    policy.template_access(request.membership).require(policy.TEMPLATE_MANAGE)
    installed = install_library(organization=request.organization, actor=request.user)
    if installed:
        messages.success(request, f"{len(installed)} shipped template(s) installed.")
    else:
        messages.info(request, "Every shipped template is already installed.")
    return redirect("survey_template_list", org_slug=org_slug)


# --- One survey: the editor ------------------------------------------------------------------------


def _back(survey: Survey, org_slug: str) -> str:
    if survey.program_id is None:
        return reverse("survey_template_list", kwargs={"org_slug": org_slug})
    return reverse(
        "program_surveys", kwargs={"org_slug": org_slug, "program_pk": survey.program_id}
    )


def _detail_url(survey: Survey, org_slug: str, anchor: str = "") -> str:
    return reverse("survey_detail", kwargs={"org_slug": org_slug, "pk": survey.pk}) + anchor


def _settings_initial(survey: Survey) -> dict[str, Any]:
    return {
        "title": survey.title,
        "intro": survey.intro,
        "wave": survey.wave,
        "anonymous": survey.anonymous,
        "open_days": survey.open_days,
    }


def _render_detail(
    request: OrgRequest, survey: Survey, *, status: int = 200, **forms: Any
) -> HttpResponse:
    version = selectors.current_version(survey)
    questions = list(selectors.current_questions(survey))
    answered = version is not None and SurveyResponse.objects.filter(version=version).exists()
    context = {
        "survey": survey,
        "program": survey.program,
        "version": version,
        "questions": questions,
        "answered": answered,
        "back": _back(survey, request.organization.slug),
        "can_manage": policy.survey_access(request.membership, survey).allows(policy.MANAGE),
        "settings_form": forms.get("settings_form")
        or SettingsForm(initial=_settings_initial(survey), survey=survey),
        "question_form": forms.get("question_form") or QuestionForm(),
    }
    return render(request, "surveys/builder/survey_detail.html", context, status=status)


@require_GET
def survey_detail(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    return _render_detail(request, use_cases.survey_for(request.membership, pk))


@require_POST
def survey_settings(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    survey = use_cases.survey_for(request.membership, pk)
    use_cases.require_manage(request.membership, survey)
    form = SettingsForm(request.POST, survey=survey)
    if form.is_valid():
        try:
            services.survey_update_settings(actor=request.user, survey=survey, values=form.values())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect(_detail_url(survey, org_slug, "#settings"))
    return _render_detail(request, survey, status=400, settings_form=form)


@require_POST
def survey_archive(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """Archive a template, or bring an archived one back."""
    survey = use_cases.survey_for(request.membership, pk)
    use_cases.require_manage(request.membership, survey)
    try:
        updated = services.template_set_active(
            actor=request.user, survey=survey, active=not survey.is_active
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(survey, org_slug))
    messages.success(request, "Template restored." if updated.is_active else "Template archived.")
    return redirect("survey_template_list", org_slug=org_slug)


@require_POST
def question_add(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    survey = use_cases.survey_for(request.membership, pk)
    use_cases.require_manage(request.membership, survey)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(actor=request.user, survey=survey, values=form.values())
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "Question added.")
            return redirect(_detail_url(survey, org_slug, "#questions"))
    return _render_detail(request, survey, status=400, question_form=form)


@require_http_methods(["GET", "POST"])
def question_edit(request: OrgRequest, org_slug: str, pk: int, question_pk: int) -> HttpResponse:
    survey = use_cases.survey_for(request.membership, pk)
    use_cases.require_manage(request.membership, survey)
    question = use_cases.question_of(survey, question_pk)
    if request.method == "GET":
        form = QuestionForm(initial=QuestionForm.initial_for(question))
    else:
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                services.question_update(
                    actor=request.user, survey=survey, question=question, values=form.values()
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                messages.success(request, "Question saved.")
                return redirect(_detail_url(survey, org_slug, "#questions"))
    answered = SurveyResponse.objects.filter(version_id=question.version_id).exists()
    return render(
        request,
        "surveys/builder/question_edit.html",
        {"survey": survey, "question": question, "form": form, "answered": answered},
        status=400 if form.errors else 200,
    )


@require_POST
def question_delete(request: OrgRequest, org_slug: str, pk: int, question_pk: int) -> HttpResponse:
    survey = use_cases.survey_for(request.membership, pk)
    use_cases.require_manage(request.membership, survey)
    question = use_cases.question_of(survey, question_pk)
    services.question_delete(actor=request.user, survey=survey, question=question)
    messages.success(request, "Question removed.")
    return redirect(_detail_url(survey, org_slug, "#questions"))


@require_POST
def question_move(request: OrgRequest, org_slug: str, pk: int, question_pk: int) -> HttpResponse:
    survey = use_cases.survey_for(request.membership, pk)
    use_cases.require_manage(request.membership, survey)
    use_cases.question_of(survey, question_pk)  # 404 before the form is read
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a question up or down.")
        return _render_detail(request, survey, status=400)
    use_cases.move_question(
        membership=request.membership,
        actor=request.user,
        survey=survey,
        question_pk=question_pk,
        direction=form.cleaned_data["direction"],
    )
    return redirect(_detail_url(survey, org_slug, "#questions"))


@require_GET
def survey_preview(request: OrgRequest, org_slug: str, pk: int) -> HttpResponse:
    """The survey as a respondent sees it, as a mentor, a mentee, or with every question."""
    survey = use_cases.survey_for(request.membership, pk)
    role = choice_value(request.GET, "as", use_cases.PREVIEW_ROLES, default="mentee") or "mentee"
    return render(
        request,
        "surveys/builder/survey_preview.html",
        {
            "survey": survey,
            "form": use_cases.preview_form(survey, role),
            "role": role,
            "roles": use_cases.PREVIEW_ROLES,
        },
    )


# --- A program's surveys ---------------------------------------------------------------------------


def _program_page(
    request: OrgRequest, program: Program, *, status: int = 200, copy_form: CopyForm | None = None
) -> HttpResponse:
    templates = use_cases.templates_for(request.membership)
    return render(
        request,
        "surveys/builder/program_surveys.html",
        {
            "program": program,
            "rows": use_cases.wave_rows(program),
            "copy_form": copy_form or CopyForm(templates=templates),
            "anchors": use_cases.anchor_items(program),
        },
        status=status,
    )


@require_GET
def program_surveys(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _program_page(request, use_cases.program_for(request.membership, program_pk))


@require_POST
def program_survey_copy(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    program = use_cases.program_for(request.membership, program_pk)
    form = CopyForm(request.POST, templates=use_cases.templates_for(request.membership))
    if form.is_valid():
        try:
            survey = services.survey_from_template(
                actor=request.user,
                program=program,
                template=form.cleaned_data["template"],
                wave=form.cleaned_data["wave"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"“{survey.title}” copied into the program.")
            return redirect("survey_detail", org_slug=org_slug, pk=survey.pk)
    return _program_page(request, program, status=400, copy_form=form)


@require_POST
def program_survey_recommended(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    program, created = use_cases.add_recommended_surveys(
        membership=request.membership, actor=request.user, program_pk=program_pk
    )
    if created:
        messages.success(request, f"{len(created)} recommended survey(s) added to the program.")
    else:
        messages.info(request, "Every wave of this program already has its survey.")
    return redirect("program_surveys", org_slug=org_slug, program_pk=program.pk)


# --- Objectives measured by anchor items ------------------------------------------------------------


def _objectives_page(
    request: OrgRequest,
    program: Program,
    *,
    status: int = 200,
    failed: dict[str, Any] | None = None,
) -> HttpResponse:
    failed = failed or {}
    anchors = use_cases.anchor_items(program)
    choices = [(item.key, f"{item.text} ({item.key})") for item in anchors]
    texts = {item.key: item.text for item in anchors}
    links = use_cases.anchor_links(program)
    rows = []
    for objective in program_selectors.objective_list(program=program):
        prefix = f"o{objective.pk}"
        rows.append(
            {
                "objective": objective,
                "links": [
                    (link, texts.get(link.anchor_key, "")) for link in links.get(objective.pk, [])
                ],
                "link_form": failed.get(f"link-{objective.pk}")
                or AnchorLinkForm(anchors=choices, prefix=prefix),
                "targets_form": failed.get(f"targets-{objective.pk}")
                or TargetsForm(
                    prefix=prefix,
                    initial={
                        "baseline": objective.baseline,
                        "target": objective.target,
                        "unit": objective.unit,
                    },
                ),
            }
        )
    return render(
        request,
        "surveys/builder/program_objectives.html",
        {"program": program, "rows": rows, "anchors": anchors},
        status=status,
    )


def _objectives_url(org_slug: str, program: Program, objective_pk: int | None = None) -> str:
    url = reverse(
        "program_survey_objectives", kwargs={"org_slug": org_slug, "program_pk": program.pk}
    )
    return url + (f"#objective-{objective_pk}" if objective_pk else "")


@require_GET
def program_objectives(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    return _objectives_page(request, use_cases.program_for(request.membership, program_pk))


@require_POST
def objective_anchor_add(
    request: OrgRequest, org_slug: str, program_pk: int, objective_pk: int
) -> HttpResponse:
    program = use_cases.program_for(request.membership, program_pk)
    objective = use_cases.objective_of(program, objective_pk)
    choices = [(item.key, item.key) for item in use_cases.anchor_items(program)]
    form = AnchorLinkForm(request.POST, anchors=choices, prefix=f"o{objective.pk}")
    if form.is_valid():
        try:
            services.objective_anchor_link(
                actor=request.user, objective=objective, anchor_key=form.cleaned_data["anchor_key"]
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "The objective is now measured by that item.")
            return redirect(_objectives_url(org_slug, program, objective.pk))
    return _objectives_page(request, program, status=400, failed={f"link-{objective.pk}": form})


@require_POST
def objective_targets(
    request: OrgRequest, org_slug: str, program_pk: int, objective_pk: int
) -> HttpResponse:
    program = use_cases.program_for(request.membership, program_pk)
    objective = use_cases.objective_of(program, objective_pk)
    form = TargetsForm(request.POST, prefix=f"o{objective.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            use_cases.objective_targets_update(
                membership=request.membership,
                actor=request.user,
                objective=objective,
                baseline=data["baseline"],
                target=data["target"],
                unit=data["unit"],
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, "Baseline and target saved.")
            return redirect(_objectives_url(org_slug, program, objective.pk))
    return _objectives_page(request, program, status=400, failed={f"targets-{objective.pk}": form})


@require_POST
def objective_anchor_remove(
    request: OrgRequest, org_slug: str, program_pk: int, pk: int
) -> HttpResponse:
    program = use_cases.program_for(request.membership, program_pk)
    link = use_cases.anchor_link_of(program, pk)
    services.objective_anchor_unlink(actor=request.user, link=link)
    messages.success(request, "Link removed.")
    return redirect(_objectives_url(org_slug, program, link.objective_id))
