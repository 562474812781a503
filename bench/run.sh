#!/usr/bin/env bash
# Runs quiver's benchmarks against a throwaway PostgreSQL 15 on the same data,
# side by side in one run, and prints rows/s with ratios of quiver to each
# baseline (PostgreSQL, or for the Flight benchmarks pgx, COPY or ADBC).
#   bench/run.sh                      # everything
#   bench/run.sh Stream               # one benchmark
#   QUIVER_BENCH_SCALE=0.1 bench/run.sh  # smaller data sets
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
out=$(mktemp)
go test -tags duckdb_arrow -run '^$' -bench "$pattern" -benchtime "${BENCHTIME:-3x}" -timeout 60m ./bench/ | tee "$out"
echo
echo "ratios (quiver / baseline: postgres, or the other sub-benchmarks of the same name):"
awk '
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name)
    metric=""
    for (i = 2; i <= NF; i++) if ($(i+1) == "rows/s" || $(i+1) == "tps" || $(i+1) == "cmds/s") { metric=$i; unit=$(i+1) }
    if (metric == "") next
    n=split(name, p, "/"); who=p[n]; key=name; sub("/" who "$", "", key)
    if (who != "quiver" && !((key "|" who) in val)) base[key]=base[key] " " who
    val[key "|" who]=metric; units[key]=unit
  }
  END {
    for (k in base) {
      q=val[k "|quiver"]; nb=split(base[k], bs, " ")
      for (j = 1; j <= nb; j++) {
        v=val[k "|" bs[j]]
        if (v > 0 && q > 0) printf "  %-45s %-8s %14.0f  quiver %14.0f %-6s  ratio %.2fx\n", k, bs[j], v, q, units[k], q / v
      }
    }
  }' "$out" | sort
rm -f "$out"
