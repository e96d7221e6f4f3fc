"""Offboarding: delete every row of one organisation (platform operators only, never a request).

Every tenant table (``organizations.tenancy.tenant_models()``, so a model added later is covered
without a change here) loses the organisation's rows, then the organisation itself goes. Files
that rows point at (export files) are deleted first. Sign-in accounts are global: those that
belonged to this organisation only (and are not platform operators) are deleted; accounts that
belong to another organisation stay. ``tests/privacy/test_offboarding.py`` builds an organisation
with a row in every tenant table and counts each table afterwards.

Rows go with one ``DELETE … WHERE organization_id = …`` per table inside one transaction: the
foreign keys are checked at commit (Django makes them ``DEFERRABLE INITIALLY DEFERRED``), so the
order does not matter and no row is loaded. This is the one raw write to tenant tables; it skips
``organizations.changes`` on purpose (there is no organisation left to refresh figures for). The
platform's log (not the organisation's audit log, which goes too) records the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import connection, transaction

from accounts.models import User
from dashboards.models import ExportJob
from organizations.models import Membership, Organization
from organizations.scope import dangerously_unscoped
from organizations.tenancy import tenant_models
from privacy.models import PersonExport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OffboardingPlan:
    organization: Organization
    rows: dict[str, int]  # table label → rows of this organisation
    accounts: list[int]  # ids of the accounts that belong to this organisation only
    files: list[str]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def plan(organization: Organization) -> OffboardingPlan:
    """What offboarding would delete (the dry run)."""
    with dangerously_unscoped():
        rows = {
            model._meta.label: model.dangerously_unscoped_objects.filter(
                organization_id=organization.pk
            ).count()
            for model in sorted(tenant_models(), key=lambda model: model._meta.label)
        }
        members = set(
            Membership.dangerously_unscoped_objects.filter(
                organization_id=organization.pk
            ).values_list("user_id", flat=True)
        )
        elsewhere = set(
            Membership.dangerously_unscoped_objects.filter(user_id__in=members)
            .exclude(organization_id=organization.pk)
            .values_list("user_id", flat=True)
        )
        operators = set(
            User.objects.filter(pk__in=members).filter(is_staff=True).values_list("id", flat=True)
        ) | set(User.objects.filter(pk__in=members, is_superuser=True).values_list("id", flat=True))
        files = [
            *ExportJob.dangerously_unscoped_objects.filter(organization_id=organization.pk)
            .exclude(file="")
            .values_list("file", flat=True),
            *PersonExport.dangerously_unscoped_objects.filter(organization_id=organization.pk)
            .exclude(file="")
            .values_list("file", flat=True),
        ]
    return OffboardingPlan(
        organization=organization,
        rows=rows,
        accounts=sorted(members - elsewhere - operators),
        files=[str(name) for name in files],
    )


def offboard(organization: Organization) -> OffboardingPlan:
    """Delete the organisation and all its rows; the accounts that were only its. Returns the plan
    that was carried out."""
    done = plan(organization)
    with dangerously_unscoped(), transaction.atomic():
        with connection.cursor() as cursor:
            for model in tenant_models():
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608 (table names from our models)
                    "WHERE organization_id = %s",
                    [organization.pk],
                )
        Organization.objects.filter(pk=organization.pk).delete()
        for user in User.objects.filter(pk__in=done.accounts):
            user.delete()  # collects its global rows (sessions, email addresses, MFA)
        transaction.on_commit(lambda: _delete_files(done.files))
    logger.warning(
        "offboarded organisation %s (%s): %s rows, %s accounts",
        organization.pk,
        organization.slug,
        done.total_rows,
        len(done.accounts),
    )
    return done


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
