"""Django admin for platform operators. The middleware runs /platform-admin/ inside
dangerously_unscoped() for staff users (one of the sanctioned uses of the escape hatch)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from organizations.models import AuditEntry, Invitation, Membership, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active", "created_at")
    search_fields = ("name", "slug")
    list_filter = ("is_active",)


class UnscopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.dangerously_unscoped_objects.all()


@admin.register(Membership)
class MembershipAdmin(UnscopedAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(UnscopedAdmin):
    list_display = (
        "email",
        "organization",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("organization",)
    search_fields = ("email",)
    readonly_fields = ("token_hash",)


@admin.register(AuditEntry)
class AuditEntryAdmin(UnscopedAdmin):
    list_display = ("created_at", "organization", "actor", "action", "object_type", "object_id")
    list_filter = ("organization", "action")

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        # Private entries (a private note's events) are their actor's alone; operators of the
        # site are not the actor of any of them.
        return super().get_queryset(request).filter(private=False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
