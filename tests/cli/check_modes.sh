#!/usr/bin/env bash
# ehlo check in each of its ways, against ehlo's own peers on 127.0.0.1 made
# to conform or to commit a probe's violation (`ehlo run --play`):
#   - --list and --self-test;
#   - two --target side by side, one conforming and one violating: the verdict
#     of each, --fail-on, the JSON, JUnit and HTML reports, --baseline;
#   - --listen with --client-cmd running ehlo as the client, both ways, and a
#     client that exits without connecting (inconclusive);
#   - a --probe that names nothing: a warning, and exit 2 under --strict.
#
#   check_modes.sh EHLO
# Run from the repository's root. Exit 0 when every check holds, 1 otherwise.
set -uo pipefail
ehlo=$(realpath "$1")
server_probe=scenarios/examples/probe-smuggling-lf.json
client_probe=tests/data/conformance/greeting-554-client.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-check-modes.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
fail() {
  echo "check_modes: $*"
  failed=1
}
# expect NAME STATUS TEXT... -- COMMAND...: runs it, checks its exit status and that its output holds every TEXT.
expect() {
  local name=$1 want=$2 texts=()
  shift 2
  while [[ $1 != -- ]]; do texts+=("$1") && shift; done
  shift
  "$@" >"$tmp/$name.out" 2>&1
  local got=$?
  [[ $got == "$want" ]] || fail "$name: exit $got, expected $want"
  for t in "${texts[@]}"; do grep -qF -- "$t" "$tmp/$name.out" || fail "$name: the output lacks: $t"; done
  ((failed)) && {
    echo "---- $name: $*"
    cat "$tmp/$name.out"
  }
}

expect list 0 "probe-smuggling-lf" "smuggling" "5321-4.1.1.4" "<LF>.<LF> does not end the data" "1 probes" -- \
  "$ehlo" check --list "$server_probe"
expect self-test 0 "PROVEN  probe-smuggling-lf" "PROVEN  greeting-554-client" "2 probes: 2 proven, 0 failed" -- \
  "$ehlo" check --self-test "$server_probe" "$client_probe"

# Two servers: ehlo's server role playing the probe's conforming branch, and its violating one.
serve() {
  local name=$1
  shift
  timeout -k 2 120 "$ehlo" run --listen 127.0.0.1:0 --connections 3 "$@" "$server_probe" >"$tmp/$name.server" 2>&1 &
  pids+=($!)
  local port=""
  for _ in $(seq 200); do
    port=$(sed -n '1s/^listening on port \([0-9][0-9]*\)$/\1/p' "$tmp/$name.server")
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || fail "$name: the server printed no port"
  echo "$port"
}
good=$(serve good --play conforms)
bad=$(serve bad --play violates)
expect two-targets 1 "127.0.0.1:$good" "127.0.0.1:$bad" "conforms" "VIOLATES" "[5321-4.1.1.4]" \
  "it took <LF>.<LF> as the end of data" -- \
  "$ehlo" check --target "127.0.0.1:$good" --target "127.0.0.1:$bad" --report "json:$tmp/two.json" \
  --report "junit:$tmp/two.xml" --report "html:$tmp/two.html" "$server_probe"
/usr/bin/python3 - "$tmp/two.json" "$good" "$bad" <<'PY' || fail "two-targets: the JSON report's verdicts"
import json, sys
results = json.load(open(sys.argv[1]))["scenarios"]
got = sorted((r["peer"], r["probe"]["verdict"], r["probe"]["rule"]) for r in results)
want = sorted([("127.0.0.1:" + sys.argv[2], "conforms", ""), ("127.0.0.1:" + sys.argv[3], "violates", "5321-4.1.1.4")])
sys.exit(0 if got == want else print(got) or 1)
PY
grep -q "<failure" "$tmp/two.xml" || fail "two-targets: no <failure> in the JUnit report for a MUST violation"
grep -q "probe-smuggling-lf" "$tmp/two.html" || fail "two-targets: the HTML report does not name the probe"
# The violating server as a baseline, the conforming one now: better, so exit 0; and the other way round, worse.
expect baseline-better 0 -- "$ehlo" check --target "127.0.0.1:$good" --baseline "$tmp/two.json" "$server_probe"
expect fail-on-never 0 "VIOLATES" -- "$ehlo" check --target "127.0.0.1:$bad" --fail-on never "$server_probe"
# One target each: compared though the addresses differ (a CI server on a fresh port); worse fails.
expect good-alone 0 "conforms" -- "$ehlo" check --target "127.0.0.1:$good" --report "json:$tmp/good.json" "$server_probe"
expect baseline-worse 1 "worse" -- "$ehlo" check --target "127.0.0.1:$bad" --baseline "$tmp/good.json" --fail-on never \
  "$server_probe"

# Clients run by --client-cmd: ehlo itself, made to conform or not.
client_cmd() { echo "$ehlo run --target {host}:{port} --play $1 {probe}"; }
expect client-conforms 0 "conforms" "greeting-554-client" -- \
  "$ehlo" check --listen 127.0.0.1:0 --client-cmd "$(client_cmd conforms)" "$client_probe"
# A SHOULD: not a failure by default, one with --fail-on should.
expect client-violates 0 "VIOLATES" "it went on with EHLO after the 554 greeting" -- \
  "$ehlo" check --listen 127.0.0.1:0 --client-cmd "$(client_cmd violates)" "$client_probe"
expect client-violates-should 1 "VIOLATES" -- \
  "$ehlo" check --listen 127.0.0.1:0 --client-cmd "$(client_cmd violates)" --fail-on should "$client_probe"
expect client-gone 0 "inconclusive" "the client exited with status 3 without connecting" -- \
  "$ehlo" check --listen 127.0.0.1:0 --client-cmd "exit 3" "$client_probe"

expect probe-typo 0 "ehlo check: warning: --probe no-such-probe: no probe has this id" -- \
  "$ehlo" check --self-test --probe no-such-probe --probe probe-smuggling-lf "$server_probe"
expect probe-typo-strict 2 "ehlo check: --probe no-such-probe: no probe has this id" "nothing was played (--strict)" -- \
  "$ehlo" check --self-test --strict --probe no-such-probe "$server_probe"
expect no-mode 2 "give --target HOST:PORT, --listen HOST:PORT, --self-test or --list" -- "$ehlo" check "$server_probe"

((failed)) && exit 1
echo "PASS: ehlo check: --list, --self-test, two targets and the reports, --baseline, --client-cmd, typos"
