#!/usr/bin/env bash
# SMTPUTF8 and DSN end to end against Postfix (its smtputf8_enable = yes is the default):
#
#   tests/transport/smtputf8_dsn.sh EHLO        (from the repository's root)
#
# The client role plays scenarios/postfix/smtputf8-addresses.json and
# dsn-success-notification.json against a private Postfix; both must pass with no finding.
# Then, from outside, the mailbox: the UTF-8 message arrived as sent (the UTF-8 recipient in
# X-Original-To, "with UTF8SMTP" in Received, the Subject unencoded), and Postfix's delivery
# report for the DSN message went back to the sender with the ENVID and ORCPT decoded from
# their xtext, Action delivered, and only the message's headers (RET=HDRS).
# Everything stays on 127.0.0.1. Exit 0 passed, 1 failed, 77 Postfix cannot run here (CTest: skipped).
set -uo pipefail
ehlo=$(realpath "$1")
if [[ ${2:-} != --inner ]]; then
  exec tests/peers/with_peer.sh postfix -- "$0" "$ehlo" --inner
fi
out=$("$ehlo" run -v --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" scenarios/postfix/smtputf8-addresses.json \
  scenarios/postfix/dsn-success-notification.json 2>&1)
rc=$?
fail() {
  echo "smtputf8_dsn: $*"
  echo "$out"
  grep -v 'postlogd\|master' "$EHLO_PEER_LOG" | tail -n 20
  for f in "$EHLO_PEER_MAIL"/new/*; do
    [[ -f $f ]] && echo "---- $f" && head -n 60 "$f"
  done
  exit 1
}
((rc == 0)) || fail "ehlo run exited $rc"
grep -q '^2 scenarios: 2 passed, 0 failed (' <<<"$out" || fail "not both passed, or with findings"
# Three messages: the two sent and Postfix's delivery report (queued after the first delivery).
report=
for ((i = 0; i < 1200; i++)); do
  report=$(grep -l '^Original-Envelope-Id:' "$EHLO_PEER_MAIL"/new/* 2>/dev/null | head -n 1)
  [[ -n $report ]] && break
  sleep 0.05
done
[[ -n $report ]] || fail "no delivery report reached the sender within 60 s"
utf8=$(grep -l '^Subject: Grüße aus Köln' "$EHLO_PEER_MAIL"/new/* 2>/dev/null | head -n 1)
[[ -n $utf8 ]] || fail "the UTF-8 message is not in the mailbox"
grep -q '^X-Original-To: δοκιμή@example.com$' "$utf8" || fail "the UTF-8 recipient is not X-Original-To"
grep -q '^Return-Path: <jörg@example.com>$' "$utf8" || fail "the UTF-8 sender is not the Return-Path"
grep -q 'with UTF8SMTP id' "$utf8" || fail "Postfix did not take the message as SMTPUTF8"
grep -q '^To: alice@example.com$' "$report" || fail "the report did not go to the sender"
grep -q '^Original-Envelope-Id: ehlo+test-1$' "$report" || fail "ENVID did not come back decoded"
grep -q '^Original-Recipient: rfc822;bob+orig@example.com$' "$report" || fail "ORCPT did not come back decoded"
grep -q '^Action: delivered$' "$report" || fail "the report is not of a delivery"
grep -q '^Content-Type: text/rfc822-headers$' "$report" || fail "RET=HDRS: the report does not hold only the headers"
grep -q '^A delivery report goes back' "$report" && fail "RET=HDRS: the report holds the message's body"
echo "smtputf8_dsn: ok"
