"""The world the trust tests walk: the role matrix's organisation, built once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from pytest_django import DjangoDbBlocker

from tests.access.world import World, build


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The role matrix's world, built once per module in a transaction rolled back at the end."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        try:
            built = build()
            for actor, user in built.users.items():
                if user is not None:
                    client = Client()
                    client.force_login(user)
                    assert client.session.session_key is not None
                    built.sessions[actor] = client.session.session_key
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)
