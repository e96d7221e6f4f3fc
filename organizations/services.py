"""Writes on organisations: keyword-only, typed, atomic, validated, audited.

Views, API, tasks and admin call these; none of them saves organisation models itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.text import check_single_line
from organizations import mail
from organizations.access import MANAGE as TOKENS_MANAGE
from organizations.access import MEMBERSHIP_SCOPE, organization_access, token_access
from organizations.audit import log_action
from organizations.models import (
    ApiToken,
    Invitation,
    Membership,
    Organization,
    Role,
    TokenScope,
    hash_secret,
)
from organizations.scope import tenant_scope
from organizations.selectors import membership_of


def organization_create(*, name: str, slug: str, admin: User) -> Organization:
    """Create an organisation with its first admin (platform operation)."""
    organization = Organization(name=name.strip(), slug=slug.strip().lower())
    organization.full_clean()
    with transaction.atomic():
        organization.save()
        with tenant_scope(organization):
            Membership.objects.create(organization=organization, user=admin, role=Role.ADMIN)
            log_action(actor=admin, action="organization.created", target=organization)
    return organization


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    return email


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})


def invitation_url(*, organization: Organization, token: str) -> str:
    path = reverse("invitation_accept", kwargs={"org_slug": organization.slug, "token": token})
    return settings.SITE_URL + path


def _send_invitation_email(invitation: Invitation, organization: Organization, token: str) -> None:
    """Essential mail (an account invitation): branded, no unsubscribe link."""
    context = {
        "organization": organization,
        "invitation": invitation,
        "accept_url": invitation_url(organization=organization, token=token),
        "inviter": invitation.invited_by,
    }
    mail.send(
        mail.Notification(
            organization=organization,
            to=invitation.email,
            subject=mail.prefixed(f"You are invited to {organization.name}"),
            text_template="organizations/email/invitation.txt",
            context=context,
        )
    )


def invitation_create(
    *, organization: Organization, actor: User, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite a person by email. Returns the invitation and the one-time token (sent by email)."""
    email = _normalise_email(email)
    _check_role(role)
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the organisation."})
    if Invitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {"email": "This address already has an open invitation; revoke it or resend it."}
        )
    token = Invitation.new_token()
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=hash_secret(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.FLIPSIDE_INVITATION_DAYS),
    )
    try:
        with transaction.atomic():
            invitation.save()
            log_action(
                actor=actor,
                action="invitation.created",
                target=invitation,
                data={"email": email, "role": role},
            )
    except IntegrityError:
        raise ValidationError(
            {"email": "This address already has an open invitation; revoke it or resend it."}
        ) from None
    transaction.on_commit(lambda: _send_invitation_email(invitation, organization, token))
    return invitation, token


def invitation_resend(*, organization: Organization, actor: User, invitation: Invitation) -> str:
    """Issue a fresh link (the old one stops working) with a fresh expiry, and email it again."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("Only an open invitation can be resent.")
    token = Invitation.new_token()
    with transaction.atomic():
        invitation.token_hash = hash_secret(token)
        invitation.expires_at = timezone.now() + timedelta(days=settings.FLIPSIDE_INVITATION_DAYS)
        invitation.save(update_fields=["token_hash", "expires_at"])
        log_action(actor=actor, action="invitation.resent", target=invitation)
    transaction.on_commit(lambda: _send_invitation_email(invitation, organization, token))
    return token


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted.")
    if invitation.revoked_at:
        return invitation
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log_action(actor=actor, action="invitation.revoked", target=invitation)
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of the scoped organisation that this token opens, whatever its state."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.filter(token_hash=hash_secret(token)).first()


def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept an invitation: one use, before expiry, by the person it was sent to."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=hash_secret(token)).first()
        )
        if invitation is None or invitation.revoked_at:
            raise ValidationError("This invitation link is not valid. Ask for a new invitation.")
        if invitation.accepted_at:
            raise ValidationError("This invitation has already been used.")
        if invitation.expires_at <= timezone.now():
            raise ValidationError("This invitation has expired. Ask for a new invitation.")
        if invitation.email.lower() != user.email.lower():
            raise ValidationError(
                f"This invitation was sent to {invitation.email}. Sign in with that address to accept it."
            )
        membership, created = Membership.objects.get_or_create(
            user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        log_action(
            actor=user,
            action="invitation.accepted",
            target=invitation,
            data={"membership_created": created, "role": membership.role},
        )
    return membership


def membership_join(*, organization: Organization, user: User, via: str) -> Membership:
    """Make ``user`` a member (role member) unless they are one already; ``via`` says what proved
    their address (a program invitation's link). Audited when a membership is created."""
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": Role.MEMBER}
        )
        if created:
            log_action(
                actor=user,
                action="membership.joined",
                target=membership,
                data={"via": via, "role": membership.role},
            )
    return membership


