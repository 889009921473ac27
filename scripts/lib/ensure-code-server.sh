#!/usr/bin/env bash
# Installs code-server (a real VS Code that runs offline) from npm into a cache folder and prints
# the path of its launcher. Reuses an existing install. Three fixes make the npm install work
# without GitHub or Microsoft servers (see shared/ENVIRONMENT.md): a cached ripgrep archive for
# @vscode/ripgrep, npm_config_yes for node-pty's `npx node-gyp`, and unsafe_perm for root.
set -euo pipefail
VERSION="${CODE_SERVER_VERSION:-4.100.3}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="${CODE_SERVER_PREFIX:-$repo/.cache/code-server-$VERSION}"
BIN="$PREFIX/node_modules/.bin/code-server"

if [ -x "$BIN" ] && [ -f "$PREFIX/.installed" ]; then echo "$BIN"; exit 0; fi

need_apt=()
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
for p in libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config build-essential python3; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "code-server needs these packages: ${need_apt[*]} (install them as root)" >&2; exit 1
  fi
  echo "[setup] apt-get install ${need_apt[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# @vscode/ripgrep looks for this archive before it tries to download from GitHub.
cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$archive" ]; then
  mkdir -p "$cache"
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  tar -C "$stage" -czf "$archive" rg
  rm -rf "$stage"
fi

echo "[setup] installing code-server $VERSION into $PREFIX (about 40 s)" >&2
mkdir -p "$PREFIX"
[ -f "$PREFIX/package.json" ] || echo '{"name":"code-server-cache","private":true}' >"$PREFIX/package.json"
log="$PREFIX/install.log"
if ! npm_config_yes=true npm_config_unsafe_perm=true npm install --prefix "$PREFIX" --no-audit --no-fund \
     --no-save "code-server@$VERSION" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "code-server install failed; full log: $log" >&2
  exit 1
fi
[ -x "$BIN" ] || { echo "code-server installed but $BIN is missing" >&2; exit 1; }
touch "$PREFIX/.installed"
echo "$BIN"
