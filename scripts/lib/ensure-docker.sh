#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs docker.io from apt when no dockerd exists
# (Debian/Ubuntu, as root), starts dockerd in the background when it is not running, and waits
# for one that is still starting or stopping instead of starting a second one.
set -euo pipefail
log="${DOCKERD_LOG:-/tmp/swe-gym-dockerd.log}"
answers() { docker info >/dev/null 2>&1; }
if answers; then exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "No Docker engine answers and this script can only install one as root with apt-get: start Docker yourself." >&2
    exit 1
  fi
  echo "[setup] installing docker.io from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi
# A dockerd that is shutting down holds its pid file: wait for it to go (it stops containers first).
for _ in $(seq 1 120); do
  answers && exit 0
  pgrep -x dockerd >/dev/null 2>&1 || break
  sleep 0.5
done
if [ "$(id -u)" = 0 ] && ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "[setup] starting dockerd" >&2
  nohup dockerd >>"$log" 2>&1 &
fi
for _ in $(seq 1 120); do
  answers && exit 0
  sleep 0.5
done
echo "dockerd did not answer within 60 s; see $log" >&2
exit 1