def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _check_role(role)
    with transaction.atomic():
        if membership.role == Role.ADMIN and role != Role.ADMIN:
            _ensure_another_admin(membership)
        previous = membership.role
        membership.role = role
        data: dict[str, object] = {"from": previous, "to": role}
        if role != Role.COORDINATOR and membership.all_programs:
            # Org-wide belongs to the coordinator role: a coordinator made admin and later made
            # coordinator again starts with their assigned programs only.
            membership.all_programs = False
            data["all_programs"] = {"from": True, "to": False}
        membership.save(update_fields=["role", "all_programs"])
        log_action(actor=actor, action="membership.role_changed", target=membership, data=data)
    return membership


def membership_set_all_programs(
    *, actor: User, membership: Membership, all_programs: bool
) -> Membership:
    """Make a coordinator org-wide (they coordinate every program of the organisation,
    ``programs.access``) or bring them back to their assigned programs. Admins only."""
    organization_access(membership_of(actor)).require(MEMBERSHIP_SCOPE)
    if all_programs and membership.role != Role.COORDINATOR:
        raise ValidationError(
            {"all_programs": "Only a coordinator can coordinate every program (admins already do)."}
        )
    if membership.all_programs == all_programs:
        return membership
    with transaction.atomic():
        membership.all_programs = all_programs
        membership.save(update_fields=["all_programs"])
        log_action(
            actor=actor,
            action="membership.all_programs_changed",
            target=membership,
            data={"from": not all_programs, "to": all_programs},
        )
    return membership


def membership_remove(*, actor: User, membership: Membership) -> None:
    with transaction.atomic():
        if membership.role == Role.ADMIN:
            _ensure_another_admin(membership)
        log_action(
            actor=actor,
            action="membership.removed",
            target=membership,
            data={"user": membership.user.email, "role": membership.role},
        )
        membership.delete()


def _ensure_another_admin(membership: Membership) -> None:
    admins = (
        Membership.objects.select_for_update().filter(role=Role.ADMIN).exclude(pk=membership.pk)
    )
    if not admins.exists():
        raise ValidationError({"role": "An organisation needs at least one admin."})


def api_token_create(
    *,
    organization: Organization,
    user: User,
    name: str,
    scope: str = TokenScope.READ_WRITE,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for this organisation only. The key is shown once and stored as a hash.

    ``scope``: ``read`` tokens may only read (a write method is a 403); ``expires_at``: after it the
    token is refused (401); None means until revoked.
    ``user`` must hold the token policy's ``manage`` (``organizations.access``): staff only."""
    membership = Membership.objects.filter(organization=organization, user=user).first()
    token_access(membership).require(TOKENS_MANAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the integration that uses it."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    check_single_line("name", name)
    if scope not in TokenScope.values:
        raise ValidationError({"scope": "Choose read only or read and write."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "Choose a time in the future, or no expiry."})
    key = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=organization,
            user=user,
            name=name,
            key_hash=hash_secret(key),
            key_prefix=key[:10],
            scope=scope,
            expires_at=expires_at,
        )
        log_action(
            actor=user,
            action="api_token.created",
            target=token,
            data={
                "name": name,
                "scope": scope,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    if token.revoked_at:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor=actor, action="api_token.revoked", target=token, data={"name": token.name})
