#!/usr/bin/env bash
# ehlo load against Postfix's smtp-sink (tests/peers/with_peer.sh smtp-sink):
#
#   load_smtp_sink.sh EHLO CASE
#
# Run from the repository's root. Each CASE starts its own smtp-sink (with
# -c, its counters of sessions, QUITs and messages, and the case's faults) and
# checks what ehlo counted against what the server saw, and against itself
# (console, JSON, CSV):
#   counts     --concurrency 5 --sessions 300 --messages-per-session 3: smtp-sink saw 300
#              sessions, 300 QUITs and 900 messages, and so did ehlo; a status line a second
#              and a CSV row a second; --fail-if that holds (exit 1) and that does not (0)
#   failures   smtp-sink -r rcpt (4xx), -f data (5xx), -q . (a close after the end of data),
#              and nothing listening: each session counted under its cause, the load going on
#              to the end; --fail-if 'errors > 0' exits 1; --stop-on-error stops at the first
#   rate       --rate 100 --duration 6s: about 600 sessions started, about 100 each second
#              (generous bounds: a behaviour, not a timing race), every one passed, as many
#              seen by smtp-sink
#   merge      two ehlo load processes side by side, their JSON reports merged by ehlo report
#              merge: the counts add up, each step's histogram holds both runs' samples
#   interrupt  SIGINT ends a run with neither --duration nor --sessions (exit 0) and cuts short
#              one with --duration (exit 1): the summary and the reports are written, the
#              sessions under way counted as interrupted, every session started seen by smtp-sink
# Exit 0 when every check holds, 1 otherwise (what broke, with the output), 77
# when smtp-sink is missing.
set -uo pipefail
ehlo=$(realpath "$1")
case_name=$2
root=$(pwd)
one=$root/bench/scenarios/one-message.json
pipelined=$root/bench/scenarios/pipelined.json

if [[ ${3:-} != --inner ]]; then
  case $case_name in
    counts | rate | merge | interrupt) exec tests/peers/with_peer.sh smtp-sink -c -- "$0" "$ehlo" "$case_name" --inner ;;
    failures)
      for fault in "-r rcpt" "-f data" "-q ." ; do
        # shellcheck disable=SC2086 # the fault's words are options
        tests/peers/with_peer.sh smtp-sink -c $fault -- "$0" "$ehlo" "$case_name" --inner "$fault" || exit $?
      done
      exec "$0" "$ehlo" refused --inner
      ;;
    *) echo "load_smtp_sink: unknown case $case_name" >&2 && exit 2 ;;
  esac
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
target=${EHLO_PEER_HOST:-127.0.0.1}:${EHLO_PEER_PORT:-0}

fail() {
  echo "load_smtp_sink $case_name: $*"
  for f in "$tmp"/*.out; do
    [[ -e $f ]] || continue
    echo "---- ${f##*/}"
    tail -n 40 "$f"
  done
  exit 1
}

