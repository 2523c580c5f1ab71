#!/usr/bin/env bash
# Run every benchmark in benchmarks/ (ratios and figures against baselines measured in the same run).
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python; [ -x "$py" ] || py=python3
status=0
for bench in benchmarks/bench_*.py; do
  echo "== $bench"
  (cd benchmarks && "../$py" "$(basename "$bench")") || status=1
done
exit $status
