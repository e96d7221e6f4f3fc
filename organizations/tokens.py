"""The API tokens page's use cases: each asks the token policy (``organizations.access``) first."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations import selectors, services
from organizations.access import MANAGE, token_access
from organizations.models import ApiToken, Membership, TokenScope


def list_tokens(*, actor: Membership) -> QuerySet[ApiToken]:
    """The actor's own tokens in this organisation."""
    token_access(actor).require(MANAGE)
    return selectors.api_token_list(user=actor.user)


def create_token(
    *,
    actor: Membership,
    name: str,
    scope: str = TokenScope.READ_WRITE,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    token_access(actor).require(MANAGE)
    return services.api_token_create(
        organization=actor.organization,
        user=actor.user,
        name=name,
        scope=scope,
        expires_at=expires_at,
    )


def revoke_token(*, actor: Membership, token_id: int) -> ApiToken:
    """Revoke one of the actor's tokens (another person's token is a 404)."""
    token_access(actor).require(MANAGE)
    token = get_object_or_404(selectors.api_token_list(user=actor.user), pk=token_id)
    services.api_token_revoke(actor=actor.user, token=token)
    return token
