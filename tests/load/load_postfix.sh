#!/usr/bin/env bash
# ehlo load against the test Postfix (tests/peers/with_peer.sh postfix, as root):
#
#   load_postfix.sh EHLO
#
# Run from the repository's root. Plays scenarios/servers/starttls-auth-plain-delivery.json
# (STARTTLS with the certificate verified, AUTH PLAIN, two recipients) at
# --concurrency 4 for 30 sessions of 2 messages each (--messages-per-session 2),
# then checks ehlo's counts against Postfix's log: a "disconnect from" line per
# session with its command counts (ehlo=2 starttls=1 auth=1 mail=2 rcpt=4
# data=2 ...), so 30 sessions and 60 messages; and that ehlo timed the TLS
# handshake and AUTH of every session. Exit 0 when every check holds, 1
# otherwise, 77 when Postfix cannot run here.
set -uo pipefail
ehlo=$(realpath "$1")
if [[ ${2:-} != --inner ]]; then
  exec tests/peers/with_peer.sh postfix -- "$0" "$ehlo" --inner
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "load_postfix: $*"
  tail -n 40 "$tmp/load.out"
  echo "---- the end of Postfix's log"
  tail -n 20 "$EHLO_PEER_LOG"
  exit 1
}

timeout -k 5 300 "$ehlo" load --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --concurrency 4 --sessions 30 \
  --messages-per-session 2 --var user="$EHLO_PEER_USER" --var password="$EHLO_PEER_PASSWORD" --tls-verify \
  --tls-ca "$EHLO_PEER_CERT" --report "json:$tmp/r.json" --fail-if 'errors > 0' \
  scenarios/servers/starttls-auth-plain-delivery.json >"$tmp/load.out" 2>&1
rc=$?
[[ $rc == 0 ]] || fail "exit status $rc, expected 0"
grep -q '^  sessions   30 started, 30 passed (.*), 0 failed$' "$tmp/load.out" || fail "the summary's sessions"
grep -q '^  messages   60 accepted (.*), 0 refused$' "$tmp/load.out" || fail "the summary's messages"

# Postfix logs through postlogd, a moment behind: wait for every session's line (at most 30 s).
sessions() { grep -c 'postfix/smtpd\[[0-9]*\]: disconnect from .* auth=1 ' "$EHLO_PEER_LOG"; }
for _ in $(seq 300); do
  [[ $(sessions) -ge 30 ]] && break
  sleep 0.1
done
seen=$(sessions)
[[ $seen == 30 ]] || fail "Postfix logged $seen sessions, expected 30"
messages=$(grep 'postfix/smtpd\[[0-9]*\]: disconnect from .* auth=1 ' "$EHLO_PEER_LOG" |
  sed -n 's/.* data=\([0-9]*\) .*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
[[ $messages == 60 ]] || fail "Postfix logged $messages messages (data=), expected 60"
per_session=$(grep 'postfix/smtpd\[[0-9]*\]: disconnect from .* auth=1 ' "$EHLO_PEER_LOG" |
  grep -c ' ehlo=2 starttls=1 auth=1 mail=2 rcpt=4 data=2 noop=1 quit=1 commands=14')
[[ $per_session == 30 ]] || fail "$per_session sessions with ehlo=2 starttls=1 auth=1 mail=2 rcpt=4 data=2, expected 30"
/usr/bin/python3 - "$tmp/r.json" <<'PY' || fail "the JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
s = r["steps"]
want = {"tls": 30, "STARTTLS": 30, "EHLO": 60, "AUTH": 30, "MAIL": 60, "RCPT": 120, "end-of-data": 60,
        "NOOP": 30, "QUIT": 30, "session": 30}
bad = {k: s.get(k, {}).get("count") for k, n in want.items() if s.get(k, {}).get("count") != n}
if bad or r["totals"]["messages"] != 60:
    print("counts that differ:", bad, r["totals"])
    sys.exit(1)
PY
echo "load_postfix: ok"
