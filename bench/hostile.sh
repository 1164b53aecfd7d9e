#!/usr/bin/env bash
# Hostile workbooks (issue 13's corpus, bench/make_hostile.py): each imported by the release
# binary into a fresh copy of the demo, with its peak RSS, wall time and first message.
# Not a test: the tests hold the messages; this reports the cost. Each must stay under 256 MB
# and take time in proportion to the bytes actually present.
# Usage: bench/hostile.sh
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/.."
cargo build --release -q -p taizhang-cli
bin=$PWD/target/release/taizhang
work=$(mktemp -d /tmp/taizhang-hostile.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 bench/make_hostile.py "$work/files"
"$bin" --db "sqlite://$work/demo.db" demo --admin-password bench-password >/dev/null
printf '%-20s %10s %10s %9s  %s\n' file bytes peak_MB seconds message
for file in "$work"/files/*.xlsx; do
  cp "$work/demo.db" "$work/run.db"
  /usr/bin/time -f '%M %e' -o "$work/time" "$bin" --db "sqlite://$work/run.db" import progress "$file" \
    >"$work/out" 2>"$work/err" || true
  read -r kb secs < <(tail -1 "$work/time")
  message=$(cat "$work/err" "$work/out" | grep -v '^\s*$' | head -1 | sed "s|$work/files/||" || true)
  printf '%-20s %10s %10s %9s  %s\n' "$(basename "$file")" "$(stat -c %s "$file")" "$((kb / 1024))" "$secs" "$message"
  if [ "$kb" -gt $((256 * 1024)) ]; then echo "  over 256 MB" >&2; fi
done
