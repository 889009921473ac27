#!/usr/bin/env bash
# The main job on the bundled samples: set up what is missing, build, then evaluate the gold,
# empty and tempting patches of every sample task in real containers and print the rewards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/build.mjs >/dev/null 2>&1 || node scripts/build.mjs
node dist/cli.js demo "$@"
