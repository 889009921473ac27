#!/usr/bin/env bash
# Benchmarks: each prints its figures and a ratio against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx tsc -p tsconfig.test.json
for b in out/bench/*.js; do
  echo "== $(basename "$b" .js)"
  node "$b"
done
