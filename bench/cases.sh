#!/usr/bin/env bash
# 数字城管 at city scale (not a test): a release build on SQLite, the generated city (gen
# --districts 20: 160 streets), 20 grid cells a street (3,200 cells) and CASES cases over 2018
# (default 1,000,000) written through the historic-case import path. Prints the import time,
# the monthly evaluation's time (by street and by unit, best of three), the 考评 page with
# its grid map (wrk, 2 connections, 10 s), the database's size and the server's peak RSS.
# Usage: bench/cases.sh [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
cases=${1:-1000000}
need_wrk
release_bin
work=$(mktemp -d /tmp/taizhang-cases.XXXXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite://$work/cases.db"
"$bin" --db "$db" gen --districts 20 --projects-per-district 1 --years 1 --seed 2018 | tail -n 1
"$bin" --db "$db" init --admin-password cases-admin-password >/dev/null
echo "== import: $cases cases"
/usr/bin/time -f "   %e s, peak RSS %M KB" "$bin" --db "$db" case gen --cases "$cases" --cells-per-street 20 2>&1 | tail -n 2
echo "== database: $(du -h "$work/cases.db" | cut -f1)"
for by in street unit; do
  best=
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    "$bin" --db "$db" case evaluate --month 2018-06 --by "$by" >"$work/eval.txt"
    took=$(echo "$(date +%s.%N) - $start" | bc)
    if [[ -z $best ]] || (( $(echo "$took < $best" | bc) )); then best=$took; fi
  done
  echo "== case evaluate --month 2018-06 --by $by: best of 3 ${best}s ($(($(wc -l <"$work/eval.txt") - 1)) rows, process start included)"
done
"$bin" --db "$db" user add leader --role leader --password cases-leader-password >/dev/null
port=18610
"$bin" --db "$db" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
server=$!
wait_healthy $port
sign_in $port leader cases-leader-password
read_pages $port 2 10 "/case-evaluation?month=2018-06" "/api/v1/case-evaluation?month=2018-06"
echo "== server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
