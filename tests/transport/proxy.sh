#!/usr/bin/env bash
# The PROXY protocol (HAProxy's, v1 and v2), both roles, against real peers:
#
#   tests/transport/proxy.sh EHLO CASE        (from the repository's root)
#
#   postfix  Postfix with smtpd_upstream_proxy_protocol = haproxy: the whole server suite
#            through `--proxy v1 --proxy-source 192.0.2.1:4711` passes, and Postfix's log
#            names the claimed client for every session; a v2 header claiming IPv6
#            addresses is taken too (Postfix logs 2001:db8::7); `ehlo load --proxy v1` sends
#            its header on each of 40 sessions (Postfix logs each as from 192.0.2.9)
#   listen   `ehlo run --listen --proxy v1` with curl --haproxy-protocol as the client;
#            `--listen --proxy v2` with ehlo's own client role claiming 203.0.113.5 (the
#            report's peer says so); and a client that sends SMTP where the header was due,
#            or a malformed v1 line: each a failure with the finding proxy-2
#
# Everything stays on 127.0.0.1; processes started here are stopped by their ids.
# Exit 0 passed, 1 failed, 2 usage, 77 a program is missing (CTest: skipped).
set -uo pipefail
(($# == 2 || $# == 3)) || {
  echo "usage: $0 EHLO postfix|listen" >&2
  exit 2
}
ehlo=$(realpath "$1")
case_name=$2
if [[ $case_name == postfix && ${3:-} != --inner ]]; then
  exec tests/peers/with_peer.sh postfix --set smtpd_upstream_proxy_protocol=haproxy --set inet_protocols=all \
    -- "$0" "$ehlo" postfix --inner
fi
TEST_NAME="proxy $case_name"
# shellcheck source=tests/transport/lib.sh
source tests/transport/lib.sh

# listen NAME ARGS...: `ehlo run --listen 127.0.0.1:0 ARGS...` in the background, its output in
# NAME.out and its JSON report in NAME.json; sets port once it listens.
listen() {
  local name=$1
  shift
  # Emptied here, not by the background job's redirection, which may come after the wait below
  # has read a line of the previous run under the same name.
  : >"$tmp/$name.out"
  rm -f "$tmp/$name.json"
  timeout -k 5 60 "$ehlo" run --listen 127.0.0.1:0 --report "json:$tmp/$name.json" "$@" >>"$tmp/$name.out" 2>&1 &
  ehlo_pid=$!
  pids+=("$ehlo_pid")
  wait_for grep -q '^listening on port' "$tmp/$name.out" || fail "ehlo did not say it was listening"
  port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$tmp/$name.out")
}

# ended NAME STATUS: the background ehlo ended (bounded by its timeout) with STATUS.
ended() {
  wait "$ehlo_pid"
  local rc=$?
  ((rc == $2)) || fail "ehlo run --listen ($1) exited $rc, expected $2"
}

# report NAME PYTHON-EXPRESSION...: each holds of the JSON report's one result r.
report() {
  local name=$1
  shift
  /usr/bin/python3 - "$tmp/$name.json" "$@" <<'PY' || fail "the report of $name"
import json, sys
r = json.load(open(sys.argv[1]))["scenarios"][0]
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad:
    print("does not hold:", e)
if bad:
    print(json.dumps(r, indent=1)[:3000])
sys.exit(1 if bad else 0)
PY
}

case $case_name in
  postfix)
    "$ehlo" run --strict --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --proxy v1 --proxy-source 192.0.2.1:4711 \
      --var user="$EHLO_PEER_USER" --var password="$EHLO_PEER_PASSWORD" --var refused="$EHLO_PEER_REFUSED" \
      --tls-verify --tls-ca "$EHLO_PEER_CERT" --skip-tag auth-requires-tls scenarios/servers >"$tmp/suite.out" 2>&1
    grep -q '^38 scenarios: 36 passed, 0 failed, 2 skipped' "$tmp/suite.out" || fail "the server suite through PROXY v1"
    # Each session logs "connect from" and "disconnect from" the claimed client.
    sessions=$(grep -c ' connect from unknown\[192\.0\.2\.1\]' "$EHLO_PEER_LOG")
    ((sessions == 36)) || fail "Postfix logged $sessions sessions from 192.0.2.1, expected 36"
    "$ehlo" run --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --proxy v2 --proxy-source '[2001:db8::7]:4711' \
      --proxy-destination '[2001:db8::25]:25' scenarios/servers/noop-and-help.json >"$tmp/v2.out" 2>&1 ||
      fail "PROXY v2 with IPv6 addresses"
    wait_for grep -q 'connect from unknown\[2001:db8::7\]' "$EHLO_PEER_LOG" || fail "Postfix did not log 2001:db8::7"
    # ehlo load through the same front: 40 sessions, each with its header, each logged as from 192.0.2.9.
    "$ehlo" load --quiet --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --proxy v1 --proxy-source 192.0.2.9:4711 \
      --sessions 40 --concurrency 4 --fail-if 'errors > 0' scenarios/servers/noop-and-help.json >"$tmp/load.out" 2>&1 ||
      fail "ehlo load --proxy v1: $(tail -n 20 "$tmp/load.out")"
    wait_for test "$(grep -c ' connect from unknown\[192\.0\.2\.9\]' "$EHLO_PEER_LOG")" -ge 40 ||
      fail "Postfix logged $(grep -c ' connect from unknown\[192\.0\.2\.9\]' "$EHLO_PEER_LOG") sessions from 192.0.2.9, expected 40"
    ;;
  listen)
    need curl
    listen curl --proxy v1 scenarios/clients/curl-plain.json
    timeout -k 5 30 curl -sS --haproxy-protocol --max-time 20 "smtp://127.0.0.1:$port" --mail-from b@example.com \
      --mail-rcpt a@example.com --upload-file tests/clients/data/message-crlf.txt >"$tmp/curl.client.out" 2>&1 ||
      fail "curl --haproxy-protocol exited $?"
    ended curl 0
    report curl 'r["status"] == "passed"' '"(PROXY v1 from 127.0.0.1:" in r["peer"]'

    listen own --proxy v2 scenarios/servers/noop-and-help.json
    "$ehlo" run --target "127.0.0.1:$port" --proxy v2 --proxy-source 203.0.113.5:1234 \
      --proxy-destination 198.51.100.25:25 scenarios/servers/noop-and-help.json >"$tmp/own.client.out" 2>&1 ||
      fail "ehlo's client role with --proxy v2"
    ended own 0
    report own 'r["status"] == "passed"' 'r["peer"].startswith("TCP4 203.0.113.5:1234 -> 198.51.100.25:25 (PROXY v2 from")'

    # A deliberately broken client: SMTP where the header was due, then a v1 line with a bad port.
    for bytes in 'EHLO client.example\r\n' 'PROXY TCP4 192.0.2.1 198.51.100.25 99999 25\r\n'; do
      listen broken --proxy any scenarios/clients/curl-plain.json
      /usr/bin/python3 - "$port" "$bytes" <<'PY' >"$tmp/broken.client.out" 2>&1 || fail "the broken client"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(10)
while s.recv(4096):  # until ehlo closes
    pass
PY
      ended broken 1
      report broken 'r["status"] == "failed"' '[f["rule"] for f in r["findings"]] == ["proxy-2"]' \
        '"the PROXY protocol header: " in r["failure"]["message"]'
    done
    ;;
  *)
    echo "proxy: unknown case $case_name" >&2
    exit 2
    ;;
esac
echo "proxy $case_name: ok"
