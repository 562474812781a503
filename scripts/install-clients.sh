#!/usr/bin/env bash
# Installs the PostgreSQL client drivers the e2e/clients tests run against
# quiver and PostgreSQL: pgjdbc (Debian's libpostgresql-jdbc-java, run by a
# JDK's single-file source launcher), asyncpg and psycopg 3 (Debian's python3 packages, for
# /usr/bin/python3), and node-postgres (npm ci from the committed lock file in
# e2e/clients/node). It installs only what is missing, so a second run does
# nothing, and prints only what it installs. Run as root, or as a user with sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
# java Prog.java (source launch) compiles in memory: it needs the JDK.
command -v javac >/dev/null || need_apt+=(default-jdk-headless)
[ -f /usr/share/java/postgresql.jar ] || need_apt+=(libpostgresql-jdbc-java)
/usr/bin/python3 -c 'import asyncpg' 2>/dev/null || need_apt+=(python3-asyncpg)
/usr/bin/python3 -c 'import psycopg' 2>/dev/null || need_apt+=(python3-psycopg)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  as_root apt-get update -qq
  # apt-get's notes on stderr (debconf without apt-utils) are not errors.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" 2>&1 >/dev/null \
    | { grep -v '^debconf: ' >&2 || true; }
  /usr/bin/python3 -c 'import asyncpg, psycopg' && [ -f /usr/share/java/postgresql.jar ] && command -v javac >/dev/null \
    || { echo "apt-get install ${need_apt[*]} did not provide the drivers" >&2; exit 1; }
fi

# npm ci only when node_modules lacks a package of the lock file or has
# another version of one.
node_dir=e2e/clients/node
if ! (cd "$node_dir" && node -e '
  const fs = require("fs");
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
  for (const [p, e] of Object.entries(lock.packages)) {
    if (p === "" || e.optional) continue;
    const got = JSON.parse(fs.readFileSync(p + "/package.json", "utf8")).version;
    if (got !== e.version) process.exit(1);
  }' 2>/dev/null); then
  echo "installing: node-postgres (npm ci in $node_dir)"
  # npm warns about user settings it does not know; keep only real errors.
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error 2>&1 >/dev/null | grep -v 'Unknown user config' >&2 || true)
  [ -d "$node_dir/node_modules/pg" ] || { echo "npm ci failed in $node_dir" >&2; exit 1; }
fi
