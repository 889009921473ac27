#!/usr/bin/env bash
# Installs npm dependencies from the lock file unless they are already in place.
set -euo pipefail
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then exit 0; fi
echo "[setup] npm ci" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
