#!/bin/sh
# Rebuilds textkit's git history in DEST with fixed authors, dates and messages, so the commit
# hashes (and so the dataset's base_commit) are the same on every machine.
# Usage: replay.sh SRC DEST   (SRC holds repo/ = the base commit's tree, history/, future/)
set -eu
SRC=$1
DEST=$2
export GIT_AUTHOR_NAME="Mira Okafor" GIT_AUTHOR_EMAIL="mira.okafor@example.org"
export GIT_COMMITTER_NAME="Mira Okafor" GIT_COMMITTER_EMAIL="mira.okafor@example.org"

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

take .gitignore LICENSE
older 01-initial
commit 2024-01-08T19:02:11+01:00 "Initial commit: pad, center, ljust, rjust"

take textkit/width.py textkit/wrap.py tests/test_wrap.py
older 02-wrap
commit 2024-01-15T21:40:03+01:00 "Add wrap() and fill() measured in display cells"

take textkit/shorten.py textkit/slug.py tests/test_shorten.py tests/test_slug.py
older 03-truncate-slugify
commit 2024-01-22T08:15:47+01:00 "Add truncate() and slugify()"

# The base commit: exactly the tree in repo/.
find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
cp -R "$SRC/repo/." .
commit 2024-02-03T17:28:30+01:00 "Add columns() for simple tables (#9)" "Closes #9."
base=$(git rev-parse HEAD)

# Future history, as real instance images often carry it: the fix and a release tagged after
# the base commit, then main moved back to the base commit.
git apply "$SRC/future/gold.patch" "$SRC/future/test.patch"
commit 2024-02-19T20:04:52+01:00 "align: measure display width instead of len() (#12)" "Fixes #12."
sed -i 's/^version = "0.1.3"$/version = "0.2.0"/' pyproject.toml
sed -i 's/^__version__ = "0.1.3"$/__version__ = "0.2.0"/' textkit/__init__.py
older release-0.2.0
commit 2024-02-20T09:30:00+01:00 "Release 0.2.0"
GIT_COMMITTER_DATE=2024-02-20T09:30:00+01:00 git tag -a v0.2.0 -m "textkit 0.2.0"
git branch release/0.2
git reset -q --hard "$base"
