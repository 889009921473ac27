#!/usr/bin/env bash
# The Slurm tier: the Slurm executor against a real single-node cluster (Debian's slurm-wlm and
# munge, started by scripts/lib/ensure-slurm.sh when not running, stopped after when started here).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${SWE_GYM_SLURM_DIR:-/run/swe-gym-slurm}"
started=""
if ! SLURM_CONF="$dir/slurm.conf" timeout 10 sinfo -h >/dev/null 2>&1; then started=1; fi
conf="$(bash scripts/lib/ensure-slurm.sh)"
stop() {
  if [ -n "$started" ]; then
    for d in slurmd slurmctld; do [ -f "$dir/$d.pid" ] && kill "$(cat "$dir/$d.pid")" 2>/dev/null || true; done
    [ -f /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
  fi
}
trap stop EXIT
SLURM_CONF="$conf" bash scripts/lib/run-node-tests.sh out/test/slurm
