#!/usr/bin/env bash
# Excel import benchmark (not a test): 10,000 projects and 120,000 progress rows imported by
# `taizhang import` (reading, validation and the database write, on SQLite), beside pandas +
# openpyxl only reading the same workbooks and summing the same totals.
# Usage: bench/excel-import.sh [PROJECTS]   (needs python3; installs openpyxl and pandas)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
python3 -c "import openpyxl, pandas" 2>/dev/null || pip install -q openpyxl pandas
cargo build --release -q -p taizhang-cli
bin=$PWD/target/release/taizhang
work=$(mktemp -d /tmp/taizhang-xlsx-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
db="sqlite://$work/bench.db"
"$bin" --db "$db" demo --admin-password bench-password >/dev/null
python3 bench/make_workbooks.py "$work" "$n"

secs() { awk "BEGIN{print $2 - $1}"; }
for kind in projects progress; do
  file="$work/$kind.xlsx"
  t0=$(date +%s.%N)
  out=$("$bin" --db "$db" import "$kind" "$file" --year 2018)
  t1=$(date +%s.%N)
  rows=$(echo "$out" | grep -o '[0-9]*行' | tr -d 行)
  ours=$(secs "$t0" "$t1")
  read -r prows psecs ptotals < <(python3 bench/pandas_read.py "$file" "$kind")
  printf '%-9s %7d rows  taizhang import %6.2f s (%8.0f rows/s)  pandas+openpyxl read %6.2f s (%7.0f rows/s)  %5.1fx\n' \
    "$kind" "$rows" "$ours" "$(awk "BEGIN{print $rows / $ours}")" "$psecs" "$(awk "BEGIN{print $prows / $psecs}")" \
    "$(awk "BEGIN{print $psecs / $ours}")"
done
echo "$("$bin" --db "$db" import progress "$work/progress.xlsx" --year 2018 --dry-run)  (re-import, dry run)"
