#!/usr/bin/env bash
# Province scale (not a test): the generated ledger at 1/4, 1/2, 1, 2 and 10 times the city
# (gen --districts 5 … 200, 1,000 projects a district, 10 years) on SQLite or on a throwaway
# PostgreSQL. For each: load time, database size, `rollup verify`, and the dashboard over HTTP
# — of the whole (a leader), and of one district (its 单位审核 account) — each read after a
# write (computed afresh) and again (kept). A district's cost should not grow with the rest of
# the province.
# Usage: bench/province.sh [sqlite|postgres] [SCALES…]   (SCALES: districts, default 5 10 20 40 200)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
backend=${1:-sqlite}
shift || true
scales=("$@")
[[ ${#scales[@]} -gt 0 ]] || scales=(5 10 20 40 200)
release_bin
work=$(mktemp -d /tmp/taizhang-province.XXXXXX)
chmod 755 "$work"
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null || true
  [[ $backend == postgres ]] && .ci/pg-stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
if [[ $backend == postgres ]]; then
  eval "$(.ci/pg-start "$work/pg" 18830)"
fi
port=18831
for districts in "${scales[@]}"; do
  if [[ $backend == postgres ]]; then
    "$PG_BIN/psql" -h 127.0.0.1 -p 18830 -U postgres -qc "DROP DATABASE IF EXISTS province" -c "CREATE DATABASE province" postgres
    db=postgres://postgres@127.0.0.1:18830/province
  else
    rm -f "$work"/province.db*
    db="sqlite://$work/province.db"
  fi
  start=$(date +%s.%N)
  made=$("$bin" --db "$db" gen --districts "$districts" --projects-per-district 1000 --years 10 --seed 2018 | tail -n 1)
  loaded=$(echo "$(date +%s.%N) - $start" | bc)
  if [[ $backend == postgres ]]; then
    size=$("$PG_BIN/psql" -h 127.0.0.1 -p 18830 -U postgres -Atc "SELECT pg_size_pretty(pg_database_size('province'))" postgres)
  else
    size="$(du -sh "$work/province.db" | cut -f1)"
  fi
  verified=$("$bin" --db "$db" rollup verify | tail -n 1)
  "$bin" --db "$db" init --admin-password prov-admin-password >/dev/null
  "$bin" --db "$db" user add top-leader --role leader --password prov-top-password >/dev/null
  "$bin" --db "$db" user add district-leader --role unit_leader --unit d01 --password prov-district-password >/dev/null
  "$bin" --db "$db" user add bench-probe --role leader --password prov-probe-password >/dev/null
  "$bin" --db "$db" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
  server=$!
  wait_healthy $port
  sign_in $port top-leader prov-top-password
  top=$cookie
  sign_in $port district-leader prov-district-password
  district=$cookie
  sign_in $port admin prov-admin-password
  timing=$(python3 bench/province_dashboard.py "http://127.0.0.1:$port" "$cookie" "$csrf" "$top" "$district" 20)
  rss=$(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)
  kill $server; wait $server 2>/dev/null || true; server=
  echo "== $backend, $districts districts: $made"
  echo "   loaded in ${loaded%.*} s; database $size; $verified; server peak RSS $rss"
  echo "   $timing"
done
