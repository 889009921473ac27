#!/usr/bin/env bash
# Runs node:test files under a folder of out/ and fails when the tier ran no test at all.
# A test that hangs fails after 5 minutes instead of holding CI.
set -uo pipefail
dir="$1"; shift
log="$(mktemp)"
node --test --test-timeout=300000 --test-reporter=spec --test-reporter-destination=stdout --test-reporter=tap --test-reporter-destination="$log" "$@" "$dir"
rc=$?
count=$(grep -E '^# tests [0-9]+' "$log" | awk '{print $3}' | tail -1)
pass=$(grep -E '^# pass [0-9]+' "$log" | awk '{print $3}' | tail -1)
fail=$(grep -E '^# fail [0-9]+' "$log" | awk '{print $3}' | tail -1)
rm -f "$log"
echo "${dir}: ${pass:-0} passed, ${fail:-0} failed"
if [ "${count:-0}" = 0 ]; then echo "FAIL: no test ran in $dir" >&2; exit 1; fi
exit $rc