# counter: smtp-sink's last "sess=N quit=N mesg=N" (updated as each session ends).
counter() { tr '\r' '\n' <"$EHLO_PEER_LOG" | grep '^sess=' | tail -n 1; }
# wait_counter TEXT: until smtp-sink's counter says TEXT (at most 20 s).
wait_counter() {
  for _ in $(seq 200); do
    [[ $(counter) == "$1" ]] && return 0
    sleep 0.1
  done
  fail "smtp-sink's counter says '$(counter)', expected '$1'"
}
sessions_before() { local c; c=$(counter); c=${c#sess=}; echo "${c%% *}"; }

# json FILE PYTHON-EXPRESSION...: each expression (over r, the report) must hold.
json() {
  local file=$1
  shift
  /usr/bin/python3 - "$file" "$@" <<'PY' || fail "the JSON report $file"
import json, sys
r = json.load(open(sys.argv[1]))
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad:
    print("does not hold:", e)
if bad:
    print(json.dumps(r["totals"], indent=1), json.dumps(r["errors"], indent=1)[:3000])
sys.exit(1 if bad else 0)
PY
}

case $case_name in
  counts)
    before=$(sessions_before)
    timeout -k 5 120 "$ehlo" load --target "$target" --concurrency 5 --sessions 300 --messages-per-session 3 \
      --report "json:$tmp/r.json" --report "csv:$tmp/r.csv" --fail-if 'errors > 0' --fail-if 'p99(session) > 1s' \
      "$one" >"$tmp/counts.out" 2>&1
    rc=$?
    [[ $rc == 0 ]] || fail "exit status $rc, expected 0"
    wait_counter "sess=$((before + 300)) quit=300 mesg=900"
    grep -q '^  sessions   300 started, 300 passed (.*), 0 failed$' "$tmp/counts.out" || fail "the summary's sessions"
    grep -q '^  messages   900 accepted (.*), 0 refused$' "$tmp/counts.out" || fail "the summary's messages"
    grep -q '^fail-if errors > 0: ok (0)$' "$tmp/counts.out" || fail "the --fail-if line"
    for step in connect greeting EHLO MAIL RCPT DATA end-of-data QUIT; do
      grep -qE "^  $step +300 " "$tmp/counts.out" || grep -qE "^  $step +900 " "$tmp/counts.out" ||
        fail "no line for $step"
    done
    grep -qE '^  MAIL +900 ' "$tmp/counts.out" || fail "MAIL timed 900 times"
    json "$tmp/r.json" 'r["totals"]["sessions_passed"] == 300' 'r["totals"]["messages"] == 900' \
      'r["steps"]["end-of-data"]["count"] == 900' 'r["steps"]["session"]["count"] == 300' \
      'r["steps"]["EHLO"]["count"] == 300' 'sum(n for _, n in r["steps"]["RCPT"]["histogram"]) == 900' \
      'r["steps"]["session"]["p50_us"] <= r["steps"]["session"]["p99_us"] <= r["steps"]["session"]["max_us"]' \
      'sum(p["messages"] for p in r["series"]) == 900' 'r["messages_per_session"] == 3' \
      'r["findings_by_rule"]["5321-4.2-b"] == 300'
    # The CSV: a header and a row per point; its totals end where the run did.
    [[ $(head -n 1 "$tmp/r.csv") == t_s,interval_s,* ]] || fail "the CSV's header"
    tail -n 1 "$tmp/r.csv" | awk -F, '$10 != 300 || $12 != 900 { exit 1 }' || fail "the CSV's last totals"
    # Thresholds that hold exit 1.
    timeout -k 5 60 "$ehlo" load -q --target "$target" --sessions 20 --fail-if 'p99(session) > 1us' \
      --fail-if 'rate < 1000000/s' --fail-if 'p99(RSET) > 1s' "$one" >"$tmp/fail-if.out" 2>&1
    rc=$?
    [[ $rc == 1 ]] || fail "--fail-if that holds: exit status $rc, expected 1"
    grep -q '^fail-if p99(session) > 1us: crossed (' "$tmp/fail-if.out" || fail "the crossed line"
    grep -q '^fail-if rate < 1000000/s: crossed (' "$tmp/fail-if.out" || fail "the crossed rate"
    grep -q '^fail-if p99(RSET) > 1s: crossed (no RSET timed)$' "$tmp/fail-if.out" || fail "a step never timed"
    grep -q ' sessions/s ' "$tmp/fail-if.out" && fail "a status line under -q"
    ;;

  failures)
    fault=$4
    before=$(sessions_before)
    timeout -k 5 120 "$ehlo" load --target "$target" --concurrency 4 --sessions 40 --report "json:$tmp/r.json" \
      --fail-if 'errors > 0' "$one" >"$tmp/fault.out" 2>&1
    rc=$?
    [[ $rc == 1 ]] || fail "smtp-sink $fault: exit status $rc, expected 1 (--fail-if 'errors > 0')"
    case $fault in
      "-r rcpt") cause="steps/6 (reply to RCPT): got 450, expected 250" mesg=0 ;;
      "-f data") cause="steps/8 (reply to DATA): got 500, expected 354" mesg=0 ;;
      "-q .") cause="connection closed by the server at steps/10 (reply to the end of data)" mesg=40 ;;
    esac
    wait_counter "sess=$((before + 40)) quit=0 mesg=$mesg"
    grep -qF "      40  $cause" "$tmp/fault.out" || fail "smtp-sink $fault: 40 sessions under '$cause'"
    grep -q '^fail-if errors > 0: crossed (40)$' "$tmp/fault.out" || fail "smtp-sink $fault: the --fail-if line"
    json "$tmp/r.json" 'r["totals"]["sessions_failed"] == 40' 'r["totals"]["sessions_started"] == 40' \
      "r['errors'] == [{'cause': '$cause', 'count': 40, 'example': r['errors'][0]['example']}]" \
      'r["errors"][0]["example"].count("\n") >= 3' 'r["totals"]["messages"] == 0'
    # --stop-on-error: one failure stops it, printed whole; nothing more is started.
    timeout -k 5 60 "$ehlo" load --target "$target" --concurrency 1 --sessions 40 --stop-on-error \
      --report "json:$tmp/stop.json" "$one" >"$tmp/stop.out" 2>&1
    rc=$?
    [[ $rc == 1 ]] || fail "smtp-sink $fault --stop-on-error: exit status $rc, expected 1"
    grep -q '^the failure that stopped it:$' "$tmp/stop.out" || fail "--stop-on-error: the failure shown"
    grep -q '^  C: MAIL FROM:<alice@example.org>$' "$tmp/stop.out" || fail "--stop-on-error: its transcript shown"
    json "$tmp/stop.json" 'r["stopped_on_error"]' 'r["totals"]["sessions_started"] == 1' \
      'r["totals"]["sessions_failed"] == 1'
    ;;

  refused)
    # A port where nothing listens: taken, then let go.
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    timeout -k 5 60 "$ehlo" load --target "127.0.0.1:$port" --concurrency 3 --sessions 30 \
      --report "json:$tmp/r.json" "$one" >"$tmp/refused.out" 2>&1
    rc=$?
    [[ $rc == 0 ]] || fail "nothing listening: exit status $rc, expected 0 (failures are counted, not fatal)"
    grep -qF "      30  connection refused" "$tmp/refused.out" || fail "30 sessions refused"
    json "$tmp/r.json" 'r["totals"]["sessions_failed"] == 30' 'r["errors"][0]["cause"] == "connection refused"' \
      '"connect" not in r["steps"]'
    ;;

  rate)
    before=$(sessions_before)
    timeout -k 5 120 "$ehlo" load --target "$target" --rate 100 --duration 6s --report "json:$tmp/r.json" \
      "$pipelined" >"$tmp/rate.out" 2>&1
    rc=$?
    [[ $rc == 0 ]] || fail "exit status $rc, expected 0"
    json "$tmp/r.json" '540 <= r["totals"]["sessions_started"] <= 660' \
      'r["totals"]["sessions_passed"] == r["totals"]["sessions_started"]' 'r["mode"] == "rate"' \
      'sorted(p["started"] for p in r["series"][:6])[3] in range(85, 116)'
    started=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["totals"]["sessions_started"])' "$tmp/r.json")
    wait_counter "sess=$((before + started)) quit=$started mesg=$started"
    grep -q '^  ehlo load: \|^ehlo load: .*, rate 100/s, ' "$tmp/rate.out" || fail "the summary says the rate"
    ;;

  merge)
    timeout -k 5 120 "$ehlo" load -q --target "$target" --concurrency 3 --sessions 200 --report "json:$tmp/a.json" \
      "$one" >"$tmp/a.out" 2>&1 &
    a=$!
    timeout -k 5 120 "$ehlo" load -q --target "$target" --rate 50 --duration 3s --report "json:$tmp/b.json" \
      "$pipelined" >"$tmp/b.out" 2>&1
    rb=$?
    wait "$a"
    ra=$?
    [[ $ra == 0 && $rb == 0 ]] || fail "the two loads: exit status $ra and $rb"
    "$ehlo" report merge "$tmp/a.json" "$tmp/b.json" --report "json:$tmp/m.json" --report "html:$tmp/m.html" \
      --report "csv:$tmp/m.csv" --fail-if 'errors > 0' >"$tmp/merge.out" 2>&1
    rc=$?
    [[ $rc == 0 ]] || fail "ehlo report merge: exit status $rc"
    grep -q '2 processes' "$tmp/merge.out" || fail "the merged summary names two processes"
    /usr/bin/python3 - "$tmp/a.json" "$tmp/b.json" "$tmp/m.json" <<'PY' || fail "the merged report"
