#!/usr/bin/env bash
# The server role against a deliberately broken client (issue 6):
#
#   run_broken_client.sh EHLO FAULT [--scenario FILE] [--max-seconds S] EXPECTED-TEXT...
#
# Starts `EHLO run --listen 127.0.0.1:0 --connections 2 --timeout T` with
# scenarios/clients/smtplib-send.json under /usr/bin/time -v, connects
# tests/broken/broken_client.py --fault FAULT to it, waits until that client
# has read its greeting (an event, not a sleep), then, while that connection is
# still being served, runs Python's smtplib (a good client), and checks (with
# --scenario, the broken connection plays FILE, the good one still
# smtplib-send.json):
#   - the good client's message went through and its connection PASSed; for
#     the stall, before the broken connection ended (the listener serves the
#     others meanwhile);
#   - the broken connection FAILed, and ehlo's output holds every EXPECTED-TEXT;
#   - ehlo exited 1 (a scenario failed), within T + 17 s (S with --max-seconds),
#     with a max RSS under
#     64 MB (EHLO_MAX_RSS_KB: ASan needs more), whatever the client sent;
#   - the broken client saw the server close the connection.
# T is 3 s, but 15 s for the stall: there the good client must start, connect
# and finish its whole session (a Python start-up, on a CI machine busy with a
# parallel build) inside the stalled connection's wait, so that wait is the
# generous deadline of the check "served meanwhile", not a margin.
# Everything stays on 127.0.0.1; the processes are stopped by id on every path.
# Run from the repository's root. Exit 0 when every check holds, 1 otherwise,
# 77 when Python or /usr/bin/time is missing.
set -uo pipefail

(($# >= 2)) || {
  echo "usage: run_broken_client.sh EHLO FAULT [--scenario FILE] [--max-seconds S] EXPECTED-TEXT..." >&2
  exit 2
}
ehlo=$1 fault=$2
shift 2
good=scenarios/clients/smtplib-send.json scenarios=() max_seconds=
while (($#)); do
  case $1 in
    --scenario) scenarios+=("${2:?}") && shift 2 ;;
    --max-seconds) max_seconds=${2:?} && shift 2 ;;
    *) break ;;
  esac
done
# The listener plays its scenarios in turn: the broken client connects first.
scenarios+=("$good")
broken_name=$(basename "${scenarios[0]}" .json)
PY=/usr/bin/python3
MAX_RSS_KB=${EHLO_MAX_RSS_KB:-$((64 * 1024))}
for p in $PY /usr/bin/time; do
  [[ -x $p ]] || {
    echo "run_broken_client: skipped: $p is missing (scripts/install-deps.sh --peers)"
    exit 77
  }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-broken-client.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
failed=0
fail() {
  echo "run_broken_client $fault: $*"
  failed=1
}

wait_s=3
[[ $fault == stall ]] && wait_s=15
max_seconds=${max_seconds:-$((wait_s + 17))}
timeout -k 2 60 /usr/bin/time -v -o "$tmp/time" "$ehlo" run -v --listen 127.0.0.1:0 --connections 2 --timeout "${wait_s}s" \
  "${scenarios[@]}" >"$tmp/out" 2>&1 &
ehlo_pid=$!
pids+=("$ehlo_pid")
port=""
for _ in $(seq 100); do
  port=$(sed -n '1s/^listening on port \([0-9][0-9]*\)$/\1/p' "$tmp/out")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || {
  cat "$tmp/out"
  fail "ehlo printed no port"
  exit 1
}

$PY tests/broken/broken_client.py --port "$port" --fault "$fault" --seconds 20 >"$tmp/broken.out" 2>&1 &
broken_pid=$!
pids+=("$broken_pid")
# broken_client.py flushes this line as soon as it has the greeting.
greeted=""
for _ in $(seq 400); do
  grep -q '^greeting:' "$tmp/broken.out" && greeted=1 && break
  kill -0 "$broken_pid" 2>/dev/null || break
  sleep 0.05
done
[[ -n $greeted ]] || {
  cat "$tmp/out" "$tmp/broken.out"
  fail "the broken client did not get its greeting within 20 s"
  exit 1
}
$PY tests/clients/smtplib_send.py --port "$port" >"$tmp/good.out" 2>&1 || fail "smtplib could not send: $(cat "$tmp/good.out")"
wait "$broken_pid"
wait "$ehlo_pid"
status=$?

results=$(grep -E '^(PASS|FAIL|ERROR)  ' "$tmp/out")
[[ $status == 1 ]] || fail "ehlo exited $status, expected 1"
[[ $(grep -c '^PASS  smtplib-send ' <<<"$results") == 1 ]] || fail "the good client's connection did not pass"
[[ $(grep -c "^FAIL  $broken_name " <<<"$results") == 1 ]] || fail "the broken client's connection did not fail"
if [[ $fault == stall ]]; then
  [[ $(head -1 <<<"$results") == "PASS  smtplib-send "* ]] ||
    fail "the good client was not served while the stalled one waited"
fi
for t in "$@"; do
  grep -qF -- "$t" "$tmp/out" || fail "ehlo's output lacks: $t"
done
grep -q '^closed by the server' "$tmp/broken.out" || fail "the broken client: $(tail -1 "$tmp/broken.out")"
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
((${rss:-0} > 0 && rss < MAX_RSS_KB)) || fail "max RSS ${rss:-?} kB, expected under ${MAX_RSS_KB} kB"
wall=$(awk '/Elapsed \(wall clock\)/ { print $NF }' "$tmp/time")
$PY -c "
w = '$wall'.split(':')
import sys; sys.exit(0 if sum(float(x) * 60 ** i for i, x in enumerate(reversed(w))) < $max_seconds else 1)" ||
  fail "ehlo ran $wall, expected under $max_seconds s"

if ((failed)); then
  echo "---- ehlo's output"
  cat "$tmp/out"
  echo "---- the broken client"
  cat "$tmp/broken.out"
  exit 1
fi
echo "PASS: $fault (max RSS $rss kB, $wall; $(tail -1 "$tmp/broken.out"))"
