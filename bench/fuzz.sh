#!/usr/bin/env bash
# Each fuzz target for longer than CI can (default 10 minutes each); see .ci/fuzz.
# Usage: bench/fuzz.sh [SECONDS]
exec "$(dirname "$0")/../.ci/fuzz" "${1:-600}"
