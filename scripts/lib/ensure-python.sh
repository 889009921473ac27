#!/usr/bin/env bash
# Makes sure a python3 exists (the gym server's tests drive it from a standard-library Python
# client, as a user's scaffold would). Debian's python3-minimal is enough. Prints its path.
set -euo pipefail
if command -v python3 >/dev/null 2>&1; then command -v python3; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "python3 is missing; install it (apt-get install python3-minimal)" >&2; exit 1
fi
echo "[setup] apt-get install python3-minimal" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq python3-minimal >/dev/null
command -v python3