import json, sys
a, b, m = (json.load(open(f)) for f in sys.argv[1:])
ok = True
def want(cond, what):
    global ok
    if not cond:
        ok = False
        print("does not hold:", what)
for k in ("sessions_started", "sessions_passed", "messages", "errors"):
    want(m["totals"][k] == a["totals"][k] + b["totals"][k], k)
want(m["processes"] == 2, "processes")
want(m["scenarios"] == a["scenarios"] + b["scenarios"], "scenarios")
for step in set(a["steps"]) | set(b["steps"]):
    sa, sb, sm = (x["steps"].get(step, {"count": 0, "histogram": [], "max_us": 0}) for x in (a, b, m))
    want(sm["count"] == sa["count"] + sb["count"], step + " count")
    buckets = {}
    for h in (sa["histogram"], sb["histogram"]):
        for low, n in h:
            buckets[low] = buckets.get(low, 0) + n
    want(sorted(buckets.items()) == [tuple(x) for x in sm["histogram"]], step + " histogram")
    want(sm["max_us"] == max(sa["max_us"], sb["max_us"]), step + " max")
want(sum(p["started"] for p in m["series"]) == m["totals"]["sessions_started"], "the series holds every start")
sys.exit(0 if ok else 1)
PY
    grep -q '<svg id="throughput-chart"' "$tmp/m.html" || fail "the merged page"
    [[ $(wc -l <"$tmp/m.csv") -ge 3 ]] || fail "the merged CSV"
    # Not a load report: refused, nothing merged.
    "$ehlo" report merge "$tmp/a.json" "$root/bench/scenarios/one-message.json" >"$tmp/bad.out" 2>&1
    rc=$?
    [[ $rc == 2 ]] || fail "merging a scenario file: exit status $rc, expected 2"
    grep -q 'one-message.json: not an ehlo load report' "$tmp/bad.out" || fail "the refusal says why"
    ;;
  interrupt)
    for how in forever duration; do
      before=$(sessions_before)
      limit=()
      [[ $how == duration ]] && limit=(--duration 10m)
      timeout -k 5 120 "$ehlo" load --target "$target" --concurrency 3 ${limit[@]+"${limit[@]}"} \
        --report "json:$tmp/$how.json" --report "csv:$tmp/$how.csv" "$one" >"$tmp/$how.out" 2>&1 &
      pid=$!
      # Two rows of the CSV: two seconds of load (at most 30 s).
      for _ in $(seq 300); do
        [[ -f $tmp/$how.csv && $(wc -l <"$tmp/$how.csv") -ge 3 ]] && break
        sleep 0.1
      done
      kill -INT "$pid"
      wait "$pid"
      rc=$?
      want=0
      [[ $how == duration ]] && want=1
      [[ $rc == "$want" ]] || fail "$how, SIGINT: exit status $rc, expected $want"
      grep -q '^ehlo load: .*, interrupted$' "$tmp/$how.out" || fail "$how: the summary says interrupted"
      json "$tmp/$how.json" 'r["interrupted"]' 'r["totals"]["sessions_passed"] > 0' \
        'r["totals"]["sessions_interrupted"] <= 3' \
        'r["totals"]["sessions_started"] == r["totals"]["sessions_passed"] + r["totals"]["sessions_interrupted"]'
      started=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["totals"]["sessions_started"])' "$tmp/$how.json")
      for _ in $(seq 200); do
        c=$(counter)
        [[ ${c%% *} == "sess=$((before + started))" ]] && break
        sleep 0.1
      done
      [[ ${c%% *} == "sess=$((before + started))" ]] || fail "$how: smtp-sink's counter says '$c', expected sess=$((before + started))"
    done
    ;;
esac
echo "load_smtp_sink $case_name: ok"
