#!/usr/bin/env bash
# Postfix's XCLIENT and XFORWARD against Postfix itself:
#
#   tests/transport/xclient.sh EHLO        (from the repository's root)
#
# A private Postfix with smtpd_authorized_xclient_hosts and smtpd_authorized_xforward_hosts
# = 127.0.0.0/8 plays scenarios/postfix/xclient.json and xforward.json: both pass with no
# finding (XCLIENT's 220 is a new greeting, so no enhanced status code is due), and Postfix's
# log shows each message as from the client the command named: client.example.org[192.0.2.77]
# for XCLIENT, orig_client=client.example.org[192.0.2.88] for XFORWARD.
# Exit 0 passed, 1 failed, 77 Postfix cannot run here (CTest: skipped).
set -uo pipefail
ehlo=$(realpath "$1")
if [[ ${2:-} != --inner ]]; then
  exec tests/peers/with_peer.sh postfix --set smtpd_authorized_xclient_hosts=127.0.0.0/8 \
    --set smtpd_authorized_xforward_hosts=127.0.0.0/8 -- "$0" "$ehlo" --inner
fi
out=$("$ehlo" run -v --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" scenarios/postfix/xclient.json scenarios/postfix/xforward.json 2>&1)
rc=$?
fail() {
  echo "xclient: $*"
  echo "$out"
  grep -v 'postlogd\|master' "$EHLO_PEER_LOG" | tail -n 20
  exit 1
}
((rc == 0)) || fail "ehlo run exited $rc"
grep -q '^2 scenarios: 2 passed, 0 failed (' <<<"$out" || fail "not both passed, or with findings"
for ((i = 0; i < 300; i++)); do
  grep -q 'orig_client=client.example.org\[192.0.2.88\]' "$EHLO_PEER_LOG" && break
  sleep 0.05
done
grep -q ': client=client.example.org\[192.0.2.77\]$' "$EHLO_PEER_LOG" || fail "Postfix did not take the XCLIENT client"
grep -q 'orig_client=client.example.org\[192.0.2.88\]' "$EHLO_PEER_LOG" || fail "Postfix did not take the XFORWARD client"
echo "xclient: ok"
