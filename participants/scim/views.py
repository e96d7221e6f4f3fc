"""The SCIM 2.0 endpoint (``/api/v1/o/<slug>/scim/v2/…``) and the provisioning-token page.

The endpoint is plain Django rather than DRF: SCIM has its own media type, error body, paging
and PATCH grammar, none of which DRF's would give. It authenticates with the organisation's
provisioning token only (a session is not enough: 401), and writes through the directory's
services with the token's maker as the actor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.exceptions import APIException

from core.api.parsers import check_json
from core.pages import add_form_errors
from organizations.models import Organization
from participants import directory, groups
from participants.forms.scim import ScimTokenForm
from participants.models import DirectoryGroup, DirectoryGroupMember, Person, ScimToken
from participants.scim import groups as group_resources
from participants.scim import resources, tokens
from participants.scim.resources import ScimError

MEDIA_TYPE = "application/scim+json"
DEFAULT_COUNT = 100
MAX_COUNT = 200

View = Callable[..., HttpResponse]


def _json(body: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _token(request: HttpRequest) -> ScimToken:
    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise ScimError(401, "A provisioning token is required: Authorization: Bearer <token>.")
    token = tokens.token_for_key(parts[1])
    if token is None:
        raise ScimError(401, "This provisioning token is not valid here (unknown or revoked).")
    return token


def scim_endpoint(*methods: str) -> Callable[[View], View]:
    """Token first, then the method; every refusal in SCIM's error format."""

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                token = _token(request)
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not supported here.")
                return view(request, token, *args, **kwargs)
            except ScimError as error:
                headers = {"WWW_Authenticate": 'Bearer realm="SCIM"'} if error.status == 401 else {}
                return _json(error.body(), error.status, **headers)
            except ValidationError as error:
                refusal = resources.from_validation_error(error)
                return _json(refusal.body(), refusal.status)

        return wrapper

    return decorator


def _body(request: HttpRequest) -> Any:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        raise ScimError(400, "The body is not valid JSON.", "invalidSyntax") from None
    try:
        check_json(data)
    except APIException as error:
        raise ScimError(400, f"The body was refused: {error.detail}", "invalidValue") from None
    return data


def _organization(request: HttpRequest) -> Organization:
    return request.organization  # type: ignore[attr-defined]


def _people() -> QuerySet[Person]:
    return Person.objects.filter(scim_deleted_at__isnull=True)


def _location(request: HttpRequest, person: Person) -> str:
    path = reverse("scim-user", args=(_organization(request).slug, person.pk))
    return request.build_absolute_uri(path)


def _found(pk: int) -> Person:
    person = _people().select_for_update(of=("self",)).filter(pk=pk).first()
    if person is None:
        raise ScimError(404, f"No User {pk}.")
    return person


def _resolve_manager(fields: dict[str, Any]) -> None:
    if "manager" not in fields or fields["manager"] is None:
        return
    manager = _people().filter(resources.lookup(fields["manager"])).first()
    if manager is None:
        raise resources.invalid(f"{resources.ENTERPRISE}:manager: no User {fields['manager']}.")
    fields["manager"] = manager


def _write(
    request: HttpRequest, token: ScimToken, person: Person | None, attributes: dict[str, Any]
) -> Person:
    """Create (``person`` None) or change a person from SCIM attributes, then set active."""
    fields, active = resources.fields_from_attributes(attributes)
    _resolve_manager(fields)
    actor = token.created_by
    organization = _organization(request)
    if person is None:
        person = directory.person_create(organization=organization, actor=actor, **fields)
    else:
        person = directory.person_update(
            organization=organization, actor=actor, person=person, **fields
        )
    return directory.person_set_active(actor=actor, person=person, active=active)


def _user(request: HttpRequest, person: Person, status: int = 200) -> HttpResponse:
    person.refresh_from_db()
    location = _location(request, person)
    resource = resources.user_resource(person, location)
    headers = {"Location": location} if status == 201 else {}
    return _json(resource, status, ETag=resource["meta"]["version"], **headers)


