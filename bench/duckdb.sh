#!/usr/bin/env bash
# taizhang's city dashboard beside DuckDB computing the same figures from the raw rows (not a
# test): a release server on the city-sized SQLite ledger (gen --districts 20
# --projects-per-district 1000 --years 10), DuckDB from PyPI in the same run over the same
# rows (copied from the SQLite file first, not timed). Checks the figures equal and prints
# both medians and p99s: taizhang warm, and after a write (recomputed). Goal: taizhang ≤ 0.5×
# DuckDB's time.  Usage: bench/duckdb.sh [RUNS] [DISTRICTS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-30}
districts=${2:-20}
python3 -c 'import duckdb' 2>/dev/null || pip install -q duckdb
release_bin
work=$(mktemp -d /tmp/taizhang-duckdb.XXXXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite://$work/city.db"
"$bin" --db "$db" gen --districts "$districts" --projects-per-district 1000 --years 10 --seed 2018 | tail -n 1
"$bin" --db "$db" init --admin-password duck-admin-password >/dev/null
port=18650
"$bin" --db "$db" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
server=$!
wait_healthy $port
sign_in $port admin duck-admin-password
python3 bench/duckdb_dashboard.py "$work/city.db" "http://127.0.0.1:$port" "$cookie" "$csrf" 2017-12 "$runs"
