#!/bin/sh
# Rebuilds statlite's git history in DEST with fixed authors, dates and messages, so the commit
# hashes (and so the dataset's base_commit) are the same on every machine.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, and history/)
set -eu
SRC=$1
DEST=$2
export GIT_AUTHOR_NAME="Kwame Mensah" GIT_AUTHOR_EMAIL="kwame.mensah@example.edu"
export GIT_COMMITTER_NAME="Kwame Mensah" GIT_COMMITTER_EMAIL="kwame.mensah@example.edu"

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

take .gitignore statlite/matrix.py tests/__init__.py tests/test_matrix.py
older 01-initial
commit 2024-08-30T12:00:41+00:00 "Initial commit: Matrix with det(), solve() and inverse()"

older 02-stats
commit 2024-09-04T15:36:18+00:00 "Add mean, median, variance, covariance and correlation"

# The base commit: exactly the tree in repo/.
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$SRC/repo/." .
commit 2024-09-17T08:09:55+00:00 "Add polyfit() and linear_fit() built on Matrix.solve() (#12)"
