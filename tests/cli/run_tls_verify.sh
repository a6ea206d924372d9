#!/usr/bin/env bash
# The client role checks the server's certificate whether or not it is asked
# to verify it (rule 3207-4.1):
#   - without --tls-verify a certificate a verifying client would refuse is a
#     finding naming why, and the scenario goes on;
#   - with --tls-verify the handshake fails, and the failure names why;
#   - a certificate trusted with --tls-ca that names the host is no finding;
#   - self-play trusts its own in-memory certificate: no finding.
# The server is `ehlo run --listen` on 127.0.0.1 (its in-memory self-signed
# certificate, or one made here with openssl).
#   run_tls_verify.sh EHLO
# Run from the repository's root.
set -euo pipefail
ehlo=$1
tmp=$(mktemp -d)
server_pid=''
cleanup() {
  [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "run_tls_verify: $*"
  for f in "$tmp"/out "$tmp"/server.out; do [[ -f $f ]] && echo "--- $f" && cat "$f"; done
  exit 1
}

scenario=scenarios/examples/starttls.json

# serve N [ARGS...]: the server role for N connections; sets port and server_pid.
serve() {
  local n=$1 _
  shift
  # Emptied first: the background job truncates it only when it starts, and
  # the last server's port must not be read meanwhile.
  : >"$tmp/server.out"
  "$ehlo" run --listen 127.0.0.1:0 --connections "$n" "$@" "$scenario" >"$tmp/server.out" 2>&1 &
  server_pid=$!
  port=''
  for _ in $(seq 200); do
    port=$(awk '/^listening on port/ { print $4 }' "$tmp/server.out")
    [[ -z $port ]] || return 0
    sleep 0.05
  done
  fail "the server role did not start listening"
}
stop() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=''
}

# client WANT-STATUS [ARGS...]: the client role against the server, -v, a JSON report in $tmp/run.json.
client() {
  local want=$1 status=0
  shift
  rm -f "$tmp/run.json"
  "$ehlo" run -v --target "127.0.0.1:$port" --report "json:$tmp/run.json" "$@" "$scenario" >"$tmp/out" 2>&1 ||
    status=$?
  [[ $status == "$want" ]] || fail "exit status $status, expected $want (client $*)"
}

# report_check PYTHON: an assertion over `sc`, the report's one scenario.
report_check() {
  /usr/bin/python3 - "$tmp/run.json" "$1" <<'PY' || fail "report: $1"
import json, sys
r = json.load(open(sys.argv[1]))
sc = r["scenarios"][0]
ok = eval(sys.argv[2], {"sc": sc, "r": r})
if not ok:
    print(json.dumps(sc, indent=1))
    sys.exit(1)
PY
}

has() { grep -qF -- "$1" "$tmp/out" || fail "the output lacks: $1"; }

# The in-memory certificate: self-signed, for localhost, 127.0.0.1 and ::1.
serve 3
client 0
has "[3207-4.1] the server's certificate would not pass a verifying client: self-signed certificate (steps/5)"
report_check 'sc["status"] == "passed" and sc["findings"] == [{"rule": "3207-4.1", "section": "RFC 3207 §4.1, RFC 7817 §3", "what": "the server'"'"'s certificate would not pass a verifying client: self-signed certificate", "step": "steps/5"}]'
client 0 --tls-sni mx.example.com
has "self-signed certificate; hostname mismatch (mx.example.com) (steps/5)"
client 1 --tls-verify
has "the TLS handshake failed at steps/5: the server's certificate failed verification: self-signed certificate"
report_check 'sc["status"] == "failed" and sc["failure"]["step"] == "steps/5" and sc.get("findings", []) == []'
stop
# The server role says what ended its handshake: the verifying client's alert.
grep -qF 'the TLS handshake failed at steps/5: the client sent the TLS alert "unknown CA" (48)' "$tmp/server.out" ||
  fail "the server role does not name the client's alert"

# A certificate from files, trusted with --tls-ca: clean when the name matches.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=mx.test" \
    -addext "subjectAltName=DNS:mx.test,IP:127.0.0.1" -keyout "$tmp/mx.key" -out "$tmp/mx.crt" 2>"$tmp/openssl.log" ||
    fail "openssl could not make a certificate: $(cat "$tmp/openssl.log")"
  serve 3 --tls-cert "$tmp/mx.crt" --tls-key "$tmp/mx.key"
  client 0 --tls-ca "$tmp/mx.crt"
  report_check 'sc["status"] == "passed" and sc.get("findings", []) == []'
  client 0 --tls-ca "$tmp/mx.crt" --tls-verify --tls-sni mx.test
  report_check 'sc["status"] == "passed" and sc.get("findings", []) == []'
  client 0 --tls-ca "$tmp/mx.crt" --tls-sni other.test
  has "[3207-4.1] the server's certificate would not pass a verifying client: hostname mismatch (other.test) (steps/5)"
  stop
else
  echo "run_tls_verify: openssl is missing: the --tls-ca part is left out"
fi

# Self-play trusts the certificate of its own server role.
"$ehlo" run --report "json:$tmp/run.json" scenarios/examples/starttls.json scenarios/examples/implicit-tls.json \
  >"$tmp/out" 2>&1 || fail "self-play of the TLS examples failed"
report_check 'all(s["status"] == "passed" and s.get("findings", []) == [] for s in r["scenarios"])'
echo "run_tls_verify: ok"
