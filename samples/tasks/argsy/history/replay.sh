#!/bin/sh
# Rebuilds a sample task's git history in DEST from its history/steps, with fixed authors, dates
# and messages, so the commit hashes (and so the dataset's base_commit) are the same on every
# machine. Each step takes files as they are at the base commit and applies its own few changed
# lines (history/STEP.patch); the base commit is exactly repo/.
# This is samples/tools/replay-history.sh; make-dataset.mjs copies it into each task's history/
# (an image's build context is its task folder): edit it there, not the copies.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, and history/)
set -eu
SRC=$1
DEST=$2

# author NAME EMAIL: who wrote and committed every commit.
author() {
  export GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$2" GIT_COMMITTER_NAME="$1" GIT_COMMITTER_EMAIL="$2"
}
# take FILE...: the file as it is at the base commit.
take() { for f in "$@"; do mkdir -p "$(dirname "$f")"; cp "$SRC/repo/$f" "$f"; done; }
# apply STEP: the step's changes to the files taken so far (history/STEP.patch).
apply() { git apply "$SRC/history/$1.patch"; }
# commit DATE MESSAGE [BODY]: mode bits normalised, since git records the executable bit.
commit() {
  date=$1; shift
  find . -path ./.git -prune -o -type f -exec chmod 644 {} +
  git add -A
  for m in "$@"; do set -- "$@" -m "$m"; shift; done
  GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git -c commit.gpgsign=false commit -q "$@"
}
# base DATE MESSAGE [BODY]: the base commit, exactly the tree in repo/.
base() {
  find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
  cp -R "$SRC/repo/." .
  commit "$@"
}

git init -q -b main "$DEST"
cd "$DEST"
. "$SRC/history/steps"
