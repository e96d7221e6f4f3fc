"""Pages of actions and success stories: the pair page's two sections (add, edit, move, share an
action; write, edit, agree to, withdraw a story), a person's own actions and a program's "what
changed" for its staff. Each view parses, calls the use case, and answers with the section (htmx)
or a redirect; the policy is ``feedback.actions.access``, asked by the use cases.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.pages import paginate, require_role
from feedback.actions import selectors, services, use_cases
from feedback.actions.access import WRITE_ACTION, ActionAccess, of_pair
from feedback.actions.context import action_form
from feedback.actions.forms import (
    ActionEditForm,
    ActionForm,
    ActionShareForm,
    ActionStatusForm,
    StoryForm,
)
from feedback.models import ActionStatus
from feedback.pairs.answers import access_of, answer, apply_error, is_htmx, pair_url
from feedback.pairs.views import render_pair_page
from organizations.http import OrgRequest
from organizations.models import STAFF_ROLES
from programs.access import managed_program

SHARED_PER_PAGE = 20
STORIES_PER_PAGE = 10


def _access(request: OrgRequest, pair_pk: int) -> ActionAccess:
    return of_pair(access_of(request, pair_pk))


def _refusal(
    request: OrgRequest, org_slug: str, access: ActionAccess, section: str, error: ValidationError
) -> HttpResponse:
    """A button whose request cannot apply (a move not allowed from here, a value no button
    sends, agreed already): 400 with the reason in the page's live region, nothing stored."""
    text = " ".join(error.messages)
    if is_htmx(request):
        response = answer(request, org_slug, access, section, message=text)
        response.status_code = 400
        return response
    return render_pair_page(request, access.pair, life_forms={"announcement": text}, status=400)


