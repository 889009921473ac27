#!/usr/bin/env bash
# The remote-engine tier: engines reached over ssh:// (an sshd of our own on 127.0.0.1, whose
# root reaches the same dockerd; scripts/lib/ensure-sshd.sh) and tcp:// with TLS. Starts that sshd
# when it is not running and stops it again after.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWE_GYM_SSHD_DIR="${SWE_GYM_SSHD_DIR:-/run/swe-gym-sshd}"
started=""
if ! { [ -f "$SWE_GYM_SSHD_DIR/sshd.pid" ] && kill -0 "$(cat "$SWE_GYM_SSHD_DIR/sshd.pid")" 2>/dev/null; }; then started=1; fi
bash scripts/lib/ensure-sshd.sh >/dev/null
stop() {
  if [ -n "$started" ] && [ -f "$SWE_GYM_SSHD_DIR/sshd.pid" ]; then kill "$(cat "$SWE_GYM_SSHD_DIR/sshd.pid")" 2>/dev/null || true; fi
}
trap stop EXIT
bash scripts/lib/run-node-tests.sh out/test/remote
