"""The throwaway bench database: created next to the app's database, with the app's own role.

The app role (NOSUPERUSER, NOBYPASSRLS, CREATEDB) owns the bench database and migrates it, exactly
like the product's database, so row-level security applies to every benchmarked request.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import closing
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
import psycopg2.errors
from psycopg2 import sql
from psycopg2.extensions import connection

PREFIX = "flipside_bench_"
# Seconds a drop waits for an autovacuum worker to leave the database (BenchDatabase.drop).
DROP_PATIENCE = 60.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class BenchDatabase:
    base_url: str  # DATABASE_URL: the app role and a database it may connect to
    name: str

    @property
    def url(self) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit(parts._replace(path="/" + quote(self.name)))

    def _connect(self) -> connection:
        conn = psycopg2.connect(self.base_url)  # libpq reads postgres:// URLs itself
        conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
        return conn

    def create(self) -> None:
        with closing(self._connect()) as conn, conn.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        """Drop the database, waiting out an autovacuum worker still in it.

        ``WITH (FORCE)`` ends the other sessions, but the app role may not end an autovacuum
        worker (it belongs to the server): after a large seed one may still be analysing the
        tables, and the drop is refused until it finishes (seconds)."""
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(self.name)
        )
        deadline = time.monotonic() + DROP_PATIENCE
        with closing(self._connect()) as conn, conn.cursor() as cursor:
            while True:
                try:
                    cursor.execute(statement)
                    return
                except (psycopg2.errors.InsufficientPrivilege, psycopg2.errors.ObjectInUse):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)

    def exists(self) -> bool:
        with closing(self._connect()) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return cursor.fetchone() is not None

    def drop_abandoned(self) -> list[str]:
        """Drop bench databases left by runs that were killed outright (named after a dead pid)."""
        pattern = re.compile(re.escape(PREFIX) + r"(\d+)")
        with closing(self._connect()) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"])
            names = [str(row[0]) for row in cursor.fetchall()]
            abandoned = [
                name
                for name in names
                if (match := pattern.fullmatch(name))
                and name != self.name
                and not _alive(int(match[1]))
            ]
            for name in abandoned:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        return abandoned
