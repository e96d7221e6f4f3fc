from __future__ import annotations

from typing import Any

from django.db import models

from organizations.models import AuditEntry
from organizations.scope import require_organization_id


def log_action(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    private: bool = False,
) -> AuditEntry:
    """Record an audit entry in the current organisation. Services call this for every write.

    ``private``: the write is about something only the actor may know exists (a private note);
    readers of the log show the entry to the actor alone (``selectors.audit_entry_list``).
    """
    return AuditEntry.objects.create(
        organization_id=require_organization_id(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
        private=private,
    )
