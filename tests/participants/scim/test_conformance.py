"""The scripted SCIM client conformance run (conformance.py) against a live server over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from participants.scim import tokens
from tests.conftest import Tenant
from tests.participants.scim import conformance

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_conformance_run_passes_every_check(live_server: Any, org_a: Tenant) -> None:
    with org_a.scope():
        _token, key = tokens.create_token(actor=org_a.admin, name="Okta")
    lines: list[str] = []
    failures = conformance.main(
        ["conformance", f"{live_server.url}/api/v1/o/{org_a.slug}/scim/v2", key], lines.append
    )
    assert failures == 0, "\n".join(lines)
    assert len(lines) > 30
