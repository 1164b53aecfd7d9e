# What the bench scripts share (sourced, not run): waiting for a server, signing in, and the wrk
# script of month-end draft saves. Each script sets `work` (its temporary directory) first.

# Waits until the server on PORT answers /healthz (20 s at most).
wait_healthy() {
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return 0; sleep 0.2; done
  echo "the server on port $1 did not start" >&2
  return 1
}

# Signs USER in with PASSWORD on PORT: sets `cookie` and `csrf`.
sign_in() {
  local login
  login=$(curl -s -D "$work/headers" -H 'content-type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}" "http://127.0.0.1:$1/api/v1/session")
  cookie=$(grep -i '^set-cookie:' "$work/headers" | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
  csrf=$(echo "$login" | sed 's/.*"csrf":"\([^"]*\)".*/\1/')
}

# Writes FILE, a wrk script saving drafts through the API (signed in as `cookie`/`csrf`) on
# PORT's ledger: every (round, unit, project) owed in the open rounds of 2017, each request a
# new record. Thread t of a run starts at its offset (wrk's `-- OFFSET`, default 0) plus t and
# moves on by STRIDE, so that runs given different offsets never save the same record.
save_script() {
  local port=$1 file=$2 stride=$3 rounds
  rounds=$(curl -s -H "cookie: $cookie" "http://127.0.0.1:$port/api/v1/rounds" \
    | python3 -c 'import json,sys; print("rounds = {" + ",".join(str(r["id"]) for r in json.load(sys.stdin)) + "}")')
  curl -s -H "cookie: $cookie" "http://127.0.0.1:$port/api/v1/projects?year=2017" \
    | python3 -c 'import json,sys; print("subjects = {" + ",".join("{\"%s\",\"%s\"}" % (p["unit"], p["code"]) for p in json.load(sys.stdin)) + "}")' \
    >"$file.pairs"
  cat >"$file" <<LUA
dofile("$file.pairs")
$rounds
local counter = 0
local threads = 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args) counter = offset + (tonumber(args[1]) or 0) end
request = function()
  local pair = subjects[(counter % #subjects) + 1]
  local round = rounds[(math.floor(counter / #subjects) % #rounds) + 1]
  counter = counter + $stride
  local path = "/api/v1/rounds/" .. round .. "/units/" .. pair[1] .. "/entries/" .. pair[2]
  local body = '{"figures":{"month_wan":"10","ytd_wan":"120","since_start_wan":"300","text":"load"}}'
  return wrk.format("PUT", path, {["cookie"] = "$cookie", ["x-csrf-token"] = "$csrf", ["content-type"] = "application/json"}, body)
end
LUA
}

# Installs wrk from Debian's packages when it is missing.
need_wrk() {
  command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
}

# Builds this tree's release CLI and sets `bin` to it.
release_bin() {
  cargo build --release -q -p taizhang-cli
  bin=$PWD/target/release/taizhang
}

# Reads each PAGE on PORT with wrk (signed in as `cookie`) on CONNECTIONS connections for
# SECONDS: its size, then wrk's requests/s, latency percentiles and non-2xx count.
read_pages() { # PORT CONNECTIONS SECONDS PAGE…
  local port=$1 connections=$2 seconds=$3 page bytes
  shift 3
  echo "wrk.headers[\"cookie\"] = \"$cookie\"" >"$work/get.lua"
  for page in "$@"; do
    bytes=$(curl -s -H "cookie: $cookie" "http://127.0.0.1:$port$page" | wc -c)
    echo "== GET $page ($bytes bytes), $connections connections, ${seconds}s"
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$work/get.lua" "http://127.0.0.1:$port$page" \
      | grep -E "Requests/sec|50%|90%|99%|Non-2xx|requests in"
  done
}
