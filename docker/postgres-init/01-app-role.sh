#!/bin/sh
# Runs once, when the postgres volume is initialised (docker-entrypoint-initdb.d): creates the role
# the application connects as and its database. The role is NOSUPERUSER and NOBYPASSRLS, so the
# row-level security policies apply to it (it owns its tables; the migrations FORCE the policies).
set -eu

: "${FLIPSIDE_DB_PASSWORD:?set FLIPSIDE_DB_PASSWORD (the app role's password, as in DATABASE_URL)}"

psql --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --no-psqlrc --set ON_ERROR_STOP=1 --set app_password="$FLIPSIDE_DB_PASSWORD" <<'SQL'
CREATE ROLE flipside LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE DATABASE flipside OWNER flipside;
REVOKE ALL ON DATABASE flipside FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE flipside TO flipside;
SQL
