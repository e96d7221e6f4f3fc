from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.fields import OneLineCharField
from organizations.tenancy import TenantModel

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1 to 50 lowercase letters, digits and hyphens, not starting or ending with a hyphen.",
)


class Organization(models.Model):
    """The tenant: one client organisation running reverse mentoring programs."""

    name = OneLineCharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    is_active = models.BooleanField(default=True)
    min_aggregate_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text="Aggregates over fewer respondents than this are suppressed.",
    )
    # Named grades, lowest first (e.g. ["Associate", "Senior", "Manager", "Director", "VP"]); empty
    # means plain numbers 1-10. People's levels are stored as numbers either way.
    level_labels = models.JSONField(default=list, blank=True)
    # Optional, consented self-reported demographics: {"generation": ["Gen Z", ...], ...}.
    demographic_options = models.JSONField(default=dict, blank=True)
    # The organisation's own time zone: dates of organisation-wide things (the audit log, emails
    # that belong to no program) are shown in it. Programs and people keep their own.
    time_zone = models.CharField(max_length=64, default="UTC")
    # Branding, shown in pages and emails: an accent colour ("#1f6feb"; empty = the product's own)
    # and a logo (``OrganizationLogo``, kept apart so the organisation row stays small).
    brand_colour = models.CharField(
        max_length=7,
        blank=True,
        validators=[
            RegexValidator(
                r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f6feb (# and six hex digits)."
            )
        ],
    )
    # Every member must have a second factor (allauth MFA) before using the organisation.
    require_mfa = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    COORDINATOR = "coordinator", "Coordinator"
    MEMBER = "member", "Member"


# Admins and coordinators run programs; members take part in them.
STAFF_ROLES: tuple[str, ...] = (Role.ADMIN, Role.COORDINATOR)


class Membership(TenantModel):
    """A user's place in an organisation, with the role that decides what they may do there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    # A coordinator who coordinates every program of the organisation (an org-wide coordinator),
    # not only the programs assigned to them. Meaningless for other roles.
    all_programs = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        constraints = [
            models.UniqueConstraint(fields=("organization", "user"), name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organization_id} as {self.role}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff_role(self) -> bool:
        """Admins and coordinators run programs; members take part in them."""
        return self.role in STAFF_ROLES


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(TenantModel):
    """An invitation by email to join an organisation: one use, expires. Only its hash is stored."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class OrganizationLogo(TenantModel):
    """An organisation's logo (PNG, JPEG or SVG, small), stored in the database so that every web
    and worker machine serves and mails the same bytes without a shared media volume."""

    content = models.BinaryField()
    content_type = models.CharField(max_length=50)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organization",), name="organization_logo_unique")
        ]

    def __str__(self) -> str:
        return f"logo of {self.organization_id}"


class AuditEntry(TenantModel):
    """Who did what to which object, when. Written by services; never edited.

    A ``private`` entry is about something only its actor may know exists (a private note of a
    pair, ``feedback/visibility.py``): it is kept like any other, but every reader of the log (the
    audit page, its API, the admin) shows it to its actor alone, so that the log does not tell
    staff what the visibility policy hides from them.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    private = models.BooleanField(
        default=False, help_text="Shown to its actor only (e.g. a private note's events)."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=("organization", "-created_at"), name="audit_org_created")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class TokenScope(models.TextChoices):
    """What a token may do: read-only tokens are refused (403) on every write method."""

    READ = "read", "Read only"
    READ_WRITE = "read_write", "Read and write"


class ApiToken(TenantModel):
    """A personal API token that works in exactly one organisation. Only its hash is stored."""

    PREFIX = "fs_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = OneLineCharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(
        max_length=10, choices=TokenScope.choices, default=TokenScope.READ_WRITE
    )
    # None: the token works until it is revoked.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class IdempotencyRecord(TenantModel):
    """The first result of an API POST sent with an ``Idempotency-Key`` (``organizations.idempotency``).

    One row per organisation, caller (a token's key hash or a signed-in user) and key; a repeat
    within ``idempotency.KEEP_FOR`` gets the stored response instead of running again. Rows older
    than that are purged hourly (``organizations.purge_idempotency_records``).
    """

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"

    caller = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "caller", "key"], name="idempotency_once_per_caller_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
