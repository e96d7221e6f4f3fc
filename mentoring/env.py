"""Typed readers for environment variables.

Every setting comes from the environment through one of these helpers. A malformed value stops
start-up with a message that names the variable, instead of surfacing later as a confusing error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={raw!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={raw!r} is not an integer."
        ) from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value} is below the minimum {minimum}."
        )
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value} is above the maximum {maximum}."
        )
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} must be one of: {', '.join(choices)}."
        )
    return value


@dataclass(frozen=True)
class DatabaseURL:
    user: str
    password: str
    host: str
    port: str
    name: str
    options: dict[str, str]

    def django(self, *, conn_max_age: int) -> dict[str, object]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": conn_max_age > 0,
            "OPTIONS": dict(self.options),
        }


def parse_database_url(name: str, raw: str) -> DatabaseURL:
    """Parse ``postgres://user:password@host:port/dbname?sslmode=...`` (PostgreSQL only)."""
    parts = urlsplit(raw)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a postgres:// URL (Flipside runs on PostgreSQL only); "
            f"got scheme {parts.scheme!r}."
        )
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ImproperlyConfigured(
            f"Environment variable {name} names no database (the /dbname part)."
        )
    try:
        port = str(parts.port or "")
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name} has a malformed port.") from None
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return DatabaseURL(
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        host=host,
        port=port,
        name=database,
        options=query,
    )


def parse_redis_url(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a redis://, rediss:// or unix:// URL; got {raw!r}."
        )
    return raw
