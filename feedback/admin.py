"""Django admin for platform operators: the touchpoint schedule, read outside any organisation."""

from __future__ import annotations

from django.contrib import admin

from feedback.models import Touchpoint
from organizations.admin import UnscopedAdmin


@admin.register(Touchpoint)
class TouchpointAdmin(UnscopedAdmin):
    list_display = ("kind", "organization", "due_at", "status", "attempts")
    list_filter = ("status", "kind", "organization")
