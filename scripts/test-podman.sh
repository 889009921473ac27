#!/usr/bin/env bash
# The Podman tier: the core runtime tests (exec, pty, archive, build, reaper, isolation) and every
# sample's gold / untouched-base verdict, against Podman's Docker-compatible socket. Starts the
# Podman service when it is not running and stops it again after.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${SWE_GYM_PODMAN_DIR:-/run/swe-gym-podman}"
started=""
if ! curl -sf --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1; then started=1; fi
sock="$(bash scripts/lib/ensure-podman.sh)"
stop() {
  if [ -n "$started" ] && [ -f "$dir/service.pid" ]; then kill "$(cat "$dir/service.pid")" 2>/dev/null || true; fi
}
trap stop EXIT
rc=0
# The pool tests use both engines: Docker where DOCKER_HOST pointed before, Podman on its socket.
export SWE_GYM_DOCKER_ENGINE="${DOCKER_HOST:-/var/run/docker.sock}"
# The memory and fork-bomb limits test is left to the Docker tier (same HostConfig; slow here).
# leftovers.test: no container is left behind on Podman either (its own network included).
DOCKER_HOST="unix://$sock" SWE_GYM_SKIP_LIMITS_TEST="Podman tier" bash scripts/lib/run-node-tests.sh out/test/podman \
  out/test/core/runtime/dockerRuntime.test.js out/test/core/runtime/isolation.test.js out/test/core/runtime/leftovers.test.js || rc=$?
left=$(podman ps -aq --filter label=io.swe-gym-studio.owner=swe-gym-studio | wc -l)
if [ "$left" != 0 ]; then
  echo "FAIL: $left Podman container(s) of ours left behind" >&2
  podman ps -a --filter label=io.swe-gym-studio.owner=swe-gym-studio >&2
  rc=1
fi
exit $rc
