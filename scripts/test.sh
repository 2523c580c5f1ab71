#!/usr/bin/env bash
# Install everything the tests need from scratch (Debian chromium, Python packages in ./.venv, the SageMaker
# SDK v3 in ./.venv-sdk3, the JupyterLab extension's npm packages) and run every check and test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "== installing Python packages into .venv"
scripts/setup.sh dev

echo "== JupyterLab extension: front-end unit tests (the package install above built it)"
(cd labextension && ../.venv/bin/jlpm install --immutable && ../.venv/bin/jlpm test)

echo "== installing the SageMaker SDK v3 into .venv-sdk3"
if [ ! -x .venv-sdk3/bin/python ]; then python3 -m venv .venv-sdk3; fi
.venv-sdk3/bin/python -m pip install --quiet --upgrade pip
.venv-sdk3/bin/python -m pip install --quiet --editable ".[test]" "sagemaker>=3,<4"

echo "== static checks: ruff, mypy, import-linter"
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports

echo "== tests (SDK v2 environment)"
.venv/bin/python -m pytest -p no:cacheprovider "$@"

echo "== tests (SDK v3 environment)"
AWS_DEFAULT_REGION=us-east-1 SAGEMAKER_VALIDATE_ROLE=false \
  .venv-sdk3/bin/python -m pytest -p no:cacheprovider -m sdk_v3 tests/sdk_v3
