#!/usr/bin/env bash
# Unix-domain sockets and IPv6 against real peers, both roles:
#
#   tests/transport/transports.sh EHLO CASE        (from the repository's root)
#
#   unix-target  Postfix's smtp-sink listening on unix:PATH: `ehlo run --target unix:PATH`
#                passes, and `ehlo load --target unix:PATH --sessions 100` delivers 100
#                messages, as smtp-sink's own counter (-c) says too
#   unix-listen  `ehlo run --listen unix:PATH` with swaks (--socket PATH) and smtp-source
#                (unix:PATH) as the clients: both pass, each client exits 0, and the
#                socket file is gone when ehlo has ended
#   ipv6         smtp-sink on [::1]:PORT against `ehlo run --target`, and `ehlo run
#                --listen [::1]:0` with curl connecting to smtp://[::1]:PORT
#
# Everything stays on this machine (a folder of its own, 127.0.0.1 and ::1); every
# process started here is stopped by its id on every path. Exit 0 passed, 1 failed,
# 2 usage, 77 a program is missing or the machine has no IPv6 loopback (CTest: skipped).
set -uo pipefail
(($# == 2)) || {
  echo "usage: $0 EHLO unix-target|unix-listen|ipv6" >&2
  exit 2
}
ehlo=$(realpath "$1")
case_name=$2
TEST_NAME="transports $case_name"
# shellcheck source=tests/transport/lib.sh
source tests/transport/lib.sh

# sink ADDRESS: smtp-sink listening on ADDRESS (unix:PATH or [::1]:PORT), counting (-c).
sink() {
  need smtp-sink
  local user=()
  ((EUID == 0)) && user=(-u postfix)
  smtp-sink "${user[@]}" -c "$1" 64 >"$tmp/sink.out" 2>&1 &
  pids+=($!)
}

# listen OUT ADDRESS SCENARIO: `ehlo run --listen ADDRESS` for one connection in the
# background; waits for its "listening on" line.
listen() {
  timeout -k 5 60 "$ehlo" run --listen "$2" "$3" >"$tmp/$1" 2>&1 &
  ehlo_pid=$!
  pids+=("$ehlo_pid")
  wait_for grep -q '^listening on' "$tmp/$1" || fail "ehlo did not say it was listening"
}

# ended OUT: waits (bounded) for the background ehlo, which must have passed.
ended() {
  local rc
  wait "$ehlo_pid"
  rc=$?
  ((rc == 0)) || fail "ehlo run --listen exited $rc, expected 0"
  grep -q '^1 scenario: 1 passed' "$tmp/$1" || fail "ehlo's summary"
}

case $case_name in
  unix-target)
    sock=$tmp/sink.sock
    sink "unix:$sock"
    wait_for test -S "$sock" || fail "smtp-sink did not make $sock"
    "$ehlo" run --target "unix:$sock" bench/scenarios/one-message.json >"$tmp/run.out" 2>&1 || fail "ehlo run --target unix:"
    grep -q '^PASS  one-message' "$tmp/run.out" || fail "no PASS line"
    timeout -k 5 120 "$ehlo" load -q --target "unix:$sock" --sessions 100 --concurrency 4 \
      --report "json:$tmp/load.json" bench/scenarios/one-message.json >"$tmp/load.out" 2>&1 || fail "ehlo load --target unix:"
    /usr/bin/python3 - "$tmp/load.json" <<'PY' || fail "the load report"
import json, sys
t = json.load(open(sys.argv[1]))["totals"]
assert t["sessions_passed"] == 100 and t["sessions_failed"] == 0, t
assert t["messages"] == 100 and t["messages_refused"] == 0, t
PY
    # smtp-sink -c keeps a count of sessions, QUITs and messages: one run, then 100 more.
    wait_for grep -q 'sess=101 quit=101 mesg=101' "$tmp/sink.out" || fail "smtp-sink did not count 101 sessions and messages"
    ;;
  unix-listen)
    need swaks
    need smtp-source
    sock=$tmp/ehlo.sock
    listen swaks.ehlo.out "unix:$sock" scenarios/clients/swaks-plain.json
    grep -q "^listening on unix:$sock\$" "$tmp/swaks.ehlo.out" || fail "ehlo's listening line"
    [[ -S $sock ]] || fail "no socket at $sock"
    timeout -k 5 30 swaks --socket "$sock" --from b@example.com --to a@example.com --timeout 10 >"$tmp/swaks.out" 2>&1 ||
      fail "swaks --socket exited $?"
    ended swaks.ehlo.out
    [[ ! -e $sock ]] || fail "ehlo left its socket file behind"

    listen source.ehlo.out "unix:$sock" scenarios/clients/smtp-source.json
    timeout -k 5 30 smtp-source -m 1 -c -M client.example -f b@example.com -t a@example.com \
      "unix:$sock" >"$tmp/source.out" 2>&1 || fail "smtp-source unix: exited $?"
    ended source.ehlo.out
    [[ ! -e $sock ]] || fail "ehlo left its socket file behind"
    ;;
  ipv6)
    /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
      skip "no IPv6 loopback here"
    need curl
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])')
    sink "[::1]:$port"
    wait_for /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("::1", int(sys.argv[1])), 1).close()' "$port" ||
      fail "smtp-sink did not listen on [::1]:$port"
    "$ehlo" run --target "[::1]:$port" bench/scenarios/one-message.json >"$tmp/run.out" 2>&1 || fail "ehlo run --target [::1]"
    grep -q '^PASS  one-message' "$tmp/run.out" || fail "no PASS line"

    listen curl.ehlo.out "[::1]:0" scenarios/clients/curl-plain.json
    lport=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$tmp/curl.ehlo.out")
    [[ -n $lport ]] || fail "ehlo's listening line"
    timeout -k 5 30 curl -sS --max-time 20 "smtp://[::1]:$lport" --mail-from b@example.com --mail-rcpt a@example.com \
      --upload-file tests/clients/data/message-crlf.txt >"$tmp/curl.out" 2>&1 || fail "curl to [::1] exited $?"
    ended curl.ehlo.out
    ;;
  *)
    echo "transports: unknown case $case_name" >&2
    exit 2
    ;;
esac
echo "transports $case_name: ok"
