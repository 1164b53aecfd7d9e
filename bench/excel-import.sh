#!/usr/bin/env bash
# Excel import benchmark (not a test): 10,000 projects and 120,000 progress rows imported by
# `taizhang import` (reading, validation and the database write, on SQLite, whole process),
# beside pandas + openpyxl only reading the same workbooks and summing the same totals.
# Each side runs RUNS times and its best time counts (a shared machine is noisy); every
# taizhang run imports into a fresh copy of the same database.
# Usage: bench/excel-import.sh [PROJECTS] [RUNS]   (needs python3; installs openpyxl and pandas)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${2:-3}
python3 -c "import openpyxl, pandas" 2>/dev/null || pip install -q openpyxl pandas
cargo build --release -q -p taizhang-cli
bin=$PWD/target/release/taizhang
work=$(mktemp -d /tmp/taizhang-xlsx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$bin" --db "sqlite://$work/demo.db" demo --admin-password bench-password >/dev/null
python3 bench/make_workbooks.py "$work" "$n"

secs() { awk "BEGIN{print $2 - $1}"; }
min() { awk '{m = $1; for (i = 2; i <= NF; i++) if ($i < m) m = $i; print m}'; }
base=$work/demo.db # projects import into the demo; progress into the demo with the projects
for kind in projects progress; do
  file="$work/$kind.xlsx"
  ours=""
  for _ in $(seq "$runs"); do
    cp "$base" "$work/run.db"
    t0=$(date +%s.%N)
    out=$("$bin" --db "sqlite://$work/run.db" import "$kind" "$file" --year 2018)
    t1=$(date +%s.%N)
    ours="$ours $(secs "$t0" "$t1")"
  done
  ours=$(echo "$ours" | min)
  rows=$(echo "$out" | grep -o '[0-9]*行' | tr -d 行)
  theirs=""
  for _ in $(seq "$runs"); do
    read -r prows psecs ptotals < <(python3 bench/pandas_read.py "$file" "$kind")
    theirs="$theirs $psecs"
  done
  theirs=$(echo "$theirs" | min)
  printf '%-9s %7d rows  taizhang import %6.2f s (%8.0f rows/s)  pandas+openpyxl read %6.2f s (%7.0f rows/s)  %5.1fx  (best of %d)\n' \
    "$kind" "$rows" "$ours" "$(awk "BEGIN{print $rows / $ours}")" "$theirs" "$(awk "BEGIN{print $prows / $theirs}")" \
    "$(awk "BEGIN{print $theirs / $ours}")" "$runs"
  if [ "$kind" = projects ]; then
    "$bin" --db "sqlite://$base" import projects "$file" --year 2018 >/dev/null
  fi
done
echo "$("$bin" --db "sqlite://$work/run.db" import progress "$work/progress.xlsx" --year 2018 --dry-run)  (re-import, dry run)"
