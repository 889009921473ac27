#!/usr/bin/env bash
# Extension tests in a real VS Code (code-server, offline) and headless Chromium:
#   1. the mocha suite inside the extension host (test/extension/suite),
#   2. the clicking UI tests (test/ui/flow.ts, test/ui/agentFlow.ts), screenshots in test-results/screenshots/,
#   3. the packaged .vsix installed into a fresh code-server (test/ui/vsixSmoke.ts).
# Installs what it needs (Docker engine, base image, code-server, chromium), builds, runs both,
# and exits non-zero if either fails. SWE_GYM_SKIP_UI=1 runs only the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
here="$(pwd)"

bash scripts/lib/ensure-docker.sh
bash scripts/lib/ensure-base-image.sh
CODE_SERVER_BIN="$(bash scripts/lib/ensure-code-server.sh)"
CHROMIUM_PATH="$(bash scripts/lib/ensure-chromium.sh)"
export CODE_SERVER_BIN CHROMIUM_PATH

node scripts/build.mjs >/dev/null
npx tsc -p tsconfig.test.json >/dev/null || true   # others' type errors must not block emitting ours
for f in out/test/extension/unit/protocol.test.js out/test/extension/runExtensionTests.js out/test/extension/suite/index.js out/test/ui/flow.js out/test/ui/pageFlow.js out/test/ui/agentFlow.js out/test/ui/agentReload.js out/test/ui/pythonFlow.js out/test/ui/vsixSmoke.js; do
  [ -f "$f" ] || { echo "missing $f after compiling the tests" >&2; exit 1; }
done

# pyright and Node for the in-container Python language server (npm, cached in .cache/language-server).
node out/test/support/languageServer.js

status=0
echo "== webview protocols and the agent view model (plain Node) =="
node --test out/test/extension/unit/ || status=1
echo "== extension-host tests (code-server) =="
node out/test/extension/runExtensionTests.js || status=1
if [ "${SWE_GYM_SKIP_UI:-0}" != 1 ]; then
  echo "== UI test (headless Chromium) =="
  bash "$here/scripts/test-ui.sh" --no-setup || status=1
  echo "== packaged .vsix in a fresh code-server =="
  if npm run --silent package >/tmp/swe-gym-package.log 2>&1; then
    node out/test/ui/vsixSmoke.js dist/swe-gym-studio.vsix || status=1
  else
    tail -n 20 /tmp/swe-gym-package.log >&2
    echo "vsix: 0 passed, 1 failed"
    status=1
  fi
fi
exit "$status"
