#!/usr/bin/env bash
# Builds the base image the sample task images start FROM, unless it exists already.
# Offline (no registry) it is a debootstrap rootfs from Debian's apt mirror; with a registry
# it falls back to a Dockerfile FROM debian:bookworm-slim.
set -euo pipefail
IMAGE="${SWE_GYM_BASE_IMAGE:-swe-gym-studio/base:bookworm-1}"
ROOTFS_IMAGE="swe-gym-studio/rootfs:bookworm-1"
PACKAGES="python3,python3-pytest,python3-pytest-xdist,git,patch,ca-certificates,procps"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then exit 0; fi
here="$(cd "$(dirname "$0")" && pwd)"
if docker image inspect "$ROOTFS_IMAGE" >/dev/null 2>&1; then
  :
elif [ "$(id -u)" = 0 ] && { command -v debootstrap >/dev/null 2>&1 || command -v apt-get >/dev/null 2>&1; }; then
  command -v debootstrap >/dev/null 2>&1 || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  rootfs="$(mktemp -d /tmp/swe-gym-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  echo "[setup] debootstrap bookworm into $rootfs (about a minute)" >&2
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" >/tmp/swe-gym-debootstrap.log 2>&1 \
    || { echo "debootstrap failed, see /tmp/swe-gym-debootstrap.log" >&2; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' - "$ROOTFS_IMAGE" >/dev/null
else
  echo "[setup] building $IMAGE from debian:bookworm-slim" >&2
  docker build -q -t "$ROOTFS_IMAGE" -f "$here/base.Dockerfile" "$here" >/dev/null
fi
docker build -q -t "$IMAGE" --build-arg ROOTFS_IMAGE="$ROOTFS_IMAGE" -f "$here/base-layout.Dockerfile" "$here" >/dev/null
echo "[setup] base image $IMAGE ready" >&2
