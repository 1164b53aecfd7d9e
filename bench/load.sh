#!/usr/bin/env bash
# Load benchmark (not a test): the release server on a city-sized SQLite ledger
# (gen --districts 20 --projects-per-district 1000 --years 10), driven by wrk over loopback:
#   1. draft saves (PUT /api/v1/…/entries/{subject}), each a new record, as admin;
#   2. the leader dashboard (GET /);
#   3. both at once: saves on CONNECTIONS connections while the dashboard is read at the
#      goal's rate (~200 pages/s on 8 more connections), then flat out on 4.
# Prints wrk's requests/s, latency percentiles and non-2xx counts, and the server's peak
# resident memory. Goals: saves ≥ 1,000/s, p99 ≤ 200 ms, no errors, also while dashboards are
# read; dashboards ≥ 200/s, p99 ≤ 100 ms; RSS ≤ 150 MB.
# Usage: bench/load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-10}
connections=${2:-8}
need_wrk
release_bin
work=$(mktemp -d /tmp/taizhang-load.XXXXXX)
trap 'kill $server 2>/dev/null || true; cp "$work/serve.log" /tmp/load-serve.log; rm -rf "$work"' EXIT
db="sqlite://$work/city.db"
"$bin" --db "$db" gen --districts 20 --projects-per-district 1000 --years 10 --seed 2018 | tail -n 1
"$bin" --db "$db" init --admin-password load-admin-password >/dev/null
# Twelve monthly rounds: every (round, unit, project) triple is a different new record.
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do "$bin" --db "$db" round open --period 2017-$m >/dev/null; done
port=18500
${PERF:-} "$bin" --db "$db" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
server=$!
wait_healthy $port
sign_in $port admin load-admin-password
# Two threads a run, each moving on by 2: every request saves a different record.
save_script $port "$work/save.lua" 2
echo "== draft saves (PUT), $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/save.lua" "http://127.0.0.1:$port" >"$work/saves"
grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|requests in" "$work/saves"
# Each later run of saves starts past the records the runs before saved (with room for those in
# flight and for one thread having done more than the other).
saved() { awk '/requests in/ {print $1 + 1000}' "$1"; }
offset=$(saved "$work/saves")
curl -s -H "cookie: $cookie" "http://127.0.0.1:$port/metrics" | grep PUT
echo "== leader dashboard (GET /), $connections connections, ${seconds}s"
cat >"$work/get.lua" <<LUA
wrk.headers["cookie"] = "$cookie"
LUA
show() { grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|requests in"; }
# Read once first: the timed reads are of the dashboard as kept between writes (what a write
# costs the next read is bench/duckdb.sh's "after a write").
curl -s -o /dev/null -w "first read (computed): %{time_total} s\n" -H "cookie: $cookie" "http://127.0.0.1:$port/?period=2017-12"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/get.lua" "http://127.0.0.1:$port/?period=2017-12" | show
# Saves beside dashboards read at the goal's rate (8 connections, each a page every 36 ms: a
# little over 200 a second), then beside dashboards read as fast as 4 connections can (the two
# cores then go half to the readers and wrk).
cat >"$work/paced.lua" <<LUA
wrk.headers["cookie"] = "$cookie"
function delay() return 36 end
LUA
both() { # LABEL READER_SCRIPT READERS
  echo "== both at once: saves on $connections connections, dashboards $1 on $3, ${seconds}s"
  wrk -t1 -c"$3" -d"${seconds}s" --latency -s "$2" "http://127.0.0.1:$port/?period=2017-12" >"$work/mixed-get" &
  reader=$!
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/save.lua" "http://127.0.0.1:$port" -- "$offset" >"$work/mixed-save"
  wait $reader
  offset=$((offset + $(saved "$work/mixed-save")))
  echo "-- saves:"; show <"$work/mixed-save"
  echo "-- dashboards:"; show <"$work/mixed-get"
}
both "at ~200/s" "$work/paced.lua" 8
both "flat out" "$work/get.lua" 4
echo "== saves by status, all runs:"
curl -s -H "cookie: $cookie" "http://127.0.0.1:$port/metrics" | grep PUT
echo "== server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
