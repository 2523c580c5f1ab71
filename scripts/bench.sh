#!/usr/bin/env bash
# Run every benchmark in benchmarks/ (ratios and figures against baselines measured in the same run).
# Each one judges its targets and exits non-zero on a miss or a missing piece; so does this script.
#
#   scripts/bench.sh                  full sizes (several minutes)
#   scripts/bench.sh --smoke          small sizes, a few seconds each (CI: finds a broken benchmark)
#   scripts/bench.sh [--smoke] bench_publish.py ...   only these
set -uo pipefail
cd "$(dirname "$0")/.."
limit=900
if [ "${1:-}" = "--smoke" ]; then
  export BENCH_SMOKE=1
  limit=120
  shift
fi
py="$PWD/.venv/bin/python"
[ -x "$py" ] || py="$(command -v python3)"
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(benchmarks/bench_*.py)
status=0
failed=()
for bench in "${benches[@]}"; do
  name="$(basename "$bench")"
  echo "== $name${BENCH_SMOKE:+ (smoke)}"
  started=$SECONDS
  if ! (cd benchmarks && timeout "$limit" "$py" "$name"); then
    # A smoke run is for finding a broken benchmark: a figure missed once on a busy machine gets one more try.
    if [ -n "${BENCH_SMOKE:-}" ] && echo "   (missed or failed: once more)" && (cd benchmarks && timeout "$limit" "$py" "$name"); then
      echo "   (passed on the second try)"
    else
      status=1
      failed+=("$name")
    fi
  fi
  echo "   ($((SECONDS - started)) s)"
done
if [ $status -ne 0 ]; then
  echo "benchmarks that failed or missed a target: ${failed[*]}"
fi
exit $status
