#!/bin/sh
# Rebuilds argsy's git history in DEST with fixed authors, dates and messages, so the commit
# hashes (and so the dataset's base_commit) are the same on every machine.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, and history/)
set -eu
SRC=$1
DEST=$2
export GIT_AUTHOR_NAME="Lucía Fernández" GIT_AUTHOR_EMAIL="lucia.fernandez@example.io"
export GIT_COMMITTER_NAME="Lucía Fernández" GIT_COMMITTER_EMAIL="lucia.fernandez@example.io"

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

take .gitignore argsy/errors.py tests/__init__.py
older 01-initial
commit 2022-11-05T16:40:12-03:00 "Initial commit: flags, typed options and positionals"

take argsy/help.py argsy/__init__.py tests/test_help.py
commit 2022-11-12T11:02:37-03:00 "Add format_usage() and format_help()"

# The base commit: exactly the tree in repo/.
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$SRC/repo/." .
commit 2023-01-21T19:26:54-03:00 "Options: choices and multiple=True (#7)" "Closes #7."
