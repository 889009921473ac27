#!/usr/bin/env bash
# Makes sure a Podman engine answers on its Docker-compatible socket: installs Debian's podman
# (and catatonit, the init Podman uses for `Init: true`) from apt when missing, starts
# `podman system service` on our own socket when nothing answers there, and loads the base image
# from Docker into it when Podman lacks it (nothing can be pulled here).
# Prints the socket path. Stop the service with: kill "$(cat "$SWE_GYM_PODMAN_DIR/service.pid")".
set -euo pipefail
dir="${SWE_GYM_PODMAN_DIR:-/run/swe-gym-podman}"
sock="$dir/podman.sock"
base="${SWE_GYM_BASE_IMAGE:-swe-gym-studio/base:bookworm-1}"
answers() { curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; }
if ! command -v podman >/dev/null 2>&1 || ! command -v catatonit >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Podman is not installed and this script can only install it as root with apt-get." >&2
    exit 1
  fi
  echo "[setup] installing podman from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq podman catatonit >/dev/null
fi
mkdir -p "$dir"
if ! answers; then
  echo "[setup] starting podman system service on $sock" >&2
  rm -f "$sock"
  # Podman raises each container's open-files and process limits to 1048576 / 4194304 by default;
  # where the host's hard limits are lower (as in this sandbox) runc may not, and every start
  # fails: ask for the host's open-files limit, and a process limit runc could set here (the
  # pids cgroup, 4096 by default, is the limit that counts).
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  nproc="$(ulimit -Hu)"
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' "$nofile" "$nofile" "$nproc" "$nproc" >"$dir/containers.conf"
  CONTAINERS_CONF="$dir/containers.conf" nohup podman system service --time=0 "unix://$sock" >>"$dir/service.log" 2>&1 &
  echo $! >"$dir/service.pid"
  for _ in $(seq 1 60); do
    answers && break
    sleep 0.5
  done
  answers || { echo "podman did not answer on $sock within 30 s; see $dir/service.log" >&2; exit 1; }
fi
# Podman names an image loaded without a registry localhost/NAME; lookups by NAME find it.
if ! podman image exists "$base"; then
  echo "[setup] copying $base from Docker into Podman" >&2
  bash "$(dirname "$0")/ensure-base-image.sh" >&2
  docker save "$base" | podman load -q >&2
fi
echo "$sock"
