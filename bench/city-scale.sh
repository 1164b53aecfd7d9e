#!/usr/bin/env bash
# City-scale benchmark (not a test): generate `gen --districts 20 --projects-per-district 1000
# --years 10` on SQLite and on a throwaway PostgreSQL cluster; print load time, database size
# and the time of `report annual` for the city's top unit, the June briefing and assessment, and
# the leader dashboard of June (three requests to the release server, signed in as admin).
# Usage: bench/city-scale.sh [ARGS…]
# (ARGS replace the gen sizes, e.g. --districts 2 --projects-per-district 100 --years 2).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(--districts 20 --projects-per-district 1000 --years 10)
cargo build --release -q -p taizhang-cli
bin=target/release/taizhang
work=$(mktemp -d /tmp/taizhang-bench.XXXXXX)
pg=$(mktemp -d /tmp/taizhang-bench-pg.XXXXXX) # its own folder: the postgres user must own it
trap '.ci/pg-stop; rm -rf "$work" "$pg"' EXIT

secs() { awk "BEGIN{print $2 - $1}"; }
timed() { # label command…: runs it, prints the seconds
  local t0 t1
  t0=$(date +%s.%N)
  if ! "$@" >/dev/null; then
    printf 'FAILED'
    return
  fi
  t1=$(date +%s.%N)
  printf '%s' "$(secs "$t0" "$t1")"
}

measure() { # label url size-command
  local label=$1 url=$2
  local t0 t1 t2
  t0=$(date +%s.%N)
  "$bin" --db "$url" gen "${sizes[@]}" --seed 2018 | tail -n 1
  t1=$(date +%s.%N)
  "$bin" --db "$url" report annual --year 2017 >"$work/$label-report.md"
  t2=$(date +%s.%N)
  printf '%-10s load %6.1f s   report annual (city) %6.3f s   size %s\n' "$label" \
    "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(eval "$3")"
  local db=(--db "$url")
  "$bin" "${db[@]}" init --admin-password bench-password-1 >/dev/null
  printf '%-10s briefing 2017-06: md %s s, docx %s s, xlsx %s s; assessment of the districts %s s\n' "$label" \
    "$(timed "$bin" "${db[@]}" report briefing --period 2017-06 --today 2017-07-05)" \
    "$(timed "$bin" "${db[@]}" report briefing --period 2017-06 --today 2017-07-05 --format docx --out "$work/b.docx")" \
    "$(timed "$bin" "${db[@]}" report briefing --period 2017-06 --today 2017-07-05 --format xlsx --out "$work/b.xlsx")" \
    "$(timed "$bin" "${db[@]}" report assessment --scheme bench/city-assessment.toml)"
  local port=$((18600 + RANDOM % 200)) server cookie csrf
  "$bin" "${db[@]}" serve --listen "127.0.0.1:$port" >"$work/serve-$label.log" 2>&1 &
  server=$!
  wait_healthy $port
  sign_in $port admin bench-password-1
  printf '%-10s dashboard 2017-06 (city): %s\n' "$label" "$(for _ in 1 2 3; do
    curl -s -o /dev/null -w '%{time_total} s  ' -H "cookie: $cookie" "http://127.0.0.1:$port/?period=2017-06"
  done)"
  kill "$server"
  wait "$server" 2>/dev/null || true
}

measure sqlite "sqlite://$work/city.db" "du -ch $work/city.db* | tail -n 1 | cut -f1"

eval "$(.ci/pg-start "$pg" 54339)"
measure postgres "$TAIZHANG_TEST_PG" \
  "\"\$PG_BIN/psql\" -h 127.0.0.1 -p 54339 -U postgres -Atc \"SELECT pg_size_pretty(pg_database_size('taizhang'))\" taizhang"
cmp -s "$work/sqlite-report.md" "$work/postgres-report.md" && echo "reports identical on both databases"
