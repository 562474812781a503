#!/usr/bin/env bash
# Load and soak on loopback: builds quiver, starts it on embedded DuckDB, and
# runs bench/soak with many concurrent clients for a bounded time, printing
# throughput, errors and quiver's RSS every 5 s.
#   bench/soak.sh                 # 200 connections, 60 s
#   CONNS=50 DURATION=20s bench/soak.sh
#   COPY=false bench/soak.sh      # without COPY FROM, whose rows stay stored
#   COPY_RESET=10 bench/soak.sh   # COPY into per-connection tables dropped every 10 COPYs
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${CONNS:-200}
duration=${DURATION:-60s}
bin=$(mktemp -d)
trap 'kill "${qpid:-}" 2>/dev/null || true; rm -rf "$bin"' EXIT
go build -tags duckdb_arrow -o "$bin/quiver" ./cmd/quiver
go build -o "$bin/soak" ./bench/soak
port=$((20000 + RANDOM % 20000))
"$bin/quiver" --listen "127.0.0.1:$port" --max-connections $((conns + 20)) --log-level warn &
qpid=$!
sleep 1
"$bin/soak" -url "postgres://me@127.0.0.1:$port/quiver?sslmode=disable" -conns "$conns" -duration "$duration" -pid "$qpid" -copy="${COPY:-true}" -copy-reset "${COPY_RESET:-0}"
