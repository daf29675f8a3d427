#!/bin/sh
# The postgres image runs this once, on the first start of an empty data volume
# (/docker-entrypoint-initdb.d): the two roles and the database of docs/security.md ("Database
# roles"), as an administrator sets them up on a managed PostgreSQL. Passwords come from the
# compose file's environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$CONVEYOR_OWNER_PASSWORD" -v app_password="$CONVEYOR_APP_PASSWORD" <<'SQL'
CREATE ROLE conveyor_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE conveyor_app LOGIN PASSWORD :'app_password';
CREATE DATABASE conveyor OWNER conveyor_owner;
GRANT CONNECT ON DATABASE conveyor TO conveyor_app;
\connect conveyor
ALTER SCHEMA public OWNER TO conveyor_owner;
SQL
