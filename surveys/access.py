"""Who may do what with surveys: the one policy of templates, program surveys, invitations and
results. Pages, API, tasks and the shell ask it through the use cases and services.

====================================  =====  ========================  =========  ===========
permission                            admin  coordinator               member     others
====================================  =====  ========================  =========  ===========
survey.template.view (list, preview)  yes    yes                       403        404
survey.template.manage (edit, new)    yes    403                       403        404
survey.view (a program's survey,      yes    of their programs         404        404
  its questions, invitation statuses)
survey.manage (copy in, edit, anchor  yes    of their programs         404        404
  items, objective links, settings)
survey.results (rates, aggregates,    yes    of their programs         404        404
  paired change; always under the
  privacy floor)
survey.results.text (free-text        yes    of their programs         404        404
  answers; attributed surveys only)
invitation.answer                     the invitation's own person, while the wave is open
====================================  =====  ========================  =========  ===========

A program survey belongs to its program: whoever cannot see the program (a coordinator of another
program, a member) cannot tell the survey exists (404), as ``programs.access`` says.

Whose answer is whose: for an **anonymous** survey, nobody — staff see invitation statuses
("answered") and aggregates over at least k respondents only, and free text never
(``survey.results.text`` is not granted). For an **attributed** survey the respondent was told
their name goes with the answers: the program's staff also see each pair member's numeric and
choice answers to the mid-program survey beside the pair in the mid-program review
(``surveys/results/review.py``), and the free-text answers on the results page.
"""

from __future__ import annotations

from django.http import Http404

from accounts.models import User
from core.access import Access, Forbidden
from organizations.models import Membership, Role
from organizations.selectors import membership_of
from programs import access as program_policy
from surveys.models import OPEN_INVITATION_STATUSES, Survey, SurveyInvitation

TEMPLATE_VIEW = "survey.template.view"
TEMPLATE_MANAGE = "survey.template.manage"
VIEW = "survey.view"
MANAGE = "survey.manage"
RESULTS = "survey.results"
RESULTS_TEXT = "survey.results.text"
ANSWER = "invitation.answer"

_REFUSALS = {
    TEMPLATE_VIEW: "Only admins and coordinators see the organisation's survey templates.",
    TEMPLATE_MANAGE: "Only an admin edits the organisation's survey templates.",
    MANAGE: "Only the staff of this program change its surveys.",
    RESULTS: "Only the staff of this program see its survey results.",
    RESULTS_TEXT: "Free-text answers of an anonymous survey are never shown.",
    ANSWER: "This invitation is someone else's.",
}


def template_access(membership: Membership) -> Access:
    granted: set[str] = set()
    if membership.role in (Role.ADMIN, Role.COORDINATOR):
        granted.add(TEMPLATE_VIEW)
    if membership.role == Role.ADMIN:
        granted.add(TEMPLATE_MANAGE)
    return Access.of(granted, _REFUSALS)


def survey_access(membership: Membership, survey: Survey) -> Access:
    """What ``membership`` may do with ``survey`` (a template or a program's survey)."""
    if survey.program_id is None:
        access = template_access(membership)
        granted = set(access.granted)
        if access.allows(TEMPLATE_VIEW):
            granted.add(VIEW)
        if access.allows(TEMPLATE_MANAGE):
            granted.add(MANAGE)
        return Access.of(granted, _REFUSALS)
    granted = set()
    if membership.is_staff_role and program_policy.manages(membership, survey.program_id):
        granted |= {VIEW, MANAGE, RESULTS}
        if not survey.anonymous:
            granted.add(RESULTS_TEXT)
    return Access.of(granted, _REFUSALS)


def visible_survey(membership: Membership, survey: Survey) -> Survey:
    """``survey`` if ``membership`` may see it. A program survey one cannot see is 404 (as for
    another organisation); the organisation's templates are 403 to members."""
    if survey_access(membership, survey).allows(VIEW):
        return survey
    if survey.program_id is None:
        raise Forbidden(_REFUSALS[TEMPLATE_VIEW])
    raise Http404("No such survey.")


def require(actor: User | None, survey: Survey, permission: str) -> None:
    """For services: refuse ``actor`` unless the policy grants ``permission`` on ``survey``
    (``None`` is the system). Who cannot see the survey gets 404, who can but may not act, 403."""
    if actor is None:
        return
    membership = membership_of(actor)
    if membership is None:
        raise Http404("No such survey.")
    if survey.program_id is None:
        if not membership.is_staff_role:
            raise Forbidden(_REFUSALS[TEMPLATE_VIEW])
    elif not (membership.is_staff_role and program_policy.manages(membership, survey.program_id)):
        raise Http404("No such survey.")
    survey_access(membership, survey).require(permission)


def require_template(actor: User | None, permission: str) -> None:
    """For services on the organisation's template library as a whole (create, install)."""
    if actor is None:
        return
    membership = membership_of(actor)
    if membership is None:
        raise Http404("No such survey.")
    template_access(membership).require(permission)


def invitation_access(actor: User | None, invitation: SurveyInvitation) -> Access:
    """The invitation's own person may answer it while it is open; nobody else ever may."""
    granted: set[str] = set()
    person_user = invitation.enrollment.person.user_id
    is_own = actor is not None and person_user == actor.pk
    if is_own and invitation.status in OPEN_INVITATION_STATUSES:
        granted.add(ANSWER)
    return Access.of(granted, _REFUSALS)


def require_answer(actor: User | None, invitation: SurveyInvitation) -> None:
    """For the answering service. A signed link stands for its person (``actor`` is then that
    person's user, or None when the person has no account yet: the link is the credential, as for
    a check-in); the service checks the wave is open and refuses a second answer itself."""
    if actor is None:
        return
    if invitation.enrollment.person.user_id != actor.pk:
        raise Forbidden(_REFUSALS[ANSWER])