def _session_pk(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 12 else None


# --- Actions -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def action_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    """Add an action; GET shows the form on its own page, prefilled with ``?session=``."""
    access = _access(request, pair_pk)
    access.permissions.require(WRITE_ACTION)
    pair = access.pair
    if request.method == "GET":
        form = action_form(access, session_pk=_session_pk(request.GET.get("session")))
        session = form.initial.get("session") if form.initial else None
        context = {
            "pair": pair,
            "program": pair.program,
            "form": form,
            "session": access.sessions().filter(pk=session).first() if session else None,
        }
        return render(request, "feedback/actions/action_new.html", context)
    session_pk = _session_pk(request.POST.get("session"))
    session = access.sessions().filter(pk=session_pk).first() if session_pk else None
    form = ActionForm(
        request.POST,
        topics=services.allowed_topics(pair, session),
        sessions=access.sessions(),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            action = use_cases.create_action(
                access=access,
                actor=request.user,
                draft=use_cases.ActionDraft(
                    title=data["title"],
                    due_on=data["due_on"],
                    session_id=form.session_id(),
                    topic_id=form.topic_id(),
                ),
            )
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        return answer(
            request, org_slug, access, "actions", message="", failed={"action_form": form}
        )
    return answer(request, org_slug, access, "actions", message=f"Action added: “{action.title}”.")


@require_http_methods(["GET", "POST"])
def action_edit(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.permissions.require(WRITE_ACTION)
    action = use_cases.visible_action(access, pk)
    topics = services.allowed_topics(access.pair, action.session)
    status = 200
    if request.method == "GET":
        form = ActionEditForm(
            topics=topics,
            initial={
                "title": action.title,
                "due_on": action.due_on,
                "topic": action.topic_id,
                "result": action.result,
            },
        )
    else:
        form = ActionEditForm(request.POST, topics=topics)
        if form.is_valid():
            data = form.cleaned_data
            try:
                use_cases.update_action(
                    access=access,
                    actor=request.user,
                    action=action,
                    title=data["title"],
                    due_on=data["due_on"],
                    topic_id=form.topic_id(),
                    result=data["result"],
                )
            except ValidationError as error:
                apply_error(form, error)
            else:
                messages.success(request, "Action saved.")
                return redirect(pair_url(access, org_slug, "actions"))
        status = 400
    context = {"pair": access.pair, "program": access.pair.program, "action": action, "form": form}
    return render(request, "feedback/actions/action_edit.html", context, status=status)


@require_POST
def action_status(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.permissions.require(WRITE_ACTION)
    action = use_cases.visible_action(access, pk)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        return _refusal(
            request, org_slug, access, "actions", ValidationError(list(form.errors["status"]))
        )
    try:
        moved = use_cases.move_action(
            access=access,
            actor=request.user,
            action=action,
            status=form.cleaned_data["status"],
            # A button without a result field keeps the note as it was.
            result=form.cleaned_data["result"] if "result" in request.POST else None,
        )
    except ValidationError as error:
        return _refusal(request, org_slug, access, "actions", error)
    label = moved.get_status_display().lower()
    return answer(request, org_slug, access, "actions", message=f"“{moved.title}” is {label}.")


@require_POST
def action_share(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.permissions.require(WRITE_ACTION)
    action = use_cases.visible_action(access, pk)
    form = ActionShareForm(request.POST)
    if not form.is_valid():
        return _refusal(
            request, org_slug, access, "actions", ValidationError(list(form.errors["shared"]))
        )
    shared = form.cleaned_data["shared"]
    use_cases.share_action(access=access, actor=request.user, action=action, shared=shared)
    message = (
        f"“{action.title}” is shared with the organisation."
        if shared
        else f"“{action.title}” is no longer shared: the program team no longer reads it."
    )
    return answer(request, org_slug, access, "actions", message=message)


# --- Success stories -----------------------------------------------------------------------------


@require_POST
def story_create(request: OrgRequest, org_slug: str, pair_pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.story_author()
    form = StoryForm(request.POST)
    if form.is_valid():
        try:
            use_cases.write_story(access=access, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        return answer(request, org_slug, access, "stories", message="", failed={"story_form": form})
    partner = access.partner
    name = partner.person.full_name if partner is not None else "your partner"
    return answer(
        request,
        org_slug,
        access,
        "stories",
        message=f"Story saved. It is published once you and {name} both agree.",
    )


@require_http_methods(["GET", "POST"])
def story_edit(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.story_author()
    story = use_cases.visible_story(access, pk)
    status = 200
    if request.method == "GET":
        form = StoryForm(initial={"text": story.text})
    else:
        form = StoryForm(request.POST)
        if form.is_valid():
            try:
                use_cases.edit_story(
                    access=access, actor=request.user, story=story, text=form.cleaned_data["text"]
                )
            except ValidationError as error:
                apply_error(form, error)
            else:
                messages.success(request, "Story saved. Both of you agree again to publish it.")
                return redirect(pair_url(access, org_slug, "stories"))
        status = 400
    context = {"pair": access.pair, "program": access.pair.program, "story": story, "form": form}
    return render(request, "feedback/actions/story_edit.html", context, status=status)


@require_POST
def story_agree(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.story_author()
    story = use_cases.visible_story(access, pk)
    try:
        agreed = use_cases.agree_story(access=access, actor=request.user, story=story)
    except ValidationError as error:
        return _refusal(request, org_slug, access, "stories", error)
    message = (
        "You both agreed: the story is published."
        if agreed.is_published
        else "You agreed. The story is published once your partner agrees too."
    )
    return answer(request, org_slug, access, "stories", message=message)


@require_POST
def story_withdraw(request: OrgRequest, org_slug: str, pair_pk: int, pk: int) -> HttpResponse:
    access = _access(request, pair_pk)
    access.story_author()
    story = use_cases.visible_story(access, pk)
    try:
        use_cases.withdraw_story(access=access, actor=request.user, story=story)
    except ValidationError as error:
        return _refusal(request, org_slug, access, "stories", error)
    return answer(
        request,
        org_slug,
        access,
        "stories",
        message="You withdrew your agreement: the story is not published.",
    )


# --- A person's actions; a program's "what changed" ----------------------------------------------


@require_GET
def my_action_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    page = paginate(request, selectors.my_actions(request.user))
    return render(request, "feedback/actions/mine.html", {"page": page, "rows": page.object_list})


@require_GET
@require_role(*STAFF_ROLES)
def program_what_changed(request: OrgRequest, org_slug: str, program_pk: int) -> HttpResponse:
    """Counts of every action per status and topic; shared implemented actions; published
    stories (the program's staff only)."""
    program = managed_program(request.membership, program_pk)
    action_page = Paginator(
        selectors.shared_implemented_actions(program), SHARED_PER_PAGE
    ).get_page(request.GET.get("actions_page"))
    story_page = Paginator(selectors.published_stories(program), STORIES_PER_PAGE).get_page(
        request.GET.get("stories_page")
    )
    context = {
        "program": program,
        "counts": selectors.program_action_counts(program),
        "statuses": ActionStatus.choices,
        "action_page": action_page,
        "story_page": story_page,
    }
    return render(request, "feedback/actions/program.html", context)
