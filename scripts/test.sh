#!/usr/bin/env bash
# Install everything the tests need from scratch (Debian chromium, Python packages in ./.venv, the SageMaker
# SDK v3 in ./.venv-sdk3, the JupyterLab extension's npm packages) and run every check and test.
# Needs only Python 3.10+ and Node.js 18+ on PATH: jlpm, jupyter-builder and the linters come from ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

fail() {
  echo "error: $1" >&2
  echo "fix: $2" >&2
  exit 2
}

if ! command -v node >/dev/null 2>&1; then
  fail "Node.js is not installed (the JupyterLab extension is built and tested with it)." \
    "Install Node.js 18 or newer (Debian: apt-get install nodejs; or https://nodejs.org) and run this again."
fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v lua5.1 >/dev/null 2>&1 || missing+=(lua5.1) # runs the Argo CD health checks (gopher-lua is 5.1)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]} (Debian)"
  if [ "$(id -u)" -eq 0 ]; then
    as_root=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root="sudo -n"
  else
    fail "${missing[*]} missing and installing needs root (not root here, and no password-less sudo)." \
      "Install first (sudo apt-get install ${missing[*]}), or run this script as root."
  fi
  command -v apt-get >/dev/null 2>&1 ||
    fail "${missing[*]} missing and this is not a Debian-like system (no apt-get)." \
      "Install ${missing[*]} with your package manager so that each is on PATH, then run this again."
  $as_root apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "== installing Python packages into .venv"
scripts/setup.sh dev
export PATH="$PWD/.venv/bin:$PATH"

echo "== JupyterLab extension: front-end unit tests, with only .venv/bin, node and the system on PATH"
# No globally installed jlpm, JupyterLab or yarn may be needed: prove it by hiding everything else.
node_dir="$(dirname "$(command -v node)")"
(cd labextension &&
  env -i PATH="$PWD/../.venv/bin:$node_dir:/usr/bin:/bin" HOME="$HOME" CI="${CI:-}" \
    bash -c '../.venv/bin/jlpm install --immutable && ../.venv/bin/jlpm test')

echo "== installing the SageMaker SDK v3 into .venv-sdk3"
if [ ! -x .venv-sdk3/bin/python ]; then python3 -m venv .venv-sdk3; fi
.venv-sdk3/bin/python -m pip install --quiet --upgrade pip
.venv-sdk3/bin/python -m pip install --quiet --editable ".[test]" "sagemaker>=3,<4"

echo "== static checks: ruff, mypy, import-linter"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports

echo "== tests (SDK v2 environment)"
.venv/bin/python -m pytest -p no:cacheprovider "$@"

echo "== benchmarks, smoke sizes: each runs and judges its targets (a broken benchmark fails here)"
./scripts/bench.sh --smoke

echo "== tests (SDK v3 environment)"
AWS_DEFAULT_REGION=us-east-1 SAGEMAKER_VALIDATE_ROLE=false \
  .venv-sdk3/bin/python -m pytest -p no:cacheprovider -m sdk_v3 tests/sdk_v3
