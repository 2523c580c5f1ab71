#!/usr/bin/env bash
# Install what the project needs into ./.venv (Python 3.10+): the package, the sandbox and the SageMaker SDK v2.
# Usage: scripts/setup.sh [EXTRAS]   (default extras: sandbox,sdk-v2)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-sandbox,sdk-v2}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".[${extras}]"
