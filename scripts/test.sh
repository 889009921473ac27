#!/usr/bin/env bash
# `npm test`: static checks, then every test tier against real parts (Docker engine, containers,
# code-server), then a check that no container of ours was left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== typecheck and lint"
npm run --silent typecheck
npm run --silent lint
echo "== build"
node scripts/build.mjs --production >/dev/null
npx tsc -p tsconfig.test.json
echo "== core tests (plain Node, real Docker)"
bash scripts/lib/run-node-tests.sh out/test/core
echo "== Podman tier (core runtime tests and the samples through Podman's Docker-compatible API)"
bash scripts/test-podman.sh
echo "== Slurm tier (the Slurm executor on a single-node cluster)"
bash scripts/test-slurm.sh
echo "== Remote tier (engines over ssh:// through an sshd of our own, and tcp:// with TLS)"
bash scripts/test-remote.sh
# SWE_GYM_SKIP_ENGINE_OUTAGE=1 spares a shared dev machine the dockerd restart; CI never sets it.
if [ -d out/test/engine-outage ] && [ -z "${SWE_GYM_SKIP_ENGINE_OUTAGE:-}" ]; then
  echo "== engine outage tests (stop and restart dockerd)"
  bash scripts/lib/run-node-tests.sh out/test/engine-outage
fi
if [ -f scripts/test-extension.sh ]; then
  echo "== extension tests (real VS Code: code-server + Chromium)"
  bash scripts/test-extension.sh
fi
left=$(docker ps -aq --filter label=io.swe-gym-studio.owner=swe-gym-studio | wc -l)
if [ "$left" != 0 ]; then
  echo "FAIL: $left container(s) of ours left behind:" >&2
  docker ps -a --filter label=io.swe-gym-studio.owner=swe-gym-studio >&2
  exit 1
fi
echo "== all tiers passed; no container left behind"
