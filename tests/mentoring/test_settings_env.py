"""Malformed settings stop start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mentoring.env import env_bool, env_choice, env_int, parse_database_url, parse_redis_url

ROOT = Path(__file__).resolve().parents[2]


def test_env_int_rejects_garbage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PORT", "80a")
    with pytest.raises(ImproperlyConfigured, match="SOME_PORT"):
        env_int("SOME_PORT", 1)
    monkeypatch.setenv("SOME_PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_PORT=0 is below the minimum 1"):
        env_int("SOME_PORT", 1, minimum=1)


def test_env_bool_accepts_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("1", True), ("Yes", True), ("off", False), ("", False)]:
        monkeypatch.setenv("FLAG", raw)
        assert env_bool("FLAG", not expected) is expected
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG", False)


def test_env_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="MODE='staging' must be one of: a, b"):
        env_choice("MODE", "a", ("a", "b"))


def test_database_url_parsing() -> None:
    url = parse_database_url(
        "DATABASE_URL", "postgres://u:p%40ss@db.example:6543/flip?sslmode=require"
    )
    assert (url.user, url.password, url.host, url.port, url.name) == (
        "u",
        "p@ss",
        "db.example",
        "6543",
        "flip",
    )
    assert url.options == {"sslmode": "require"}
    socket_url = parse_database_url("DATABASE_URL", "postgresql://u@/flip?host=/run/postgresql")
    assert socket_url.host == "/run/postgresql"
    for bad, message in [
        ("mysql://u@h/db", "must be a postgres:// URL"),
        ("postgres://u@h/", "names no database"),
        ("postgres://u@h:notaport/db", "malformed port"),
    ]:
        with pytest.raises(ImproperlyConfigured, match=message):
            parse_database_url("DATABASE_URL", bad)


def test_redis_url_parsing() -> None:
    assert parse_redis_url("REDIS_URL", "redis://h:6379/0") == "redis://h:6379/0"
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must be a redis://"):
        parse_redis_url("REDIS_URL", "amqp://guest@h//")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "perhaps", "DJANGO_DEBUG='perhaps' is not a boolean"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must be a postgres:// URL"),
        ("DATABASE_CONN_MAX_AGE", "soon", "DATABASE_CONN_MAX_AGE='soon' is not an integer"),
        ("FLIPSIDE_ENV", "staging", "FLIPSIDE_ENV='staging' must be one of"),
        ("REDIS_URL", "", "REDIS_URL is not set"),
        ("FLIPSIDE_INVITATION_DAYS", "0", "FLIPSIDE_INVITATION_DAYS=0 is below the minimum 1"),
    ],
)
def test_start_up_stops_with_the_variable_named(variable: str, value: str, message: str) -> None:
    env = dict(os.environ, **{variable: value})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_production_requires_a_real_secret_key() -> None:
    env = dict(os.environ, FLIPSIDE_ENV="production", DJANGO_SECRET_KEY="short")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def _settings_in_subprocess(**env: str) -> list[str]:
    """The broker and cache URLs that settings compute from ``env``."""
    variables = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.CELERY_BROKER_URL, settings.CACHES['default']['LOCATION'])",
        ],
        env={**variables, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.split()


def test_each_parallel_test_process_has_its_own_redis_databases() -> None:
    urls = {"REDIS_URL": "redis://h:6379/0", "FLIPSIDE_CACHE_URL": "redis://h:6379/1"}
    assert _settings_in_subprocess(**urls) == ["redis://h:6379/0", "redis://h:6379/1"]
    assert _settings_in_subprocess(**urls, PYTEST_XDIST_WORKER="gw1") == [
        "redis://h:6379/4",
        "redis://h:6379/5",
    ]
    sockets = {
        "REDIS_URL": "unix:///run/redis.sock?db=0",
        "FLIPSIDE_CACHE_URL": "unix:///run/r.sock",
    }
    assert _settings_in_subprocess(**sockets, PYTEST_XDIST_WORKER="gw1") == [
        "unix:///run/redis.sock?db=4",
        "unix:///run/r.sock?db=5",
    ]
