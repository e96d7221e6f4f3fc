"""A SCIM 2.0 client conformance run, scripted after what identity providers do when they
provision (Okta's and Entra ID's published test sequences): discovery, look-up before create,
create, read, filter, page, replace, PATCH in both dialects, uniqueness, deactivate, delete, and
the error format on each refusal. Runs over real HTTP against any Flipside server:

    python -m tests.participants.scim.conformance http://127.0.0.1:8000/api/v1/o/acme/scim/v2 fscim_…

Each check is a line; the exit code is the number of failures. ``tests/participants/scim/
test_conformance.py`` runs it against a live test server.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Run:
    base: str
    token: str
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Reply:
        data = json.dumps(body).encode() if body is not None else None
        path, _, query = path.partition("?")
        if query:
            path += "?" + urllib.parse.quote(query, safe="=&")
        if not self.base.startswith(("http://", "https://")):
            raise ValueError("The SCIM base URL must be http(s).")
        request = urllib.request.Request(  # noqa: S310 (checked above)
            self.base + path, data=data, method=method
        )
        request.add_header("Authorization", f"Bearer {self.token if token is None else token}")
        request.add_header("Accept", "application/scim+json")
        if data is not None:
            request.add_header("Content-Type", "application/scim+json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw, status, headers = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, headers = error.read(), error.code, dict(error.headers)
        return Reply(status, json.loads(raw) if raw else None, headers)

    def check(self, name: str, condition: bool, detail: Any = "") -> bool:
        self.results.append((name, bool(condition), "" if condition else str(detail)[:300]))
        return bool(condition)

    def error(self, name: str, reply: Reply, status: int, scim_type: str | None = None) -> None:
        body = reply.body if isinstance(reply.body, dict) else {}
        good = (
            reply.status == status
            and body.get("schemas") == [ERROR]
            and body.get("status") == str(status)
            and bool(body.get("detail"))
            and (scim_type is None or body.get("scimType") == scim_type)
        )
        self.check(name, good, f"{reply.status} {reply.body}")


def _user(
    user_name: str, given: str, family: str, external_id: str, **extra: Any
) -> dict[str, Any]:
    return {
        "schemas": [USER, ENTERPRISE],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def run(base: str, token: str) -> list[tuple[str, bool, str]]:
    r = Run(base.rstrip("/"), token)
    unique = uuid.uuid4().hex[:8]
    email = f"scim.{unique}@conformance.test"

    # Authentication
    r.error("no token is a 401 in SCIM's format", r.call("GET", "/Users", token=""), 401)
    r.error("a wrong token is a 401", r.call("GET", "/Users", token="fscim_wrong"), 401)

    # Discovery
    config = r.call("GET", "/ServiceProviderConfig")
    r.check(
        "ServiceProviderConfig says PATCH and filter",
        config.status == 200
        and config.body["patch"]["supported"]
        and config.body["filter"]["supported"],
        config.body,
    )
    types = r.call("GET", "/ResourceTypes")
    r.check(
        "ResourceTypes lists User and Group",
        types.status == 200 and [t["id"] for t in types.body["Resources"]] == ["User", "Group"],
        types.body,
    )
    schemas = r.call("GET", "/Schemas")
    r.check(
        "Schemas has User, EnterpriseUser and Group",
        schemas.status == 200
        and {s["id"] for s in schemas.body["Resources"]} == {USER, ENTERPRISE, GROUP},
        schemas.body,
    )

    # Look up before create (what Okta and Entra ID do), then create
    before = r.call("GET", f'/Users?filter=userName eq "{email}"')
    r.check(
        "filter on an unknown userName is an empty list",
        before.status == 200
        and before.body["schemas"] == [LIST]
        and before.body["totalResults"] == 0,
        before.body,
    )
    created = r.call(
        "POST",
        "/Users",
        _user(
            email,
            "Ada",
            "Lovelace",
            f"ext-{unique}",
            title="Analyst",
            **{ENTERPRISE: {"department": "Data"}},
        ),
    )
    ok = r.check(
        "POST creates a User (201, id, Location)",
        created.status == 201 and created.body.get("id") and created.headers.get("Location"),
        created.body,
    )
    if not ok:
        return r.results
    user_id = created.body["id"]
    r.check(
        "the created User reads back its attributes",
        created.body["userName"] == email
        and created.body["displayName"] == "Ada Lovelace"
        and created.body["active"] is True
        and created.body["externalId"] == f"ext-{unique}"
        and created.body["title"] == "Analyst"
        and created.body[ENTERPRISE]["department"] == "Data",
        created.body,
    )
    r.check(
        "meta names the resource",
        created.body["meta"]["resourceType"] == "User"
        and created.body["meta"]["location"].endswith(f"/Users/{user_id}"),
        created.body,
    )
    read = r.call("GET", f"/Users/{user_id}")
    r.check("GET by id returns it", read.status == 200 and read.body["id"] == user_id, read.body)
    found = r.call("GET", f'/Users?filter=userName eq "{email.upper()}"')
    r.check(
        "filter on userName finds it, case-insensitively",
        found.body["totalResults"] == 1 and found.body["Resources"][0]["id"] == user_id,
        found.body,
    )
    by_external = r.call("GET", f'/Users?filter=externalId eq "ext-{unique}"')
    r.check(
        "filter on externalId finds it", by_external.body["totalResults"] == 1, by_external.body
    )

    # Uniqueness and bad input
    r.error(
        "POST of a taken userName is a 409 uniqueness",
        r.call("POST", "/Users", _user(email.upper(), "Ada", "Again", "other")),
        409,
        "uniqueness",
    )
    r.error(
        "POST without the User schema is a 400 invalidSyntax",
        r.call("POST", "/Users", {"userName": f"x{unique}@conformance.test"}),
        400,
        "invalidSyntax",
    )
    r.error(
        "POST with a userName that is no email is a 400",
        r.call(
            "POST", "/Users", {"schemas": [USER], "userName": "not an email", "displayName": "X"}
        ),
        400,
    )
    r.error(
        "an unsupported filter is a 400 invalidFilter",
        r.call("GET", '/Users?filter=title co "x"'),
        400,
        "invalidFilter",
    )
    r.error("an unknown id is a 404", r.call("GET", "/Users/999999999"), 404)

    # Paging
    second = r.call(
        "POST",
        "/Users",
        _user(f"scim2.{unique}@conformance.test", "Grace", "Hopper", f"ext2-{unique}"),
    )
    r.check("a second User is created", second.status == 201, second.body)
    page = r.call("GET", "/Users?startIndex=1&count=1")
    r.check(
        "count=1 pages one User at a time",
        page.status == 200
        and page.body["itemsPerPage"] == 1
        and page.body["totalResults"] >= 2
        and page.body["startIndex"] == 1,
        page.body,
    )
    r.error("a startIndex that is no number is a 400", r.call("GET", "/Users?startIndex=x"), 400)

    # Replace, then PATCH in Okta's dialect (with paths) and Entra ID's (value objects, "Replace")
    replaced = r.call(
        "PUT",
        f"/Users/{user_id}",
        _user(email, "Ada", "King", f"ext-{unique}", title="Lead Analyst"),
    )
    r.check(
        "PUT replaces the User",
        replaced.status == 200
        and replaced.body["displayName"] == "Ada King"
        and replaced.body["title"] == "Lead Analyst",
        replaced.body,
    )
    okta = r.call(
        "PATCH",
        f"/Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "path": "name.givenName", "value": "Augusta"},
                {"op": "replace", "path": "name.familyName", "value": "King"},
                {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Research"},
            ],
        },
    )
    r.check(
        "PATCH with paths changes those attributes",
        okta.status == 200
        and okta.body["displayName"] == "Augusta King"
        and okta.body[ENTERPRISE]["department"] == "Research",
        okta.body,
    )
    manager = r.call(
        "PATCH",
        f"/Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {
                    "op": "add",
                    "path": f"{ENTERPRISE}:manager",
                    "value": {"value": second.body["id"]},
                }
            ],
        },
    )
    r.check(
        "PATCH sets the manager by id",
        manager.status == 200 and manager.body[ENTERPRISE]["manager"]["value"] == second.body["id"],
        manager.body,
    )
    entra = r.call(
        "PATCH",
        f"/Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "value": {"title": "Principal", "active": "False"}}],
        },
    )
    r.check(
        "PATCH without a path (Entra ID) deactivates",
        entra.status == 200
        and entra.body["active"] is False
        and entra.body["title"] == "Principal",
        entra.body,
    )
    back = r.call(
        "PATCH",
        f"/Users/{user_id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]},
    )
    r.check(
        "PATCH active true reactivates",
        back.status == 200 and back.body["active"] is True,
        back.body,
    )
    r.error(
        "PATCH of an unknown path is a 400 invalidPath",
        r.call(
            "PATCH",
            f"/Users/{user_id}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "nickName", "value": "x"}],
            },
        ),
        400,
        "invalidPath",
    )
    r.error(
        "PATCH removing userName is a 400 mutability",
        r.call(
            "PATCH",
            f"/Users/{user_id}",
            {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "userName"}]},
        ),
        400,
        "mutability",
    )
    r.error(
        "PATCH to another User's email is a 409",
        r.call(
            "PATCH",
            f"/Users/{user_id}",
            {
                "schemas": [PATCH],
                "Operations": [
                    {
                        "op": "replace",
                        "path": "userName",
                        "value": f"scim2.{unique}@conformance.test",
                    }
                ],
            },
        ),
        409,
        "uniqueness",
    )
    r.error("a body that is not JSON is a 400", r.call("PUT", f"/Users/{user_id}", None), 400)

    _groups(r, unique, user_id, str(second.body["id"]))

    # Delete: gone from SCIM, then created again
    deleted = r.call("DELETE", f"/Users/{user_id}")
    r.check("DELETE answers 204", deleted.status == 204, deleted.status)
    r.error("a deleted User is a 404", r.call("GET", f"/Users/{user_id}"), 404)
    gone = r.call("GET", f'/Users?filter=userName eq "{email}"')
    r.check("a deleted User is not found by filter", gone.body["totalResults"] == 0, gone.body)
    again = r.call("POST", "/Users", _user(email, "Ada", "Lovelace", f"ext-{unique}"))
    r.check(
        "a deleted User can be created again",
        again.status == 201 and again.body["active"] is True,
        again.body,
    )
    r.check(
        "every SCIM answer has SCIM's media type",
        again.headers.get("Content-Type", "").startswith("application/scim+json"),
        again.headers,
    )
    return r.results


def _patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


def _group_members(r: Run, group_id: str) -> set[str]:
    reply = r.call("GET", f"/Groups/{group_id}")
    return {member["value"] for member in (reply.body or {}).get("members", [])}


def _groups(r: Run, unique: str, first: str, second: str) -> None:
    """Groups as Okta's and Entra ID's group push does them: look up, create, add and remove
    members in both dialects, rename, delete."""
    name = f"Executives {unique}"
    looked = r.call("GET", f'/Groups?filter=displayName eq "{name}"')
    r.check(
        "filter on an unknown group name is an empty list",
        looked.status == 200 and looked.body["totalResults"] == 0,
        looked.body,
    )
    created = r.call(
        "POST",
        "/Groups",
        {"schemas": [GROUP], "displayName": name, "members": [{"value": first}]},
    )
    ok = r.check(
        "POST creates a Group with its members (201)",
        created.status == 201
        and created.body["displayName"] == name
        and [m["value"] for m in created.body["members"]] == [first],
        created.body,
    )
    if not ok:
        return
    group_id = created.body["id"]
    r.error(
        "POST of a taken group name is a 409 uniqueness",
        r.call("POST", "/Groups", {"schemas": [GROUP], "displayName": name.upper()}),
        409,
        "uniqueness",
    )
    found = r.call("GET", f'/Groups?filter=displayName eq "{name}"&excludedAttributes=members')
    r.check(
        "filter finds the group; excludedAttributes=members leaves members out",
        found.body["totalResults"] == 1 and "members" not in found.body["Resources"][0],
        found.body,
    )
    added = r.call(
        "PATCH",
        f"/Groups/{group_id}",
        _patch({"op": "add", "path": "members", "value": [{"value": second}]}),
    )
    r.check(
        "PATCH add members (Okta) answers 204 and adds",
        added.status == 204 and _group_members(r, group_id) == {first, second},
        added.status,
    )
    removed = r.call(
        "PATCH",
        f"/Groups/{group_id}",
        _patch({"op": "remove", "path": f'members[value eq "{first}"]'}),
    )
    r.check(
        "PATCH remove members[value eq] (Okta) removes one",
        removed.status == 204 and _group_members(r, group_id) == {second},
        removed.status,
    )
    entra = r.call(
        "PATCH",
        f"/Groups/{group_id}",
        _patch(
            {"op": "Remove", "path": "members", "value": [{"value": second}]},
            {"op": "Add", "path": "members", "value": [{"value": first}]},
            {"op": "Replace", "path": "displayName", "value": f"{name} (renamed)"},
        ),
    )
    read = r.call("GET", f"/Groups/{group_id}")
    r.check(
        "PATCH Remove/Add/Replace (Entra ID) applies all three",
        entra.status == 204
        and read.body["displayName"] == f"{name} (renamed)"
        and {m["value"] for m in read.body["members"]} == {first},
        read.body,
    )
    r.error(
        "PATCH adding an unknown User is a 400",
        r.call(
            "PATCH",
            f"/Groups/{group_id}",
            _patch({"op": "add", "path": "members", "value": [{"value": "999999999"}]}),
        ),
        400,
        "invalidValue",
    )
    deleted = r.call("DELETE", f"/Groups/{group_id}")
    r.check("DELETE of a Group answers 204", deleted.status == 204, deleted.status)
    r.error("a deleted Group is a 404", r.call("GET", f"/Groups/{group_id}"), 404)
    r.check(
        "its members are still Users",
        r.call("GET", f"/Users/{first}").status == 200,
        "first User gone",
    )


def main(argv: list[str], out: Callable[[str], Any] = print) -> int:
    results = run(argv[1], argv[2])
    for name, passed, detail in results:
        out(f"{'PASS' if passed else 'FAIL'}  {name}{'  — ' + detail if detail else ''}")
    failures = sum(1 for _name, passed, _detail in results if not passed)
    out(f"{len(results) - failures} passed, {failures} failed")
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv))
