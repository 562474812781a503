#!/usr/bin/env bash
# Runs quiver's benchmarks against a throwaway PostgreSQL 15 on the same data,
# side by side in one run, and prints rows/s with quiver/PostgreSQL ratios.
#   bench/run.sh                      # everything
#   bench/run.sh Stream               # one benchmark
#   QUIVER_BENCH_SCALE=0.1 bench/run.sh  # smaller data sets
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
out=$(mktemp)
go test -tags duckdb_arrow -run '^$' -bench "$pattern" -benchtime "${BENCHTIME:-3x}" -timeout 60m ./bench/ | tee "$out"
echo
echo "ratios (quiver / postgres):"
awk '
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name)
    metric=""
    for (i = 2; i <= NF; i++) if ($(i+1) == "rows/s" || $(i+1) == "tps") { metric=$i; unit=$(i+1) }
    if (metric == "") next
    n=split(name, p, "/"); who=p[n]; key=name; sub("/" who "$", "", key)
    val[key "|" who]=metric; units[key]=unit; keys[key]=1
  }
  END {
    for (k in keys) if (("quiver" in val) || 1) {
      pg=val[k "|postgres"]; q=val[k "|quiver"]
      if (pg > 0 && q > 0) printf "  %-45s postgres %14.0f  quiver %14.0f %-6s  ratio %.2fx\n", k, pg, q, units[k], q / pg
    }
  }' "$out" | sort
rm -f "$out"
