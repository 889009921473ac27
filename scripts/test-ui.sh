#!/usr/bin/env bash
# The clicking UI tests alone: tree item -> page -> Launch -> Run hidden tests -> reward, themes,
# reload, Stop; then the agent live view (start, pause, edit the next action, resume, reward,
# request JSON, step diff, run table, themes), a rollout reopened after a reload, and Python
# language features from the container. Screenshots land in test-results/screenshots/
# (look at them).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != --no-setup ]; then
  bash scripts/lib/ensure-docker.sh
  bash scripts/lib/ensure-base-image.sh
  CODE_SERVER_BIN="$(bash scripts/lib/ensure-code-server.sh)"
  CHROMIUM_PATH="$(bash scripts/lib/ensure-chromium.sh)"
  export CODE_SERVER_BIN CHROMIUM_PATH
  node scripts/build.mjs >/dev/null
  npx tsc -p tsconfig.test.json >/dev/null || true
  # pyright and Node for the in-container Python language server (npm, cached in .cache/language-server).
  node out/test/support/languageServer.js
fi
status=0
node out/test/ui/flow.js || status=1
# Hidden tests stay hidden in the Test log until revealed, the walkthrough ticks however the work
# was done, the page follows terminal edits and keeps its sections open: page-*.png.
node out/test/ui/pageFlow.js || status=1
# Launch from a single-folder window, a second launch, Show folder, reload, Stop: launch-*.png.
node out/test/ui/launchFlow.js || status=1
# The agent live view: scripted model on 127.0.0.1, screenshots agent-*.png.
node out/test/ui/agentFlow.js || status=1
# A rollout cut off by a window reload, reopened from its event log: agent-reload-*.png.
node out/test/ui/agentReload.js || status=1
# The launch's reload lands in a workspace without the instance's folder: re-adding it restarts the
# extension host, and the pending agent start runs once, in the host that stays: agent-folder-reload-*.png.
node out/test/ui/agentFolderReload.js || status=1
# The Python language server in the container: hover, definition read-only from the container,
# a type error in Problems: python-*.png.
node out/test/ui/pythonFlow.js || status=1
# Imported runs of other scaffolds: Open Trajectories…, the tree, the step view, Compute diffs, Grade's flag, Replay's first divergence: trajectory-*.png.
node out/test/ui/trajectoryFlow.js || status=1
# Start Gym Server, a client driving a sample, pause / let one step through / stop from the view: gym-*.png.
node out/test/ui/gymFlow.js || status=1
# A human demonstration: Start Demonstration, a note typed in the panel, an edit saved, sed -i in
# the container terminal, a step's note, the hidden tests, pause/resume, Finish, the difficulty
# questions answered (Back, notes) and shown on the page, the step view's header: demo-*.png.
node out/test/ui/demoFlow.js || status=1
# A demonstration campaign: started from the tree, the next instance prepared ahead, a skip with its
# reason, a real window reload (status bar, queue, prepared next and recording come back), Next
# after it (graded, the third opened), Stop: campaign-*.png.
node out/test/ui/campaignFlow.js || status=1
# kill -9 of the extension host mid-demonstration, reload: the panel shows the kept steps with
# Resume / Discard at once, Resume, the next save is step 3 of the same log: demo-crash-*.png.
node out/test/ui/demoCrash.js || status=1
exit "$status"
