"""Retention: each organisation's rules for how long it keeps each kind of data, what they would
delete today (the admin's dry-run preview), and the nightly sweep that deletes it.

Kinds (each off until the admin sets a number of months; ``privacy.models.RetentionPolicy``):

- ``pair_notes``: a pair's notes (shared and private) and the shared notes of its sessions
  (``learned``, ``action_items``), N months after the program's end date once it is closed. The
  sessions themselves stay (their facts are counted);
- ``survey_text``: free-text survey answers, M months after the survey's last invitation closed
  (numbers and choices stay: aggregates keep their respondents);
- ``check_in_text``: check-in blockers, months after the answer (ratings stay);
- ``audit``: audit entries older than K months.

The sweep is idempotent (it deletes what is due; run again, it finds nothing) and every run that
deletes leaves one audit entry with the counts per kind (a run with a rule set and nothing due
leaves one too, so the log shows the rules were enforced).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Any

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from feedback.models import CheckIn, Note, SessionLog
from organizations.audit import log_action
from organizations.models import AuditEntry, Organization
from organizations.scope import dangerously_unscoped
from organizations.tasks import TenantTask
from privacy import access
from privacy.models import RetentionPolicy
from programs.models import ProgramStatus
from surveys.models import Survey, SurveyAnswer

RULES: tuple[tuple[str, str], ...] = (
    ("pair_notes_months", "Pair notes, months after the program closed"),
    ("survey_text_months", "Survey free-text answers, months after the survey closed"),
    ("check_in_text_months", "Check-in blockers, months after the answer"),
    ("audit_months", "Audit entries, months after they were written"),
)
KINDS: dict[str, str] = {
    "pair_notes": "Pair notes",
    "session_notes": "Shared notes of sessions",
    "survey_text": "Free-text survey answers",
    "check_in_text": "Check-in blockers",
    "audit_entries": "Audit entries",
}
MAX_MONTHS = 240


def months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def current_policy() -> RetentionPolicy | None:
    return RetentionPolicy.objects.first()


def _parse_months(name: str, value: Any, errors: dict[str, list[str]]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors[name] = ["Give a whole number of months, or leave it empty to keep the data."]
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[name] = ["Give a whole number of months, or leave it empty to keep the data."]
        return None
    if not 1 <= number <= MAX_MONTHS:
        errors[name] = [f"Give between 1 and {MAX_MONTHS} months, or leave it empty."]
        return None
    return number


def retention_update(
    *, organization: Organization, actor: User | None, values: dict[str, Any]
) -> RetentionPolicy:
    """Set the rules (each a number of months, or empty to keep). Admin only; audited."""
    access.require_admin_user(actor)
    errors: dict[str, list[str]] = {}
    unknown = set(values) - {name for name, _label in RULES}
    if unknown:
        errors["__all__"] = [f"Unknown rule: {', '.join(sorted(map(str, unknown)))}."]
    parsed = {name: _parse_months(name, values.get(name), errors) for name, _label in RULES}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(
            organization=organization
        )
        before = {name: getattr(policy, name) for name, _label in RULES}
        for name, number in parsed.items():
            setattr(policy, name, number)
        policy.updated_by = actor
        policy.updated_at = timezone.now()
        policy.save()
        log_action(
            actor=actor,
            action="privacy.retention_updated",
            target=policy,
            data={"before": before, "after": parsed},
        )
    return policy


def due(policy: RetentionPolicy | None, now: datetime | None = None) -> dict[str, QuerySet[Any]]:
    """What the rules would delete (or empty) now, per kind."""
    if policy is None:
        return {}
    today = (now or timezone.now()).date()  # stored in UTC
    found: dict[str, QuerySet[Any]] = {}
    if policy.pair_notes_months:
        cutoff = months_before(today, policy.pair_notes_months)
        closed = Q(pair__program__status=ProgramStatus.CLOSED, pair__program__end_date__lt=cutoff)
        found["pair_notes"] = Note.objects.filter(closed)
        found["session_notes"] = SessionLog.objects.filter(closed).filter(
            ~Q(learned="") | ~Q(action_items="")
        )
    if policy.survey_text_months:
        cutoff = months_before(today, policy.survey_text_months)
        closed_surveys = (
            Survey.objects.annotate(last_close=Max("invitations__closes_on"))
            .filter(last_close__lt=cutoff)
            .values("id")
        )
        found["survey_text"] = SurveyAnswer.objects.filter(
            response__survey_id__in=closed_surveys
        ).exclude(text="")
    if policy.check_in_text_months:
        cutoff = months_before(today, policy.check_in_text_months)
        found["check_in_text"] = CheckIn.objects.filter(answered_at__date__lt=cutoff).exclude(
            blockers=""
        )
    if policy.audit_months:
        cutoff = months_before(today, policy.audit_months)
        found["audit_entries"] = AuditEntry.objects.filter(created_at__date__lt=cutoff)
    return found


def preview(now: datetime | None = None) -> dict[str, int]:
    """The dry run: how many of each kind the rules would delete now (the admin's page)."""
    return {kind: queryset.count() for kind, queryset in due(current_policy(), now).items()}


def sweep(*, actor: User | None = None, now: datetime | None = None) -> dict[str, int] | None:
    """Enforce the scoped organisation's rules now; the counts per kind (``None``: no rules).
    Idempotent. Audited."""
    access.require_admin_user(actor)
    policy = current_policy()
    if policy is None or not any(getattr(policy, name) for name, _label in RULES):
        return None
    counts: dict[str, int] = {}
    with transaction.atomic():
        for kind, queryset in due(policy, now).items():
            if kind == "session_notes":
                counts[kind] = queryset.update(learned="", action_items="")
            elif kind == "survey_text":
                counts[kind] = queryset.update(text="")
            elif kind == "check_in_text":
                counts[kind] = queryset.update(blockers="")
            else:
                counts[kind] = queryset.delete()[0]
        log_action(actor=actor, action="privacy.retention_run", target=policy, data=counts)
    return counts


@shared_task(base=TenantTask, name="privacy.retention_sweep_organization", ignore_result=True)
def retention_sweep_organization() -> dict[str, int] | None:
    return sweep()


@shared_task(name="privacy.retention_sweep", ignore_result=True)
def retention_sweep() -> int:
    """Beat, nightly: queue one sweep per organisation that has retention rules."""
    with dangerously_unscoped():
        organization_ids = sorted(
            set(
                RetentionPolicy.dangerously_unscoped_objects.values_list(
                    "organization_id", flat=True
                )
            )
        )
    for organization_id in organization_ids:
        retention_sweep_organization.apply_async(kwargs={"organization_id": organization_id})
    return len(organization_ids)
