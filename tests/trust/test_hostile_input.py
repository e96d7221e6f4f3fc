"""Hostile input never reaches a 5xx: every organisation route and method, read from the URL
resolver, is sent NUL characters, lone surrogates, control characters, 1 MB strings, deeply nested
JSON, huge and negative numbers, values of the wrong type and crafted cursors.

- API operations: the parameters and body fields come from the OpenAPI schema (the operation
  whose path matches the route); every declared query parameter and body field gets each kind of
  hostile value, plus seeded random mixes of them (the same cases on every run).
- Pages: the forms each page shows (parsed from its HTML, ``action`` and fields) are posted with
  hostile values in every field while the others keep their defaults, so validation is reached;
  GET forms (filters, search) likewise through the query string.

Each route is one test case, in the world of the role matrix (``tests/access/world.py``), as the
first actor the matrix lets through; each request runs in a savepoint rolled back after it, so a
DELETE or a POST never changes what the next request sees. Lone surrogates only reach the server
inside JSON: a form or query string carries UTF-8 bytes, which Django decodes with replacement.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from tests.access.world import World
from tests.trust.routes import first_actor, route_cases, route_url

MEGABYTE = "x" * 1_000_000
NUL = "nul\x00byte"
SURROGATE = "lone\ud800surrogate"
CONTROLS = "line\r\nbreak\ttab\x07bell\x1bescape\x85next\u2028separator"
HUGE = 2**80
# Values of every type for body fields whatever they are declared as: huge, negative, wrong type,
# impossible dates, control characters. NUL and lone surrogates are sent on their own (one request
# each): the edge refuses a request that holds one, which would hide the rest of a mix.
MIXED: list[Any] = [
    CONTROLS,
    "",
    "9" * 50,
    "-9" * 20,
    HUGE,
    -HUGE,
    2**63,
    -1,
    0,
    1e308,
    -1e308,
    0.5,
    True,
    None,
    [],
    [CONTROLS],
    [HUGE],
    {},
    {"a": {"b": [None]}},
    "2026-02-30",
    "-0001-01-01T25:61",
    "AAA",
]
# The same for query strings and forms (text only).
MIXED_TEXT = [
    CONTROLS,
    "",
    "9" * 50,
    "-1",
    "-9" * 20,
    "1e308",
    "NaN",
    "AAA",
    "2026-02-30",
    "x" * 5000,
]
BAD_CURSORS = ["!!!", "bz0wJnI9MCZwPWFiYw==", "bz0tNSZyPTAmcD0x", "bz0wJnA9JTAw"]
DEEP_JSON = "[" * 100_000 + "]" * 100_000
# Seeded rounds of mixes per operation and per form: the same cases on every run, bounded time.
ROUNDS = 2


@dataclass
class Failure:
    method: str
    url: str
    case: str
    status: int


@dataclass
class Probe:
    client: Client
    failures: list[Failure] = field(default_factory=list)
    sent: int = 0

    def send(self, method: str, url: str, case: str, **kwargs: Any) -> Any:
        """One request in a savepoint rolled back after it; a 5xx is recorded."""
        with transaction.atomic():
            response = self.client.generic(method, url, **kwargs)
            transaction.set_rollback(True)
        self.sent += 1
        if response.status_code >= 500:
            self.failures.append(Failure(method, url, case, response.status_code))
        return response


# --- The world, the schema ------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    query: dict[str, dict[str, Any]]
    # A body the schema calls valid (each field a plausible value of its declared type), so a
    # hostile value put in one field meets the code behind validation, not a missing-field 400.
    body: dict[str, Any]
    text_fields: list[str]
    nested_fields: dict[str, str]  # name: "object" or "array"


@pytest.fixture(scope="module")
def operations() -> list[tuple[re.Pattern[str], str, Operation]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = components[node["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in node:
            merged: dict[str, Any] = {"properties": {}}
            for part in node["allOf"]:
                merged["properties"].update(resolve(part).get("properties", {}))
            return merged
        return node

    def valid(node: dict[str, Any]) -> Any:
        node = resolve(node)
        for key in ("oneOf", "anyOf"):
            if node.get(key):
                return valid(node[key][0])
        if node.get("enum"):
            return next(value for value in node["enum"] if value is not None)
        kind, fmt = node.get("type"), node.get("format")
        soon = timezone.now() + timedelta(days=7)
        if kind == "string":
            return {
                "date": soon.date().isoformat(),
                "date-time": soon.isoformat(),
                "email": "someone@acme.test",
                "uri": "https://example.test/",
            }.get(fmt or "", "Hostile input test")
        values = {"integer": 1, "number": 1.5, "boolean": False, "array": [], "object": {}}
        return values.get(kind or "", "Hostile input test")

    found = []
    for path, methods in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in methods.items():
            query = {
                p["name"]: p.get("schema", {})
                for p in operation.get("parameters", [])
                if p["in"] == "query"
            }
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = content.get("application/json", {}).get("schema")
            resolved = resolve(body_schema) if body_schema else {}
            properties = resolved.get("properties", {})
            required = set(resolved.get("required", ()))
            # Optional fields stay out of the valid body (a guess such as a time zone could be
            # refused); object, array and untyped ones are where nested hostile values go.
            body = {name: valid(node) for name, node in properties.items() if name in required}
            text = [name for name, value in body.items() if isinstance(value, str)]
            nested = {
                name: "array" if resolve(node).get("type") == "array" else "object"
                for name, node in properties.items()
                if resolve(node).get("type") in (None, "object", "array")
            }
            found.append((pattern, method.upper(), Operation(query, body, text, nested)))
    return found


def _operation(
    operations: list[tuple[re.Pattern[str], str, Operation]], url: str, method: str
) -> Operation:
    path = urlsplit(url).path
    for pattern, op_method, operation in operations:
        if op_method == method and pattern.match(path):
            return operation
    raise AssertionError(f"{method} {path} is routed but not in the OpenAPI schema")


# --- Cases ---------------------------------------------------------------------------------------


def _json(probe: Probe, method: str, url: str, case: str, body: Any) -> None:
    probe.send(method, url, case, data=json.dumps(body), content_type="application/json")


def _api(probe: Probe, method: str, url: str, operation: Operation) -> None:
    rng = random.Random(f"{method} {url}")
    probe.send(method, url, "NUL in an undeclared parameter", QUERY_STRING=_encode({"q": NUL}))
    params = list(operation.query)
    if "cursor" in params:
        for cursor in BAD_CURSORS:
            probe.send(method, url, f"cursor {cursor}", QUERY_STRING=_encode({"cursor": cursor}))
        params.remove("cursor")
    for round_number in range(ROUNDS if params else 0):
        query = {name: rng.choice(MIXED_TEXT) for name in params}
        probe.send(
            method, url, f"query mix {round_number}: {query!r:.80}", QUERY_STRING=_encode(query)
        )
    if method not in ("POST", "PUT", "PATCH"):
        return
    probe.send(
        method, url, "100,000 nested brackets", data=DEEP_JSON, content_type="application/json"
    )
    valid = operation.body or dict.fromkeys(("name", "title", "text"), "Hostile input test")
    text = operation.text_fields or list(valid)
    for case, value in (("NUL", NUL), ("a lone surrogate", SURROGATE)):
        body = {**valid, **dict.fromkeys(text, value)}
        _json(probe, method, url, f"every text field {case}", body)
    _json(probe, method, url, f"{text[0]}: 1 MB", {**valid, text[0]: MEGABYTE})
    for case, value in (("NUL", NUL), ("a lone surrogate", SURROGATE)):
        for name, kind in operation.nested_fields.items():
            body = {**valid, name: {"key": value} if kind == "object" else [value]}
            _json(probe, method, url, f"{case} inside {name}", body)
    _json(probe, method, url, "the valid body", valid)
    _json(probe, method, url, "body is a list", [CONTROLS, HUGE])
    for round_number in range(ROUNDS * 2):
        # Each field keeps its valid value or gets a hostile one, half and half.
        body = {
            name: rng.choice(MIXED) if rng.random() < 0.5 else value
            for name, value in valid.items()
        }
        _json(probe, method, url, f"body mix {round_number}: {body!r:.80}", body)


# --- Pages: the forms they show -----------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> default value
    text: list[str] = field(default_factory=list)  # names of free-text fields


class Forms(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.forms.append(Form(action, (a.get("method") or "get").upper()))
            return
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select and self.forms:
                self.forms[-1].fields.setdefault(self._select, a.get("value", ""))
            return
        form, name = self.forms[-1], a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                form.fields.setdefault(name, "")
                return
            form.fields[name] = a.get("value", "on" if kind == "checkbox" else "")
            if kind in ("text", "search", "email", "url", "tel", "password"):
                form.text.append(name)
        elif tag == "textarea":
            form.fields[name] = ""
            form.text.append(name)
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _page(probe: Probe, method: str, url: str) -> None:
    rng = random.Random(f"{method} {url}")
    if method == "GET":
        response = probe.send("GET", url, "the page")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            parser = Forms(url)
            parser.feed(response.content.decode())
            for form in parser.forms:
                _form(probe, form)
        probe.send("GET", url, "NUL in the query", QUERY_STRING=_encode({"q": NUL}))
        query = {name: rng.choice(MIXED_TEXT) for name in ("q", "page", "status", "cursor")}
        probe.send("GET", url, f"query mix {query!r:.80}", QUERY_STRING=_encode(query))
        return
    # A route that takes a POST: its own form (found on the page that shows it) is sent from
    # there; here it gets hostile values under the names forms commonly use.
    names = ("name", "title", "text", "body", "email", "role", "reason", "date", "pk")
    _form(probe, Form(url, method, dict.fromkeys(names, ""), list(names)))


def _form(probe: Probe, form: Form) -> None:
    rng = random.Random(form.action)
    names = list(form.fields)
    method = "GET" if form.method == "GET" else "POST"

    def send(case: str, overrides: dict[str, str]) -> None:
        data = _encode({**form.fields, **overrides})
        if method == "GET":
            probe.send("GET", form.action, case, QUERY_STRING=data)
        else:
            content_type = "application/x-www-form-urlencoded"
            probe.send("POST", form.action, case, data=data, content_type=content_type)

    send("every field NUL", dict.fromkeys(names, NUL))
    send("free text 1 MB", dict.fromkeys(form.text[:2], MEGABYTE))
    for round_number in range(ROUNDS):
        mix = {name: rng.choice(MIXED_TEXT) for name in names}
        send(f"mix {round_number}: {mix!r:.80}", mix)


def _encode(data: dict[str, str]) -> str:
    return urlencode(data)


# --- The test --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_client() -> Client:
    return Client(raise_request_exception=False)


def _outside_schema(url: str) -> bool:
    """SCIM (participants/scim) is its own protocol, not described by our OpenAPI schema: its
    routes are probed like pages here (query and form values), and its own hostile bodies are in
    tests/participants/scim/test_scim.py."""
    return "/scim/v2/" in url


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method"), route_cases())
def test_no_hostile_input_reaches_a_5xx(
    world: World,
    shared_client: Client,
    operations: list[tuple[re.Pattern[str], str, Operation]],
    key: str,
    method: str,
) -> None:
    actor = first_actor(key, method)
    shared_client.cookies = SimpleCookie()
    session = world.sessions.get(actor)
    if session is not None:
        shared_client.cookies[settings.SESSION_COOKIE_NAME] = session
    probe = Probe(shared_client)
    url = route_url(world, key)
    if url.startswith("/api/") and not _outside_schema(url):
        _api(probe, method, url, _operation(operations, url, method))
    else:
        _page(probe, method, url)
    assert probe.sent > 0
    assert not probe.failures, f"{len(probe.failures)} of {probe.sent} requests as {actor}: " + (
        "; ".join(f"{f.status} {f.method} {f.url} [{f.case}]" for f in probe.failures[:10])
    )


# --- Filters: an unknown value is a 400, never silently ignored -----------------------------------

INVALID_BY_TYPE = {"integer": "AAA", "boolean": "maybe", "enum": "AAA"}


def _listroute_cases() -> list[Any]:
    return [case for case in route_cases() if case.values[1] == "GET"]


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "method"), _listroute_cases())
def test_every_declared_filter_refuses_an_unknown_value(
    world: World,
    shared_client: Client,
    operations: list[tuple[re.Pattern[str], str, Operation]],
    key: str,
    method: str,
) -> None:
    """Each query parameter the schema declares with a type or a set of values (an enum, an
    integer id or level, a boolean) answers a value outside it with a 400 naming the parameter."""
    url = route_url(world, key)
    if not url.startswith("/api/") or _outside_schema(url):
        return
    shared_client.cookies = SimpleCookie()
    shared_client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[first_actor(key, method)]
    wrong = []
    for name, schema in _operation(operations, url, method).query.items():
        kind = "enum" if schema.get("enum") else schema.get("type")
        if name in ("cursor", "page_size") or kind not in INVALID_BY_TYPE:
            continue
        with transaction.atomic():
            response = shared_client.get(url, {name: INVALID_BY_TYPE[kind]})
            transaction.set_rollback(True)
        fields = response.json().get("fields", {}) if response.status_code == 400 else {}
        if name not in fields:
            wrong.append(f"?{name}={INVALID_BY_TYPE[kind]}: {response.status_code}")
    assert not wrong, f"GET {url}: " + "; ".join(wrong)
