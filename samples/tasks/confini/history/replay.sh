#!/bin/sh
# Rebuilds confini's git history in DEST with fixed authors, dates and messages, so the commit
# hashes (and so the dataset's base_commit) are the same on every machine.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, and history/)
set -eu
SRC=$1
DEST=$2
export GIT_AUTHOR_NAME="Tomasz Wierzbicki" GIT_AUTHOR_EMAIL="tomasz.w@example.net"
export GIT_COMMITTER_NAME="Tomasz Wierzbicki" GIT_COMMITTER_EMAIL="tomasz.w@example.net"

# take FILE...: the file as it is at the base commit.
take() { for f in "$@"; do mkdir -p "$(dirname "$f")"; cp "$SRC/repo/$f" "$f"; done; }
# older STEP: files as they were at an earlier commit (history/STEP/ mirrors the tree).
older() { cp -R "$SRC/history/$1/." .; }
# commit DATE MESSAGE [BODY]: mode bits normalised, since git records the executable bit.
commit() {
  date=$1; shift
  find . -path ./.git -prune -o -type f -exec chmod 644 {} +
  git add -A
  for m in "$@"; do set -- "$@" -m "$m"; shift; done
  GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git -c commit.gpgsign=false commit -q "$@"
}

git init -q -b main "$DEST"
cd "$DEST"

take .gitignore tests/__init__.py
older 01-initial
commit 2023-10-02T11:20:00+02:00 "Initial import of the INI parser"

take confini/errors.py
older 02-config
commit 2023-10-09T18:45:31+02:00 "Add Config with typed getters and fallbacks"

take confini/parser.py tests/test_parser.py
commit 2023-11-14T07:58:12+01:00 "parser: support indented continuation lines (#3)"

# The base commit: exactly the tree in repo/.
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$SRC/repo/." .
commit 2023-12-01T21:13:40+01:00 "Add Config.getlist() and strip quotes from values (#5)" "Closes #5."
