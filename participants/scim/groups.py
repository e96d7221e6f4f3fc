"""SCIM Group resources ↔ directory groups: the representation, the filter, PATCH operations.

==================================  ===========================================
SCIM                                directory ``DirectoryGroup``
==================================  ===========================================
``displayName``                     ``display_name`` (unique, case-insensitive)
``externalId``                      ``external_id``
``members[].value`` (a User ``id``) its members (``DirectoryGroupMember``)
==================================  ===========================================

PATCH reads the group into a *state* (name, external id, member ids), applies the operations in
order, and the state is written once (``participants.groups``), so a request either changes
everything it asks or nothing. Both dialects are read: Okta's (``path`` with ``members[value eq
"…"]``, a path-less ``replace`` of ``{"id", "displayName"}``) and Entra ID's (capitalised ops,
``remove`` of ``members`` with a value list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from participants.models import DirectoryGroup, Person
from participants.scim.resources import PATCH_OP, ScimError, invalid

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass
class GroupState:
    display_name: str
    external_id: str
    members: set[int] = field(default_factory=set)


def group_resource(
    group: DirectoryGroup,
    location: str,
    members: list[Person] | None,
    user_location: Any,
) -> dict[str, Any]:
    """The Group; ``members`` None leaves them out (``excludedAttributes=members``)."""
    resource: dict[str, Any] = {
        "schemas": [GROUP],
        "id": str(group.pk),
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group",
            "created": group.created_at.isoformat(),
            "lastModified": group.updated_at.isoformat(),
            "location": location,
            "version": f'W/"{int(group.updated_at.timestamp() * 1_000_000)}"',
        },
    }
    if group.external_id:
        resource["externalId"] = group.external_id
    if members is not None:
        resource["members"] = [
            {
                "value": str(person.pk),
                "display": person.full_name,
                "type": "User",
                "$ref": user_location(person),
            }
            for person in members
        ]
    return resource


def _text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string.")
    return value


def _member_id(item: Any) -> int:
    value = item.get("value") if isinstance(item, dict) else item
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.isdigit() or len(value) > 18:
        raise invalid("Each member needs a value: the id of a User.")
    return int(value)


def member_ids_from(value: Any) -> set[int]:
    if value is None:
        return set()
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise invalid("members must be a list of objects with a value.")
    return {_member_id(item) for item in value}


def state_from_resource(resource: Any) -> GroupState:
    """A whole Group (POST, PUT)."""
    if not isinstance(resource, dict):
        raise ScimError(400, "The body must be a SCIM Group object.", "invalidSyntax")
    schemas = resource.get("schemas")
    if not isinstance(schemas, list) or GROUP not in schemas:
        raise ScimError(400, f"schemas must include {GROUP}.", "invalidSyntax")
    name = _text("displayName", resource.get("displayName"))
    if not name.strip():
        raise invalid("displayName is required.")
    return GroupState(
        display_name=name,
        external_id=_text("externalId", resource.get("externalId")),
        members=member_ids_from(resource.get("members")),
    )


_MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"?(\d{1,18})"?\s*\]$', re.IGNORECASE)


def _apply_to_members(state: GroupState, op: str, path: str, value: Any) -> None:
    selected = _MEMBER_FILTER.match(path)
    if selected is not None:
        if op != "remove":
            raise ScimError(400, f"Only remove takes the path {path}.", "invalidPath")
        state.members.discard(int(selected[1]))
        return
    if op == "add":
        state.members |= member_ids_from(value)
    elif op == "replace":
        state.members = member_ids_from(value)
    elif value is None:  # remove of "members" without a value: every member
        state.members = set()
    else:
        state.members -= member_ids_from(value)


def _apply_object(state: GroupState, value: Any) -> None:
    if not isinstance(value, dict):
        raise invalid("An operation without a path needs an object value.")
    for key, item in value.items():
        lowered = key.lower()
        if lowered == "displayname":
            state.display_name = _text("displayName", item)
        elif lowered == "externalid":
            state.external_id = _text("externalId", item)
        elif lowered == "members":
            state.members |= member_ids_from(item)
        elif lowered in ("id", "schemas", "meta"):
            continue  # Okta sends the id it already knows; nothing to change
        else:
            raise ScimError(400, f"Unsupported attribute: {key}.", "invalidPath")


def apply_patch(state: GroupState, body: Any) -> GroupState:
    """``state`` changed by a PatchOp body's operations, in order."""
    if not isinstance(body, dict) or PATCH_OP not in (body.get("schemas") or []):
        raise ScimError(400, f"schemas must be [{PATCH_OP}].", "invalidSyntax")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    changed = GroupState(state.display_name, state.external_id, set(state.members))
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unsupported op: {operation.get('op')!r}.", "invalidSyntax")
        path, value = operation.get("path"), operation.get("value")
        if path is None:
            if op == "remove":
                raise ScimError(400, "remove needs a path.", "noTarget")
            _apply_object(changed, value)
            continue
        if not isinstance(path, str) or not path.strip():
            raise ScimError(400, "path must be a non-empty string.", "invalidPath")
        lowered = path.strip().lower().removeprefix(GROUP.lower() + ":")
        if lowered.startswith("members"):
            _apply_to_members(changed, op, lowered, value)
        elif lowered == "displayname":
            if op == "remove":
                raise ScimError(400, "displayName cannot be removed.", "mutability")
            changed.display_name = _text("displayName", value)
        elif lowered == "externalid":
            changed.external_id = "" if op == "remove" else _text("externalId", value)
        else:
            raise ScimError(400, f"Unsupported path: {path}.", "invalidPath")
    if not changed.display_name.strip():
        raise invalid("displayName is required.")
    return changed


_FILTER = re.compile(r'^\s*(displayName|externalId|id)\s+eq\s+"(.*)"\s*$', re.IGNORECASE)


def filtered(groups: QuerySet[DirectoryGroup], expression: str) -> QuerySet[DirectoryGroup]:
    """``displayName eq "…"``, ``externalId eq "…"``, ``id eq "…"``: what identity providers ask
    before creating a group. Anything else is ``invalidFilter``."""
    match = _FILTER.match(expression or "")
    if match is None:
        raise ScimError(400, f"Unsupported filter: {expression}", "invalidFilter")
    attribute, value = match[1].lower(), match[2].replace('\\"', '"')
    if attribute == "displayname":
        return groups.filter(display_name__iexact=value)
    if attribute == "externalid":
        return groups.filter(external_id=value)
    return groups.filter(pk=int(value)) if value.isdigit() and len(value) < 19 else groups.none()
