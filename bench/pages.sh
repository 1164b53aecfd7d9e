#!/usr/bin/env bash
# Page latency benchmark (not a test): a release server on the city-sized SQLite ledger
# (gen --districts 20 --projects-per-district 1000 --years 10), the leader's dashboard and
# 重点项目 list read by wrk over loopback, 4 connections (CONNECTIONS), for SECONDS each. Prints
# each page's size, wrk's latency percentiles (p50, p90, p99) and requests/s, and the server's
# peak resident memory.
# Usage: bench/pages.sh [SECONDS] [BINARY] [CONNECTIONS]  (BINARY: another build to compare, e.g.
# an older commit's; "" for this tree's)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-10}
bin=${2:-}
connections=${3:-4}
need_wrk
[[ -n $bin ]] || release_bin
work=$(mktemp -d /tmp/taizhang-pages.XXXXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
db="sqlite://$work/city.db"
"$bin" --db "$db" gen --districts 20 --projects-per-district 1000 --years 10 --seed 2018 | tail -n 1
"$bin" --db "$db" init --admin-password pages-admin-password >/dev/null
"$bin" --db "$db" user add leader --role leader --password pages-leader-password >/dev/null
port=18600
"$bin" --db "$db" serve --listen 127.0.0.1:$port >"$work/serve.log" 2>&1 &
server=$!
wait_healthy $port
sign_in $port leader pages-leader-password
read_pages $port "$connections" "$seconds" "/?period=2017-12" "/projects?period=2017-12"
echo "== server peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)"
