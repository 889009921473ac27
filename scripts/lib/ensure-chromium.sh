#!/usr/bin/env bash
# Makes sure Debian's chromium is installed (playwright-core drives it; never `npx playwright
# install`, which downloads a browser). Prints its path.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then echo "$CHROMIUM"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing at $CHROMIUM; install it (apt-get install chromium) or set CHROMIUM_PATH" >&2; exit 1
fi
echo "[setup] apt-get install chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq chromium >/dev/null
echo "$CHROMIUM"
