"""Provisioning tokens: made, listed and revoked by admins (``participants.scim.access``); looked
up by the SCIM endpoint inside the organisation's scope (another organisation's token does not
exist there)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.text import check_single_line
from organizations.audit import log_action
from organizations.models import Membership, hash_secret
from organizations.scope import require_organization_id
from participants.models import ScimToken
from participants.scim.access import MANAGE, scim_access

LAST_USED_EVERY = timedelta(minutes=1)


def list_tokens(*, actor: Membership) -> QuerySet[ScimToken]:
    scim_access(actor).require(MANAGE)
    return ScimToken.objects.select_related("created_by").order_by("-created_at", "-id")


def create_token(*, actor: Membership, name: str) -> tuple[ScimToken, str]:
    """A new token; the key is returned once and only its hash is kept."""
    scim_access(actor).require(MANAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the token after the identity provider that uses it."})
    if len(name) > 100:
        raise ValidationError({"name": "Use at most 100 characters."})
    check_single_line("name", name)
    key = ScimToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ScimToken.objects.create(
            organization_id=require_organization_id(),
            name=name,
            key_hash=hash_secret(key),
            key_prefix=key[: len(ScimToken.PREFIX) + 4],
            created_by=actor.user,
        )
        log_action(actor=actor.user, action="scim.token_created", target=token, data={"name": name})
    return token, key


def revoke_token(*, actor: Membership, token_id: int) -> ScimToken:
    scim_access(actor).require(MANAGE)
    token = get_object_or_404(ScimToken.objects.filter(revoked_at__isnull=True), pk=token_id)
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(
            actor=actor.user, action="scim.token_revoked", target=token, data={"name": token.name}
        )
    return token


def token_for_key(key: str) -> ScimToken | None:
    """The live token with this key in the organisation in scope; its last use noted (at most
    once a minute)."""
    token = (
        ScimToken.objects.select_related("created_by")
        .filter(key_hash=hash_secret(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
