#!/usr/bin/env bash
# ehlo run writes its reports and transcripts, and a transcript it wrote is
# one `ehlo import` reads back into a scenario that plays again:
#   run_reports.sh EHLO
# Run from the repository's root.
set -euo pipefail
ehlo=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "run_reports: $*"; exit 1; }

"$ehlo" run --report "json:$tmp/run.json" --report "junit:$tmp/run.xml" --transcript "$tmp/transcripts" \
  scenarios/seeds/samlogic-starttls-auth-login.json tests/data/scenarios/self-play/unterminated-reply.json \
  >"$tmp/out" 2>&1 && fail "exit 0 with a failing scenario" || [[ $? == 1 ]] || fail "exit code not 1"

# JSON: what ran, each verdict.
/usr/bin/python3 - "$tmp/run.json" <<'PY' || fail "JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
by = {s["name"]: s for s in r["scenarios"]}
assert by["samlogic-starttls-auth-login"]["status"] == "passed", by
assert by["unterminated-reply"]["status"] == "failed", by
assert r["totals"]["failed"] == 1 and r["totals"]["passed"] == 1, r["totals"]
PY
# JUnit: well-formed, one testcase each, the failure named.
xmllint --noout "$tmp/run.xml" || fail "JUnit XML is not well-formed"
grep -q '<testcase name="unterminated-reply"' "$tmp/run.xml" || fail "no testcase for unterminated-reply"
grep -q 'type="steps/2"' "$tmp/run.xml" || fail "the failure does not name steps/2"

# The transcript of the STARTTLS session, imported, plays again.
t="$tmp/transcripts/samlogic-starttls-auth-login.txt"
[[ -s $t ]] || fail "no transcript written"
"$ehlo" import "$t" >"$tmp/again.json" 2>/dev/null || fail "import of the written transcript"
grep -q '{"tls": "start"}' "$tmp/again.json" || fail "the re-imported session lost its TLS switch"
"$ehlo" validate "$tmp/again.json" >/dev/null || fail "the re-imported scenario is invalid"
"$ehlo" run "$tmp/again.json" >/dev/null || fail "the re-imported scenario does not play"
echo "run_reports: ok"
