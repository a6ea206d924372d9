#!/usr/bin/env bash
# The server role keeps bounded results (--keep-results) and says how many it
# only counted; --forever prints its summary and writes its reports on SIGINT:
#   run_keep_results.sh EHLO
# Run from the repository's root. Python's smtplib (/usr/bin/python3) is the
# client: 30 connections, every third with a sender the scenario does not
# expect (a failure), each played by `ehlo run --listen 127.0.0.1:0`.
set -uo pipefail
ehlo=$1
scenario=scenarios/clients/smtplib-send.json
tmp=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "run_keep_results: $*"
  for f in "$tmp"/*.out; do
    echo "---- ${f##*/}"
    cat "$f"
  done
  exit 1
}

# start NAME ARGS...: ehlo run --listen in the background, its output in NAME.out; sets pid and port.
start() {
  local name=$1
  shift
  timeout -k 2 60 "$ehlo" run --listen 127.0.0.1:0 "$@" "$scenario" >"$tmp/$name.out" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n '1s/^listening on port \([0-9][0-9]*\)$/\1/p' "$tmp/$name.out")
    [[ -n $port ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "ehlo printed no port"
}

# clients N BAD_EVERY: N smtplib connections, one after another; every BAD_EVERY-th sends from x@example.com.
clients() {
  /usr/bin/python3 - "$port" "$1" "$2" >"$tmp/clients.out" 2>&1 <<'PY'
import smtplib, sys
from email.message import EmailMessage
port, n, bad_every = (int(a) for a in sys.argv[1:])
for i in range(1, n + 1):
    msg = EmailMessage()
    msg["From"] = "Bob <b@example.com>"
    msg["To"] = "Alice <a@example.com>"
    msg["Subject"] = "ehlo smtplib test"
    msg.set_content("Hello Alice,\n\n.this line starts with a dot, so the client must dot-stuff it.\nBye.\n")
    sender = "x@example.com" if bad_every and i % bad_every == 0 else "b@example.com"
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="client.example", timeout=10) as s:
            s.ehlo()
            s.send_message(msg, from_addr=sender)
    except Exception as e:  # the scenario refuses the unexpected sender: ehlo's verdict is what counts
        if sender == "b@example.com":
            raise
PY
}

# ---- --connections 30 --keep-results 5: 20 passed, 10 failed; 5 of each kept.
start limited --connections 30 --keep-results 5 --report "json:$tmp/run.json" --report "junit:$tmp/run.xml"
clients 30 3 || fail "the clients failed"
wait "$pid"
rc=$?
pid=""
[[ $rc == 1 ]] || fail "exit status $rc, expected 1 (failures)"
grep -qF "30 scenarios: 20 passed, 10 failed; 20 results not kept for the reports" "$tmp/limited.out" ||
  fail "no summary line with the counts"
[[ $(grep -c '^PASS  smtplib-send ' "$tmp/limited.out") == 20 ]] || fail "not a PASS line per passed connection"
[[ $(grep -c '^FAIL  smtplib-send ' "$tmp/limited.out") == 10 ]] || fail "not a FAIL line per failed connection"
/usr/bin/python3 - "$tmp/run.json" <<'PY' || fail "JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
assert (t["scenarios"], t["passed"], t["failed"], t["not_kept"]) == (30, 20, 10, 20), t
statuses = [s["status"] for s in r["scenarios"]]
assert sorted(statuses) == ["failed"] * 5 + ["passed"] * 5, statuses
assert all(s["transcript"].startswith("S: 220 ") for s in r["scenarios"]), "a kept result without its transcript"
PY
xmllint --noout "$tmp/run.xml" || fail "JUnit XML is not well-formed"
grep -q '<testsuite name="ehlo" tests="30" failures="10" errors="0"' "$tmp/run.xml" || fail "JUnit counts"
grep -q '<property name="ehlo.not_kept" value="20"/>' "$tmp/run.xml" || fail "JUnit ehlo.not_kept"
[[ $(grep -c '<testcase ' "$tmp/run.xml") == 10 ]] || fail "JUnit testcases beyond those kept"

# ---- --forever: SIGINT ends it with the summary and the reports.
start forever --forever --keep-results 5 --report "json:$tmp/forever.json"
clients 30 0 || fail "the clients failed"
for _ in $(seq 100); do
  [[ $(grep -c '^PASS  smtplib-send ' "$tmp/forever.out") == 30 ]] && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
pid=""
[[ $rc == 0 ]] || fail "exit status $rc after SIGINT, expected 0 (--forever ends so; every connection passed)"
grep -qF "interrupted after 30 scenarios: 30 passed, 0 failed; 25 results not kept for the reports" \
  "$tmp/forever.out" || fail "no summary after SIGINT"
/usr/bin/python3 - "$tmp/forever.json" <<'PY' || fail "JSON report after SIGINT"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["interrupted"] is True
assert (r["totals"]["scenarios"], r["totals"]["passed"], r["totals"]["not_kept"]) == (30, 30, 25), r["totals"]
assert len(r["scenarios"]) == 5
PY
echo "run_keep_results: ok"
