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
status=0
bash scripts/lib/run-node-tests.sh out/test/remote || status=1
# The extension's synced workspace over ssh:// (test/extension/suite/h_remoteSync.test.ts), in a
# real VS Code: only that suite, here where the sshd runs, rather than making the extension tier need it.
CODE_SERVER_BIN="$(bash scripts/lib/ensure-code-server.sh)"
CHROMIUM_PATH="$(bash scripts/lib/ensure-chromium.sh)"
export CODE_SERVER_BIN CHROMIUM_PATH
SWE_GYM_REMOTE_SUITE=1 SWE_GYM_TEST_GREP='remote engine over ssh://' node out/test/extension/runExtensionTests.js || status=1
exit "$status"
