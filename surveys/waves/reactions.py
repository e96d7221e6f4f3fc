"""How the waves follow changes made elsewhere (connected in ``SurveysConfig.ready``).

Invitations are planned from the program's dates and time zone, the enrolments' status, the pairs
(mid wave) and the survey's questions and settings; each change re-plans what it touches once it
commits, in the changed object's organisation:

- ``programs.hooks.schedule_changed(program)``: every survey of the program, in a task;
- ``participants.signals.enrollment_status_changed(enrollment)``: that person's invitations;
- ``matching.signals.pair_changed(pair)`` / ``pairs_published``: the pair's people (mid wave);
- ``surveys.signals.program_survey_changed(survey)``: that survey's invitations, in a task.

A failure of an inline re-plan is logged, not raised: the change itself is committed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from matching.models import Pair
from matching.signals import pair_changed, pairs_published
from organizations.scope import tenant_scope
from organizations.tasks import enqueue_on_commit
from participants.models import Enrollment
from participants.signals import enrollment_status_changed
from programs.hooks import schedule_changed
from programs.models import Program
from surveys.models import Survey
from surveys.signals import program_survey_changed
from surveys.waves.planning import plan_enrollments
from surveys.waves.tasks import plan_program_surveys, plan_survey_invitations

logger = logging.getLogger(__name__)


@receiver(schedule_changed, dispatch_uid="surveys.replan_program")
def replan_program(sender: type, *, program: Program, **kwargs: Any) -> None:
    enqueue_on_commit(
        plan_program_surveys, organization_id=program.organization_id, program_id=program.pk
    )


@receiver(program_survey_changed, dispatch_uid="surveys.replan_survey")
def replan_survey(sender: type, *, survey: Survey, **kwargs: Any) -> None:
    if survey.program_id is not None:
        enqueue_on_commit(
            plan_survey_invitations, organization_id=survey.organization_id, survey_id=survey.pk
        )


def _replan_people_on_commit(organization_id: int, program_id: int, ids: list[int]) -> None:
    def replan() -> None:
        with tenant_scope(organization_id):
            program = Program.objects.filter(pk=program_id).first()
            if program is not None:
                plan_enrollments(program, ids)

    transaction.on_commit(replan, robust=True)


@receiver(enrollment_status_changed, dispatch_uid="surveys.replan_enrollment")
def replan_enrollment(sender: type, *, enrollment: Enrollment, **kwargs: Any) -> None:
    _replan_people_on_commit(enrollment.organization_id, enrollment.program_id, [enrollment.pk])


@receiver(pair_changed, dispatch_uid="surveys.replan_pair")
def replan_pair(sender: type, *, pair: Pair, **kwargs: Any) -> None:
    _replan_people_on_commit(
        pair.organization_id, pair.program_id, [pair.mentor_id, pair.mentee_id]
    )


@receiver(pairs_published, dispatch_uid="surveys.plan_published")
def plan_published(
    sender: type, *, organization_id: int, pair_ids: list[int], **kwargs: Any
) -> None:
    def replan() -> None:
        with tenant_scope(organization_id):
            by_program: dict[int, list[int]] = {}
            for program_id, mentor_id, mentee_id in Pair.objects.filter(
                pk__in=pair_ids
            ).values_list("program_id", "mentor_id", "mentee_id"):
                by_program.setdefault(program_id, []).extend([mentor_id, mentee_id])
            for program in Program.objects.filter(pk__in=list(by_program)):
                plan_enrollments(program, by_program[program.pk])

    transaction.on_commit(replan, robust=True)
