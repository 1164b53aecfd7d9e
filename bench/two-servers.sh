#!/usr/bin/env bash
# Two servers on one PostgreSQL (not a test): a throwaway cluster, a generated ledger, month-end
# draft saves (PUT …/entries/{subject}, each a new record) driven by wrk against one server,
# then against two at once — one session, signed in on the first, used on both (sessions live in
# the database). Prints saves/s and latency for each, and where the CPU went (each server's and
# PostgreSQL's user+system seconds). Every machine here has 2 cores shared by wrk, the servers
# and PostgreSQL: read the ratio as a model of how it scales, not a pass mark.
# Usage: bench/two-servers.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-10}
connections=${2:-8}
need_wrk
release_bin
work=$(mktemp -d /tmp/taizhang-two.XXXXXX)
chmod 755 "$work" # the cluster runs as postgres
eval "$(.ci/pg-start "$work/pg" 18810)"
db=$TAIZHANG_TEST_PG
servers=()
trap 'kill "${servers[@]}" 2>/dev/null || true; .ci/pg-stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$bin" --db "$db" gen --districts 5 --projects-per-district 400 --years 2 --seed 2018 | tail -n 1
"$bin" --db "$db" init --admin-password two-admin-password >/dev/null
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do "$bin" --db "$db" round open --period 2017-$m >/dev/null; done
for port in 18811 18812; do
  "$bin" --db "$db" serve --listen 127.0.0.1:$port >"$work/serve-$port.log" 2>&1 &
  servers+=($!)
  wait_healthy $port
done
sign_in 18811 admin two-admin-password
# The session opened on the first server is good on the second.
curl -sf -o /dev/null -H "cookie: $cookie" "http://127.0.0.1:18812/api/v1/rounds" \
  || { echo "the second server did not know the first one's session" >&2; exit 1; }
# Each wrk run takes its own slice of (round, project) pairs (offsets 0, 2, 4; two threads a
# run at most, moving on by 6): every save is a new record.
save_script 18811 "$work/save.lua" 6
cpu() { # user+system seconds of a process tree's main process
  awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$1/stat"
}
pg_cpu() {
  ps -u postgres -o times= 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
before=("$(cpu "${servers[0]}")" "$(cpu "${servers[1]}")" "$(pg_cpu)")
echo "== one server, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/save.lua" "http://127.0.0.1:18811" -- 0 \
  | grep -E "Requests/sec|50%|99%|Non-2xx|requests in"
mid=("$(cpu "${servers[0]}")" "$(cpu "${servers[1]}")" "$(pg_cpu)")
minus() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a - b}'; }
echo "   CPU s: server A $(minus "${mid[0]}" "${before[0]}"), PostgreSQL $(minus "${mid[2]}" "${before[2]}")"
echo "== two servers, $((connections / 2)) connections each, ${seconds}s"
wrk -t1 -c"$((connections / 2))" -d"${seconds}s" --latency -s "$work/save.lua" "http://127.0.0.1:18811" -- 2 >"$work/a.txt" &
first=$!
wrk -t1 -c"$((connections / 2))" -d"${seconds}s" --latency -s "$work/save.lua" "http://127.0.0.1:18812" -- 4 >"$work/b.txt"
wait "$first"
for f in a b; do grep -E "Requests/sec|50%|99%|Non-2xx" "$work/$f.txt" | sed "s/^/   $f: /"; done
after=("$(cpu "${servers[0]}")" "$(cpu "${servers[1]}")" "$(pg_cpu)")
echo "   CPU s: server A $(minus "${after[0]}" "${mid[0]}"), server B $(minus "${after[1]}" "${mid[1]}"), PostgreSQL $(minus "${after[2]}" "${mid[2]}")"
echo "   saves/s in all: $(awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}' "$work/a.txt" "$work/b.txt")"
"$bin" --db "$db" rollup verify
