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
seconds=${1:-10}
connections=${2:-8}
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p taizhang-cli
bin=$PWD/target/release/taizhang
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
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
done
login=$(curl -s -D "$work/headers" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"two-admin-password"}' "http://127.0.0.1:18811/api/v1/session")
cookie=$(grep -i '^set-cookie:' "$work/headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
csrf=$(echo "$login" | sed 's/.*"csrf":"\([^"]*\)".*/\1/')
# The session opened on the first server is good on the second.
curl -sf -o /dev/null -H "cookie: $cookie" "http://127.0.0.1:18812/api/v1/rounds" \
  || { echo "the second server did not know the first one's session" >&2; exit 1; }
rounds=$(curl -s -H "cookie: $cookie" "http://127.0.0.1:18811/api/v1/rounds" | python3 -c 'import json,sys; print("rounds = {" + ",".join(str(r["id"]) for r in json.load(sys.stdin)) + "}")')
curl -s -H "cookie: $cookie" "http://127.0.0.1:18811/api/v1/projects?year=2017" \
  | python3 -c 'import json,sys; print("subjects = {" + ",".join("{\"%s\",\"%s\"}" % (p["unit"], p["code"]) for p in json.load(sys.stdin)) + "}")' \
  >"$work/pairs.lua"
# Each wrk run takes its own slice of (round, project) pairs: every save is a new record.
save_script() {
  cat >"$work/save-$1.lua" <<LUA
dofile("$work/pairs.lua")
$rounds
local counter = 0
local threads = 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args) counter = offset + $1 end
request = function()
  local pair = subjects[(counter % #subjects) + 1]
  local round = rounds[(math.floor(counter / #subjects) % #rounds) + 1]
  counter = counter + 6
  local path = "/api/v1/rounds/" .. round .. "/units/" .. pair[1] .. "/entries/" .. pair[2]
  local body = '{"figures":{"month_wan":"10","ytd_wan":"120","since_start_wan":"300","text":"load"}}'
  return wrk.format("PUT", path, {["cookie"] = "$cookie", ["x-csrf-token"] = "$csrf", ["content-type"] = "application/json"}, body)
end
LUA
}
cpu() { # user+system seconds of a process tree's main process
  awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$1/stat"
}
pg_cpu() {
  ps -u postgres -o times= 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
save_script 0
save_script 2
save_script 4
before=("$(cpu "${servers[0]}")" "$(cpu "${servers[1]}")" "$(pg_cpu)")
echo "== one server, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/save-0.lua" "http://127.0.0.1:18811" \
  | grep -E "Requests/sec|50%|99%|Non-2xx|requests in"
mid=("$(cpu "${servers[0]}")" "$(cpu "${servers[1]}")" "$(pg_cpu)")
minus() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a - b}'; }
echo "   CPU s: server A $(minus "${mid[0]}" "${before[0]}"), PostgreSQL $(minus "${mid[2]}" "${before[2]}")"
echo "== two servers, $((connections / 2)) connections each, ${seconds}s"
wrk -t1 -c"$((connections / 2))" -d"${seconds}s" --latency -s "$work/save-2.lua" "http://127.0.0.1:18811" >"$work/a.txt" &
first=$!
wrk -t1 -c"$((connections / 2))" -d"${seconds}s" --latency -s "$work/save-4.lua" "http://127.0.0.1:18812" >"$work/b.txt"
wait "$first"
for f in a b; do grep -E "Requests/sec|50%|99%|Non-2xx" "$work/$f.txt" | sed "s/^/   $f: /"; done
after=("$(cpu "${servers[0]}")" "$(cpu "${servers[1]}")" "$(pg_cpu)")
echo "   CPU s: server A $(minus "${after[0]}" "${mid[0]}"), server B $(minus "${after[1]}" "${mid[1]}"), PostgreSQL $(minus "${after[2]}" "${mid[2]}")"
echo "   saves/s in all: $(awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}' "$work/a.txt" "$work/b.txt")"
"$bin" --db "$db" rollup verify
