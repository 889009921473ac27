#!/bin/sh
# Rebuilds dateranges' git history in DEST with fixed authors, dates and messages, so the commit
# hashes (and so the dataset's base_commit) are the same on every machine.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, and history/)
set -eu
SRC=$1
DEST=$2
export GIT_AUTHOR_NAME="Priya Raman" GIT_AUTHOR_EMAIL="priya.raman@example.com"
export GIT_COMMITTER_NAME="Priya Raman" GIT_COMMITTER_EMAIL="priya.raman@example.com"

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
commit 2024-04-02T14:03:55+05:30 "Initial commit: DateRange and month helpers"

older 02-parse
commit 2024-04-06T10:41:20+05:30 "Add parse_range() for days, months, years and spans"

take dateranges/__init__.py dateranges/calendar.py dateranges/parse.py tests/test_parse.py tests/test_calendar.py
commit 2024-04-19T16:22:09+05:30 "Parse quarters (2024-Q1) and add quarter_bounds() (#14)"

# The base commit: exactly the tree in repo/.
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$SRC/repo/." .
commit 2024-05-03T09:12:44+05:30 "Add DateRange.shift() and split_months() (#17)"
