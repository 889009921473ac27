#!/bin/sh
# Rebuilds moneta's git history in DEST with fixed authors, dates and messages, so the commit
# hashes (and so the dataset's base_commit) are the same on every machine.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, and history/)
set -eu
SRC=$1
DEST=$2
export GIT_AUTHOR_NAME="Jonas Lindqvist" GIT_AUTHOR_EMAIL="jonas@lindqvist.example"
export GIT_COMMITTER_NAME="Jonas Lindqvist" GIT_COMMITTER_EMAIL="jonas@lindqvist.example"

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

take .gitignore moneta/errors.py tests/__init__.py tests/test_currency.py
older 01-initial
commit 2023-06-12T20:31:07+02:00 "moneta 2.0: Decimal-based Money, floats refused"

take moneta/money.py tests/test_money.py
commit 2023-06-20T22:05:48+02:00 "Add Money.allocate() and split() that never lose a cent (#11)"

take moneta/format.py moneta/__init__.py
older 03-format
commit 2023-07-08T13:17:26+02:00 "Add format_money() (#19)"

# The base commit: exactly the tree in repo/.
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$SRC/repo/." .
commit 2023-08-29T18:44:02+02:00 "Add CHF, JPY, KRW and KWD; compare formatting with Babel when installed (#30)"
