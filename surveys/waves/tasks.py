"""Re-planning tasks (many invitations at once: off the request). Imported by
``SurveysConfig.ready`` so the worker knows them."""

from __future__ import annotations

from celery import shared_task

from organizations.tasks import TenantTask


@shared_task(base=TenantTask, name="surveys.plan_program_surveys", ignore_result=True)
def plan_program_surveys(*, program_id: int) -> None:
    """Re-plan every survey of the program after its dates or time zone changed."""
    from programs.models import Program
    from surveys.waves.planning import plan_program

    program = Program.objects.filter(pk=program_id).first()
    if program is not None:
        plan_program(program)


@shared_task(base=TenantTask, name="surveys.plan_survey", ignore_result=True)
def plan_survey_invitations(*, survey_id: int) -> None:
    """Re-plan one program survey after it was created or changed (questions, settings)."""
    from surveys.models import Survey
    from surveys.waves.planning import plan_survey

    survey = Survey.objects.filter(pk=survey_id, program__isnull=False).first()
    if survey is not None:
        plan_survey(survey)
