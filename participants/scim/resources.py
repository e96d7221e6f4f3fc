"""SCIM User resources ↔ directory people: the representation, the filter, PATCH operations.

A User is read into *attributes* (a flat dict keyed by lower-cased SCIM paths), PATCH operations
change those attributes, and the attributes become the directory's fields. POST and PUT read the
whole resource the same way, so the three writes share one mapping:

=================================================  ==========================================
SCIM                                               directory ``Person``
=================================================  ==========================================
``userName`` (an email; else the primary email)    ``email``
``displayName`` / ``name.formatted`` /             ``full_name`` (first present)
``name.givenName`` + ``name.familyName``
``externalId``                                     ``external_id``
``title``                                          ``job_title``
``timezone``                                       ``time_zone``
``active``                                         deactivate / reactivate
enterprise ``employeeNumber``                      ``employee_id``
enterprise ``department``                          ``department``
enterprise ``manager.value`` (a User ``id``)       ``manager``
=================================================  ==========================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet

from participants.models import Person

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

# Attributes we keep, by lower-cased path (enterprise ones under "ent:").
NAME_PATHS = ("displayname", "name.formatted", "name.givenname", "name.familyname")
TEXT_PATHS = (
    "username",
    "externalid",
    "title",
    "timezone",
    *NAME_PATHS,
    "ent:employeenumber",
    "ent:department",
)
ALL_PATHS = (*TEXT_PATHS, "active", "emails", "ent:manager")
_FIELD_OF = {
    "externalid": "external_id",
    "title": "job_title",
    "timezone": "time_zone",
    "ent:employeenumber": "employee_id",
    "ent:department": "department",
}
# Directory field → the SCIM attribute a client sent it as (for error messages).
SCIM_NAME = {
    "email": "userName",
    "full_name": "displayName",
    "external_id": "externalId",
    "job_title": "title",
    "time_zone": "timezone",
    "employee_id": f"{ENTERPRISE}:employeeNumber",
    "department": f"{ENTERPRISE}:department",
    "manager": f"{ENTERPRISE}:manager",
    "display_name": "displayName",
}


@dataclass
class ScimError(Exception):
    """A refusal in SCIM's error format (RFC 7644 §3.12)."""

    status: int
    detail: str
    scim_type: str = ""

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "schemas": [ERROR],
            "status": str(self.status),
            "detail": self.detail,
        }
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def invalid(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def from_validation_error(error: ValidationError) -> ScimError:
    """A directory refusal as a SCIM error: a uniqueness clash is a 409 ``uniqueness``."""
    if hasattr(error, "error_dict"):
        parts = [
            f"{SCIM_NAME.get(field, field)}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        ]
        detail = " ".join(parts)
    else:
        detail = " ".join(error.messages)
    if "already has this" in detail:
        return ScimError(409, detail, "uniqueness")
    return invalid(detail)


# --- Reading ----------------------------------------------------------------------------------------


def user_resource(person: Person, location: str) -> dict[str, Any]:
    enterprise: dict[str, Any] = {}
    if person.employee_id:
        enterprise["employeeNumber"] = person.employee_id
    if person.department:
        enterprise["department"] = person.department
    if person.manager_id is not None:
        enterprise["manager"] = {"value": str(person.manager_id)}
    resource: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE] if enterprise else [USER],
        "id": str(person.pk),
        "userName": person.email,
        "name": {"formatted": person.full_name},
        "displayName": person.full_name,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "active": person.is_active,
        "timezone": person.time_zone,
        "meta": {
            "resourceType": "User",
            "created": person.created_at.isoformat(),
            "lastModified": person.updated_at.isoformat(),
            "location": location,
            "version": f'W/"{int(person.updated_at.timestamp() * 1_000_000)}"',
        },
    }
    if person.external_id:
        resource["externalId"] = person.external_id
    if person.job_title:
        resource["title"] = person.job_title
    if enterprise:
        resource[ENTERPRISE] = enterprise
    return resource


