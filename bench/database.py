"""The throwaway bench database: created next to the app's database, with the app's own role.

The app role (NOSUPERUSER, NOBYPASSRLS, CREATEDB) owns the bench database and migrates it, exactly
like the product's database, so row-level security applies to every benchmarked request.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from mentoring.env import parse_database_url


@dataclass(frozen=True)
class BenchDatabase:
    base_url: str  # DATABASE_URL: the app role and a database it may connect to
    name: str

    @property
    def url(self) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path="/" + quote(self.name)))

    def _connect(self) -> Any:
        parsed = parse_database_url("DATABASE_URL", self.base_url)
        connection = psycopg2.connect(
            dbname=parsed.name,
            user=parsed.user or None,
            password=parsed.password or None,
            host=parsed.host or None,
            port=parsed.port or None,
            **parsed.options,
        )
        connection.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        return connection

    def create(self) -> None:
        with closing(self._connect()) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        with closing(self._connect()) as connection, connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))

    def exists(self) -> bool:
        with closing(self._connect()) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return cursor.fetchone() is not None
