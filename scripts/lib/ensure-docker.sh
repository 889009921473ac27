#!/usr/bin/env bash
# Makes sure a Docker engine answers: installs docker.io from apt when no dockerd exists
# (Debian/Ubuntu, as root), starts dockerd in the background when it is not running.
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
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
if [ "$(id -u)" = 0 ]; then
  echo "[setup] starting dockerd" >&2
  nohup dockerd >"${DOCKERD_LOG:-/tmp/swe-gym-dockerd.log}" 2>&1 &
fi
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 0.5
done
echo "dockerd did not answer within 30 s; see ${DOCKERD_LOG:-/tmp/swe-gym-dockerd.log}" >&2
exit 1