def attributes_of(person: Person) -> dict[str, Any]:
    """The person as the attributes a PATCH changes."""
    return {
        "username": person.email,
        "displayname": person.full_name,
        "externalid": person.external_id,
        "title": person.job_title,
        "timezone": person.time_zone,
        "active": person.is_active,
        "ent:employeenumber": person.employee_id,
        "ent:department": person.department,
        "ent:manager": str(person.manager_id) if person.manager_id else None,
    }


def _text(path: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{path} must be a string.")
    return value


def _boolean(value: Any) -> bool:
    # Some identity providers (Azure AD) send "True"/"False" as strings.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise invalid("active must be true or false.")


def _manager(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise invalid("manager must be an object with the manager's id as value.")
    return value or None


def _primary_email(value: Any) -> str:
    if not isinstance(value, list):
        raise invalid("emails must be a list.")
    emails = [item for item in value if isinstance(item, dict) and item.get("value")]
    primary = [item for item in emails if item.get("primary") in (True, "true", "True")]
    chosen = (primary or emails or [{}])[0].get("value", "")
    return _text("emails.value", chosen)


def attributes_from_resource(resource: Any) -> dict[str, Any]:
    """A whole User (POST, PUT) as attributes; absent optional attributes are empty."""
    if not isinstance(resource, dict):
        raise ScimError(400, "The body must be a SCIM User object.", "invalidSyntax")
    schemas = resource.get("schemas")
    if not isinstance(schemas, list) or USER not in schemas:
        raise ScimError(400, f"schemas must include {USER}.", "invalidSyntax")
    name = resource.get("name") or {}
    if not isinstance(name, dict):
        raise invalid("name must be an object.")
    enterprise = resource.get(ENTERPRISE) or {}
    if not isinstance(enterprise, dict):
        raise invalid(f"{ENTERPRISE} must be an object.")
    attributes: dict[str, Any] = {
        "username": _text("userName", resource.get("userName")),
        "externalid": _text("externalId", resource.get("externalId")),
        "displayname": _text("displayName", resource.get("displayName")),
        "name.formatted": _text("name.formatted", name.get("formatted")),
        "name.givenname": _text("name.givenName", name.get("givenName")),
        "name.familyname": _text("name.familyName", name.get("familyName")),
        "title": _text("title", resource.get("title")),
        "timezone": _text("timezone", resource.get("timezone")) or "UTC",
        "active": _boolean(resource.get("active", True)),
        "ent:employeenumber": _text("employeeNumber", enterprise.get("employeeNumber")),
        "ent:department": _text("department", enterprise.get("department")),
        "ent:manager": _manager(enterprise.get("manager")),
    }
    if resource.get("emails") is not None:
        attributes["emails"] = _primary_email(resource["emails"])
    return attributes


def fields_from_attributes(attributes: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The directory fields (``manager`` still an id) and whether the person is active."""
    email = attributes.get("username", "")
    try:
        validate_email(email)
    except ValidationError:
        email = attributes.get("emails") or email
    if not email:
        raise invalid("userName is required (the person's email address).")
    full_name = (
        attributes.get("displayname")
        or attributes.get("name.formatted")
        or " ".join(
            part
            for part in (attributes.get("name.givenname"), attributes.get("name.familyname"))
            if part
        )
    )
    if not full_name:
        raise invalid("A name is required: displayName, name.formatted or name.givenName.")
    fields: dict[str, Any] = {"email": email, "full_name": full_name}
    for path, field in _FIELD_OF.items():
        if path in attributes:
            fields[field] = attributes[path] or ("UTC" if field == "time_zone" else "")
    if "ent:manager" in attributes:
        fields["manager"] = attributes["ent:manager"]
    return fields, bool(attributes.get("active", True))


# --- PATCH ------------------------------------------------------------------------------------------

_EMAIL_FILTERED = re.compile(r'^emails\[type eq "?\w+"?\](\.value)?$', re.IGNORECASE)


def _path(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ScimError(400, "path must be a non-empty string.", "invalidPath")
    path = raw.strip()
    if path.lower().startswith(ENTERPRISE.lower() + ":"):
        path = "ent:" + path[len(ENTERPRISE) + 1 :]
    elif path.lower().startswith(USER.lower() + ":"):
        path = path[len(USER) + 1 :]
    if _EMAIL_FILTERED.match(path) or path.lower() in ("emails", "emails.value"):
        return "emails"
    lowered = path.lower()
    if lowered == "ent:manager.value":
        return "ent:manager"
    if lowered not in ALL_PATHS:
        raise ScimError(400, f"Unsupported path: {raw}.", "invalidPath")
    return lowered


def _set(attributes: dict[str, Any], path: str, value: Any) -> None:
    if path == "active":
        attributes["active"] = _boolean(value)
    elif path == "emails":
        if isinstance(value, list):
            attributes["emails"] = _primary_email(value)
        else:
            attributes["emails"] = _text("emails.value", value)
        attributes["username"] = attributes["emails"]
    elif path == "ent:manager":
        attributes["ent:manager"] = _manager(value)
    else:
        attributes[path] = _text(path, value)
        if path in NAME_PATHS:
            # The name written last is the name: a whole name replaces every other spelling; a
            # given or family name replaces the whole ones and keeps its other half.
            whole = ("displayname", "name.formatted")
            others = NAME_PATHS if path in whole else whole
            for other in others:
                if other != path:
                    attributes.pop(other, None)


def _set_object(attributes: dict[str, Any], value: Any, prefix: str = "") -> None:
    """A path-less operation's value: each attribute it names (nested objects included)."""
    if not isinstance(value, dict):
        raise invalid("An operation without a path needs an object value.")
    for key, item in value.items():
        if key == ENTERPRISE:
            _set_object(attributes, item, "ent:")
        elif key == "name" and isinstance(item, dict):
            for part, text in item.items():
                _set(attributes, _path(f"name.{part}"), text)
        elif key == "schemas":
            continue
        else:
            _set(attributes, _path(prefix + key if prefix else key), item)


def apply_patch(attributes: dict[str, Any], body: Any) -> dict[str, Any]:
    """``attributes`` changed by a PatchOp body's operations, in order."""
    if not isinstance(body, dict) or PATCH_OP not in (body.get("schemas") or []):
        raise ScimError(400, f"schemas must be [{PATCH_OP}].", "invalidSyntax")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    changed = dict(attributes)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation must be an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unsupported op: {operation.get('op')!r}.", "invalidSyntax")
        path = operation.get("path")
        if op == "remove":
            target = _path(path)
            if target in ("username", "emails", "active"):
                raise ScimError(400, f"{path} cannot be removed.", "mutability")
            _set(changed, target, None)
        elif path is None:
            _set_object(changed, operation.get("value"))
        else:
            _set(changed, _path(path), operation.get("value"))
    return changed


# --- Filtering --------------------------------------------------------------------------------------

_FILTER = re.compile(r'^\s*([\w.:\[\]" ]+?)\s+eq\s+(".*"|true|false)\s*$', re.IGNORECASE)


def filtered(people: QuerySet[Person], expression: str) -> QuerySet[Person]:
    """``attribute eq value`` for userName, externalId, emails.value, id, displayName, active:
    what identity providers ask before creating someone. Anything else is ``invalidFilter``."""
    match = _FILTER.match(expression or "")
    if match is None:
        raise ScimError(400, f"Unsupported filter: {expression}", "invalidFilter")
    attribute, raw = match[1].strip().lower(), match[2]
    value = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw.lower()
    if attribute in ("username", "emails.value", 'emails[type eq "work"].value'):
        return people.filter(email__iexact=value)
    if attribute == "externalid":
        return people.filter(external_id=value)
    if attribute == "displayname":
        return people.filter(full_name=value)
    if attribute == "id":
        return (
            people.filter(pk=int(value)) if value.isdigit() and len(value) < 19 else people.none()
        )
    if attribute == "active" and value in ("true", "false"):
        return people.filter(is_active=value == "true")
    raise ScimError(400, f"Unsupported filter attribute: {match[1].strip()}", "invalidFilter")


def lookup(value: str) -> Q:
    """A User ``id`` as a query (a malformed id matches nobody)."""
    return Q(pk=int(value)) if value.isdigit() and len(value) < 19 else Q(pk__in=[])
