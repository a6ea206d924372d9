#!/usr/bin/env bash
# What ehlo run does with --tag, --skip-tag and --var over scenarios/seeds:
#   - the scenarios left out are reported as skipped, with why: counted in the
#     summary line, listed with -v, in the JSON and JUnit reports in their place;
#   - a --var no scenario uses and a --tag or --skip-tag no scenario has are
#     warned of on stderr, and refused under --strict (exit 2, nothing played);
#   - the result lines and the reports are in input order whatever --jobs.
#   run_selection.sh EHLO
# Run from the repository's root.
set -uo pipefail
ehlo=$1
seeds=scenarios/seeds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "run_selection: $*"
  for f in "$tmp"/*.out "$tmp"/*.err; do [[ -f $f ]] && echo "--- ${f##*/}" && cat "$f"; done
  exit 1
}

# The seeds tagged auth but not tls, and the others, in input order (file names sorted).
/usr/bin/python3 - "$seeds" >"$tmp/expected" <<'PY' || fail "cannot read $seeds"
import json, pathlib, sys
for p in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    tags = json.load(open(p)).get("tags", [])
    why = "tagged tls (--skip-tag)" if "tls" in tags else "" if "auth" in tags else "not tagged auth"
    print(f"{p.stem}\t{why}")
PY
total=$(wc -l <"$tmp/expected")
skipped=$(grep -c $'\t.' "$tmp/expected")
played=$((total - skipped))
((played > 0 && skipped > 0)) || fail "the seeds no longer split on the tags auth and tls"

# ---- the scenarios left out are skipped, with why.
"$ehlo" run --jobs 4 --tag auth --skip-tag tls --report "json:$tmp/run.json" --report "junit:$tmp/run.xml" \
  "$seeds" >"$tmp/tags.out" 2>"$tmp/tags.err" || fail "exit status $?, expected 0"
[[ ! -s $tmp/tags.err ]] || fail "something on stderr where every option matched"
grep -qE "^$total scenarios: $played passed, 0 failed, $skipped skipped( \\(|;)" "$tmp/tags.out" ||
  fail "no summary line '$total scenarios: $played passed, 0 failed, $skipped skipped ('"
! grep -q '^SKIP' "$tmp/tags.out" || fail "SKIP lines without -v"
/usr/bin/python3 - "$tmp/run.json" "$tmp/expected" <<'PY' || fail "JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
expected = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
got = [(s["name"], (s["failure"] or {}).get("message", "") if s["status"] == "skipped" else "") for s in r["scenarios"]]
assert got == [tuple(e) for e in expected], got
skipped = sum(1 for _, why in expected if why)
assert r["totals"]["scenarios"] == len(expected) and r["totals"]["skipped"] == skipped, r["totals"]
assert all(s["status"] == ("skipped" if why else "passed") for s, (_, why) in zip(r["scenarios"], expected))
PY
xmllint --noout "$tmp/run.xml" || fail "JUnit XML is not well-formed"
grep -q "<testsuite name=\"ehlo\" tests=\"$total\" failures=\"0\" errors=\"0\" skipped=\"$skipped\"" "$tmp/run.xml" ||
  fail "JUnit counts"
[[ $(grep -c '<skipped message="not tagged auth"/>' "$tmp/run.xml") == $(grep -c $'\tnot tagged auth$' "$tmp/expected") ]] ||
  fail "JUnit: not a <skipped> per scenario not tagged auth"
[[ $(grep -c '<skipped message="tagged tls (--skip-tag)"/>' "$tmp/run.xml") == \
  $(grep -c $'\ttagged tls' "$tmp/expected") ]] || fail "JUnit: not a <skipped> per scenario tagged tls"

# -v lists each scenario skipped, and why.
"$ehlo" run -v --tag auth --skip-tag tls "$seeds" >"$tmp/verbose.out" 2>&1 || fail "-v: exit status $?"
first_skipped=$(awk -F'\t' '$2 != "" { print $1; exit }' "$tmp/expected")
why=$(awk -F'\t' '$2 != "" { print $2; exit }' "$tmp/expected")
grep -A1 "^SKIP  $first_skipped  (" "$tmp/verbose.out" | grep -qxF "      $why" ||
  fail "-v does not list $first_skipped as skipped, $why"

# ---- input order whatever --jobs: two runs print the same lines in the same order.
names() { sed -nE 's/^(PASS|FAIL|ERROR|SKIP|INTR) +([^ ]+) .*/\1 \2/p' "$1"; }
"$ehlo" run --jobs 1 "$seeds" >"$tmp/jobs1.out" 2>&1 || fail "--jobs 1: exit status $?"
"$ehlo" run --jobs 8 "$seeds" >"$tmp/jobs8.out" 2>&1 || fail "--jobs 8: exit status $?"
[[ $(names "$tmp/jobs1.out" | wc -l) == "$total" ]] || fail "--jobs 1: not a line per scenario"
diff <(names "$tmp/jobs1.out") <(names "$tmp/jobs8.out") >"$tmp/order.diff" || fail "--jobs 8 prints another order"
diff <(names "$tmp/jobs1.out" | cut -d' ' -f2) <(cut -f1 "$tmp/expected") >"$tmp/order.diff" ||
  fail "the lines are not in input order"

# ---- what no scenario has: a warning, and under --strict an error.
"$ehlo" run --var passwrd=x --skip-tag no-such-tag "$seeds" >"$tmp/warn.out" 2>"$tmp/warn.err" ||
  fail "warnings: exit status $?, expected 0"
diff - "$tmp/warn.err" <<'TXT' >"$tmp/warn.diff" || fail "warnings: stderr is not the two warnings"
ehlo run: warning: --var passwrd: no scenario uses this variable
ehlo run: warning: --skip-tag no-such-tag: no scenario has this tag
TXT
grep -qE "^$total scenarios: $total passed, 0 failed( \\(|;)" "$tmp/warn.out" || fail "warnings: not every seed played"
status=0
"$ehlo" run --strict --var passwrd=x --tag auth --tag no-such-tag "$seeds" >"$tmp/strict.out" 2>"$tmp/strict.err" ||
  status=$?
[[ $status == 2 ]] || fail "--strict: exit status $status, expected 2"
diff - "$tmp/strict.err" <<'TXT' >"$tmp/strict.diff" || fail "--strict: stderr"
ehlo run: --var passwrd: no scenario uses this variable
ehlo run: --tag no-such-tag: no scenario has this tag
ehlo run: nothing was played (--strict)
TXT
[[ ! -s $tmp/strict.out ]] || fail "--strict: something was played"
"$ehlo" run --strict --var user=x --tag auth "$seeds" >"$tmp/strict-ok.out" 2>&1 ||
  fail "--strict with every option matched: exit status $?"
echo "run_selection: ok"
