#!/usr/bin/env bash
# Runs quiver's whole test suite. It first installs what the tests need and
# this machine lacks: the PostgreSQL 15 server and client (the oracle every
# differential test compares against) and the client drivers the tests run.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql-15)
command -v psql >/dev/null || need_apt+=(postgresql-client-15)
command -v pgbench >/dev/null || need_apt+=(postgresql-contrib)
id postgres >/dev/null 2>&1 || need_apt+=(postgresql-15)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# The PostgreSQL drivers the e2e/clients tests run: pgjdbc, asyncpg,
# psycopg 3 and node-postgres.
bash scripts/install-clients.sh

export PATH="/usr/lib/postgresql/15/bin:$PATH"
tags=duckdb_arrow
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "not gofmt'ed:" $unformatted >&2
  exit 1
fi
go vet -tags "$tags" ./...
# The race detector runs on every package: most of quiver is concurrent.
go test -tags "$tags" -race -count=1 -timeout 40m "$@" ./...
