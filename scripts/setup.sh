#!/usr/bin/env bash
# Everything the CLI and the tests need on this machine, reusing what is already there:
# npm packages, a running Docker engine, and the local base image the sample images build on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/lib/ensure-node-modules.sh
bash scripts/lib/ensure-docker.sh
bash scripts/lib/ensure-base-image.sh
bash scripts/lib/ensure-python.sh >/dev/null
