"""The bare-DRF baseline's table: ``organizations.Membership``'s columns without tenancy.

``bench/seed.py`` copies the benchmarked organisation's memberships into ``bench_bare_membership``
(a plain table: no tenant manager, no row-level security policy), so the baseline list
(``bench/urls.py``: ``/bench/drf-members/``) reads the same rows, joins the same users and
serializes the same fields as the tenant API's member list, without the organisation scope, the
token, the membership check or the throttle. The table exists only in the bench database; the
model is unmanaged and the app is installed by ``bench.settings`` alone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models


class BareMembership(models.Model):
    objects: ClassVar[models.Manager[BareMembership]] = models.Manager()
    user_id: int

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    organization_id = models.BigIntegerField()
    role = models.CharField(max_length=20)
    all_programs = models.BooleanField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        app_label = "bench"
        db_table = "bench_bare_membership"

    def __str__(self) -> str:
        return f"{self.user_id} as {self.role}"