def _page_number(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise resources.invalid(f"{name} must be a whole number.")
    return int(raw)


@scim_endpoint("GET", "POST")
def users(request: HttpRequest, token: ScimToken, org_slug: str) -> HttpResponse:
    """GET: the Users, filtered (``filter=userName eq "…"``) and paged (``startIndex``,
    ``count``). POST: create one (409 ``uniqueness`` when the email or employee number is
    taken; a User deleted through SCIM comes back)."""
    if request.method == "POST":
        attributes = resources.attributes_from_resource(_body(request))
        fields, _active = resources.fields_from_attributes(attributes)
        with transaction.atomic():
            deleted = (
                Person.objects.select_for_update(of=("self",))
                .filter(email__iexact=fields["email"], scim_deleted_at__isnull=False)
                .first()
            )
            if deleted is not None:
                Person.objects.filter(pk=deleted.pk).update(scim_deleted_at=None)
                deleted.scim_deleted_at = None
            person = _write(request, token, deleted, attributes)
        return _user(request, person, 201)
    people = _people().order_by("id")
    if request.GET.get("filter"):
        people = resources.filtered(people, request.GET["filter"])
    start = max(_page_number(request, "startIndex", 1), 1)
    count = min(_page_number(request, "count", DEFAULT_COUNT), MAX_COUNT)
    total = people.count()
    page = list(people[start - 1 : start - 1 + count]) if count else []
    return _json(
        {
            "schemas": [resources.LIST_RESPONSE],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [
                resources.user_resource(person, _location(request, person)) for person in page
            ],
        }
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user(request: HttpRequest, token: ScimToken, org_slug: str, pk: int) -> HttpResponse:
    """One User: read, replace (PUT), change (PATCH operations), delete (deactivated and gone
    from SCIM; kept in the directory's history)."""
    if request.method == "GET":
        person = _people().filter(pk=pk).first()
        if person is None:
            raise ScimError(404, f"No User {pk}.")
        return _user(request, person)
    with transaction.atomic():
        person = _found(pk)
        if request.method == "DELETE":
            directory.person_set_active(actor=token.created_by, person=person, active=False)
            Person.objects.filter(pk=person.pk).update(scim_deleted_at=timezone.now())
            return HttpResponse(status=204)
        body = _body(request)
        if request.method == "PUT":
            attributes = resources.attributes_from_resource(body)
        else:
            attributes = resources.apply_patch(resources.attributes_of(person), body)
        person = _write(request, token, person, attributes)
    return _user(request, person)


# --- Groups ---------------------------------------------------------------------------------------


def _group_location(request: HttpRequest, group: DirectoryGroup) -> str:
    path = reverse("scim-group", args=(_organization(request).slug, group.pk))
    return request.build_absolute_uri(path)


def _visible_member_ids(ids: set[int]) -> set[int]:
    """The ids given, each a User SCIM can see; else a 400 naming those it cannot."""
    found = set(_people().filter(pk__in=ids).values_list("pk", flat=True))
    missing = sorted(ids - found)
    if missing:
        listed = ", ".join(str(pk) for pk in missing[:5])
        raise resources.invalid(f"members: no User {listed}.")
    return found


def _members_of(groups: list[DirectoryGroup]) -> dict[int, list[Person]]:
    """Each group's members SCIM can see, by group id: one query for a whole page of groups."""
    members: dict[int, list[Person]] = {group.pk: [] for group in groups}
    rows = (
        DirectoryGroupMember.objects.filter(
            group_id__in=members, person__scim_deleted_at__isnull=True
        )
        .select_related("person")
        .only("group_id", "person__id", "person__full_name")
        .order_by("group_id", "person_id")
    )
    for row in rows:
        members[row.group_id].append(row.person)
    return members


def _group_members(group: DirectoryGroup) -> list[Person]:
    return _members_of([group])[group.pk]


def _group(
    request: HttpRequest, group: DirectoryGroup, status: int = 200, *, with_members: bool = True
) -> HttpResponse:
    group.refresh_from_db()
    location = _group_location(request, group)
    resource = group_resources.group_resource(
        group,
        location,
        _group_members(group) if with_members else None,
        lambda person: _location(request, person),
    )
    headers = {"Location": location} if status == 201 else {}
    return _json(resource, status, ETag=resource["meta"]["version"], **headers)


def _excludes_members(request: HttpRequest) -> bool:
    excluded = request.GET.get("excludedAttributes", "")
    return "members" in {name.strip().lower() for name in excluded.split(",")}


def _found_group(pk: int) -> DirectoryGroup:
    group = DirectoryGroup.objects.select_for_update().filter(pk=pk).first()
    if group is None:
        raise ScimError(404, f"No Group {pk}.")
    return group


@scim_endpoint("GET", "POST")
def group_list(request: HttpRequest, token: ScimToken, org_slug: str) -> HttpResponse:
    """GET: the Groups, filtered (``filter=displayName eq "…"``) and paged; members left out
    with ``excludedAttributes=members``. POST: create one (409 ``uniqueness`` when the name is
    taken)."""
    if request.method == "POST":
        state = group_resources.state_from_resource(_body(request))
        with transaction.atomic():
            group = groups.group_create(
                actor=token.created_by,
                display_name=state.display_name,
                external_id=state.external_id,
                member_ids=_visible_member_ids(state.members),
            )
        return _group(request, group, 201)
    found = DirectoryGroup.objects.order_by("id")
    if request.GET.get("filter"):
        found = group_resources.filtered(found, request.GET["filter"])
    start = max(_page_number(request, "startIndex", 1), 1)
    count = min(_page_number(request, "count", DEFAULT_COUNT), MAX_COUNT)
    total = found.count()
    page = list(found[start - 1 : start - 1 + count]) if count else []
    members = _members_of(page) if not _excludes_members(request) else None
    return _json(
        {
            "schemas": [resources.LIST_RESPONSE],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [
                group_resources.group_resource(
                    group,
                    _group_location(request, group),
                    members[group.pk] if members is not None else None,
                    lambda person: _location(request, person),
                )
                for group in page
            ],
        }
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group(request: HttpRequest, token: ScimToken, org_slug: str, pk: int) -> HttpResponse:
    """One Group: read, replace (PUT), change (PATCH operations), delete (its people stay)."""
    if request.method == "GET":
        found = DirectoryGroup.objects.filter(pk=pk).first()
        if found is None:
            raise ScimError(404, f"No Group {pk}.")
        return _group(request, found, with_members=not _excludes_members(request))
    with transaction.atomic():
        current = _found_group(pk)
        if request.method == "DELETE":
            groups.group_delete(actor=token.created_by, group=current)
            return HttpResponse(status=204)
        body = _body(request)
        members_before = set(groups.member_ids(current))
        if request.method == "PUT":
            state = group_resources.state_from_resource(body)
        else:
            before = group_resources.GroupState(
                current.display_name, current.external_id, set(members_before)
            )
            state = group_resources.apply_patch(before, body)
        # Who joins must be a User SCIM can see; who stays may have been deleted through SCIM
        # since (their membership is kept, as their directory entry is).
        joining = _visible_member_ids(state.members - members_before)
        groups.group_update(
            actor=token.created_by,
            group=current,
            display_name=state.display_name,
            external_id=state.external_id,
        )
        groups.group_change_members(
            actor=token.created_by,
            group=current,
            replace=joining | (state.members & members_before),
        )
    if request.method == "PATCH":
        # RFC 7644 §3.5.2 allows 204; Entra ID and Okta read nothing from a PATCH's answer, and
        # it spares listing every member of a large group.
        return HttpResponse(status=204)
    return _group(request, current)


# --- Discovery (RFC 7644 §4) ------------------------------------------------------------------------


@scim_endpoint("GET")
def service_provider_config(request: HttpRequest, token: ScimToken, org_slug: str) -> HttpResponse:
    return _json(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Provisioning token",
                    "description": "A token from the organisation's provisioning page.",
                    "primary": True,
                }
            ],
        }
    )


