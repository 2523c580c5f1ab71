#!/usr/bin/env bash
# Install into ./.venv and run the quickstart end to end on the embedded sandbox (no AWS account, no cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh sandbox,sdk-v2
exec .venv/bin/sagemaker-ack quickstart "$@"