@scim_endpoint("GET")
def resource_types(request: HttpRequest, token: ScimToken, org_slug: str) -> HttpResponse:
    user_type = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "schema": resources.USER,
        "schemaExtensions": [{"schema": resources.ENTERPRISE, "required": False}],
    }
    group_type = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "schema": group_resources.GROUP,
    }
    return _json(
        {
            "schemas": [resources.LIST_RESPONSE],
            "totalResults": 2,
            "startIndex": 1,
            "itemsPerPage": 2,
            "Resources": [user_type, group_type],
        }
    )


def _attribute(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": extra.pop("type", "string"),
        "multiValued": extra.pop("multiValued", False),
        "required": extra.pop("required", False),
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": extra.pop("uniqueness", "none"),
        **extra,
    }


@scim_endpoint("GET")
def schemas(request: HttpRequest, token: ScimToken, org_slug: str) -> HttpResponse:
    user_schema = {
        "id": resources.USER,
        "name": "User",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute("externalId"),
            _attribute("displayName"),
            _attribute(
                "name",
                type="complex",
                subAttributes=[_attribute(n) for n in ("formatted", "givenName", "familyName")],
            ),
            _attribute("emails", type="complex", multiValued=True),
            _attribute("title"),
            _attribute("timezone"),
            _attribute("active", type="boolean"),
        ],
    }
    enterprise = {
        "id": resources.ENTERPRISE,
        "name": "EnterpriseUser",
        "attributes": [
            _attribute("employeeNumber", uniqueness="server"),
            _attribute("department"),
            _attribute("manager", type="complex", subAttributes=[_attribute("value")]),
        ],
    }
    group_schema = {
        "id": group_resources.GROUP,
        "name": "Group",
        "attributes": [
            _attribute("displayName", required=True, uniqueness="server"),
            _attribute("externalId"),
            _attribute(
                "members",
                type="complex",
                multiValued=True,
                subAttributes=[_attribute("value"), _attribute("display")],
            ),
        ],
    }
    return _json(
        {
            "schemas": [resources.LIST_RESPONSE],
            "totalResults": 3,
            "startIndex": 1,
            "itemsPerPage": 3,
            "Resources": [user_schema, enterprise, group_schema],
        }
    )


# --- The provisioning page (admins) -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def scim_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organisation's provisioning tokens and the endpoint to give the identity provider."""
    membership = request.membership  # type: ignore[attr-defined]
    token_list = tokens.list_tokens(actor=membership)
    form = ScimTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_key = tokens.create_token(actor=membership, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            form = ScimTokenForm()
    base = request.build_absolute_uri(reverse("scim-users", args=(org_slug,)))
    return render(
        request,
        "participants/scim/settings.html",
        {
            "form": form,
            "tokens": token_list,
            "new_key": new_key,
            "endpoint": base.removesuffix("Users"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def scim_token_revoke(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    token = tokens.revoke_token(actor=request.membership, token_id=pk)  # type: ignore[attr-defined]
    messages.success(request, f"Provisioning token “{token.name}” was revoked.")
    return redirect("scim_settings", org_slug=org_slug)
