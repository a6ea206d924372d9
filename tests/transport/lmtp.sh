#!/usr/bin/env bash
# LMTP (RFC 2033) against real peers, both roles:
#
#   tests/transport/lmtp.sh EHLO postfix|aiosmtpd|dovecot        (from the repository's root)
#
# aiosmtpd: the client role plays scenarios/lmtp/lmtp-two-recipients.json against aiosmtpd's
# LMTP server (with_peer.sh aiosmtpd --lmtp MODE): it passes where the server answers the end
# of data once per recipient (per-recipient), and fails at the second recipient's reply where
# the server sends aiosmtpd's one reply (one-reply).
#
# postfix: `ehlo run --listen 127.0.0.1:0` plays the LMTP server of
# scenarios/lmtp/postfix-lmtp-per-recipient.json; a private Postfix (with_peer.sh postfix
# --lmtp-to inet:127.0.0.1:PORT) delivers example.com's mail to it. swaks submits one message
# for alice, bob and carol; ehlo refuses carol at RCPT, and after the end of data sends one
# reply per accepted recipient: 250 for alice, 452 for bob. ehlo must pass (Postfix sent LHLO,
# the envelope and the message as scripted), and Postfix's log must show that it took each
# reply for its own recipient: alice sent, bob deferred, carol bounced.
#
# dovecot: the client role against Dovecot's LMTP server (with_peer.sh dovecot: alice and bob
# exist, bob is over quota). scenarios/lmtp/dovecot-*.json are played over TCP and over Dovecot's
# Unix socket: carol refused at RCPT, then after the end of data (and after BDAT LAST) alice's 250
# and bob's 552, one reply each. Then, from outside: alice's maildir holds the four messages, bob's
# none, and Dovecot's log shows connections through the socket. Last, a scenario that scripts one
# reply for the two recipients must fail, at the step of QUIT's reply, where bob's 552 comes.
#
# Everything stays on 127.0.0.1; processes started here are stopped by their ids.
# Exit 0 passed, 1 failed, 77 a program is missing or Postfix cannot run (CTest: skipped).
set -uo pipefail
ehlo=$(realpath "$1")
case_name=${2:-}
if [[ $case_name == aiosmtpd ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tests/peers/with_peer.sh aiosmtpd --lmtp per-recipient -- sh -c \
    '"$0" run --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" scenarios/lmtp/lmtp-two-recipients.json' "$ehlo" \
    >"$tmp/per.out" 2>&1
  rc=$?
  ((rc == 77)) && exit 77
  ((rc == 0)) && grep -q '^PASS  lmtp-two-recipients' "$tmp/per.out" || {
    echo "lmtp aiosmtpd: a reply per recipient did not pass (exit $rc)"
    cat "$tmp/per.out"
    exit 1
  }
  tests/peers/with_peer.sh aiosmtpd --lmtp one-reply -- sh -c \
    '"$0" run --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" scenarios/lmtp/lmtp-two-recipients.json' "$ehlo" \
    >"$tmp/one.out" 2>&1
  rc=$?
  ((rc == 1)) && grep -q 'timed out after 5s waiting for steps/13' "$tmp/one.out" || {
    echo "lmtp aiosmtpd: one reply for two recipients did not fail at the second's (exit $rc)"
    cat "$tmp/one.out"
    exit 1
  }
  echo "lmtp aiosmtpd: ok"
  exit 0
fi
if [[ $case_name == dovecot ]]; then
  tests/peers/with_peer.sh dovecot -- "$0" "$ehlo" --dovecot-inner
  exit $?
fi
if [[ $case_name == --dovecot-inner ]]; then
  out=$EHLO_PEER_DIR/ehlo.out
  fail() {
    echo "lmtp dovecot: $*"
    echo "---- ehlo"
    cat "$out"
    echo "---- Dovecot's log"
    tail -n 30 "$EHLO_PEER_LOG"
    exit 1
  }
  for target in "$EHLO_PEER_HOST:$EHLO_PEER_PORT" "unix:$EHLO_PEER_SOCKET"; do
    timeout -k 5 120 "$ehlo" run --target "$target" scenarios/lmtp/dovecot-quota-per-recipient.json \
      scenarios/lmtp/dovecot-bdat-per-recipient.json >"$out" 2>&1
    rc=$?
    ((rc == 0)) && grep -q '^2 scenarios: 2 passed, 0 failed' "$out" || fail "--target $target did not pass (exit $rc)"
  done
  # Dovecot saves before it answers: the messages are there once the 250s came.
  # messages USER [TEXT]: how many messages USER's maildir holds (holding TEXT).
  messages() {
    local f n=0
    for f in "$EHLO_PEER_MAIL/$1"/new/* "$EHLO_PEER_MAIL/$1"/cur/*; do
      [[ -f $f ]] || continue
      [[ -z ${2:-} ]] || grep -qxF -- "$2" "$f" || continue
      n=$((n + 1))
    done
    echo "$n"
  }
  n=$(messages alice) && ((n == 4)) || fail "alice's maildir holds $n messages, not 4 (two scenarios, two transports)"
  n=$(messages alice 'Subject: LMTP to Dovecot') && ((n == 2)) || fail "alice has $n messages of DATA, not 2"
  n=$(messages alice 'Subject: LMTP BDAT to Dovecot') && ((n == 2)) || fail "alice has $n messages of BDAT, not 2"
  n=$(messages bob) && ((n == 0)) || fail "bob, over quota, has $n messages"
  n=$(grep -c 'lmtp(bob@example.com).*save failed to INBOX: Quota exceeded' "$EHLO_PEER_LOG") && ((n == 4)) ||
    fail "Dovecot's log shows $n quota refusals for bob, not 4"
  grep -q 'lmtp([0-9]*): Info: Connect from local$' "$EHLO_PEER_LOG" || fail "no connection came through the Unix socket"
  # One reply scripted for two recipients: ehlo reads bob's reply where it wants QUIT's.
  timeout -k 5 120 "$ehlo" run --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" \
    tests/data/scenarios/lmtp/dovecot-one-reply.json >"$out" 2>&1
  rc=$?
  ((rc == 1)) || fail "one reply for two recipients: exit $rc, not 1"
  grep -qF 'steps/14: expected 221 (S "221 2.0.0 Bye"), got 552 5.2.2 <bob@example.com> Quota exceeded' "$out" ||
    fail "one reply for two recipients did not fail at QUIT's reply (steps/14) with bob's 552"
  echo "lmtp dovecot: ok"
  exit 0
fi
[[ $case_name == postfix || $case_name == --inner ]] || {
  echo "usage: $0 EHLO postfix|aiosmtpd|dovecot" >&2
  exit 2
}
if [[ $case_name != --inner ]]; then
  command -v swaks >/dev/null || {
    echo "lmtp: skipped: swaks is not installed"
    exit 77
  }
  tmp=$(mktemp -d)
  trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
  timeout -k 5 120 "$ehlo" run --listen 127.0.0.1:0 --report "json:$tmp/lmtp.json" \
    scenarios/lmtp/postfix-lmtp-per-recipient.json >"$tmp/ehlo.out" 2>&1 &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '^listening on port' "$tmp/ehlo.out" && break
    sleep 0.05
  done
  port=$(sed -n 's/^listening on port \([0-9]*\)$/\1/p' "$tmp/ehlo.out")
  [[ -n $port ]] || {
    echo "lmtp: ehlo did not say it was listening"
    cat "$tmp/ehlo.out"
    exit 1
  }
  EHLO_LMTP_PID=$pid EHLO_LMTP_OUT=$tmp/ehlo.out tests/peers/with_peer.sh postfix --lmtp-to "inet:127.0.0.1:$port" \
    -- "$0" "$ehlo" --inner
  exit $?
fi

fail() {
  echo "lmtp: $*"
  echo "---- ehlo"
  cat "$EHLO_LMTP_OUT"
  echo "---- Postfix's log"
  grep -v 'postlogd\|master' "$EHLO_PEER_LOG" | tail -n 20
  exit 1
}
swaks --server "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --from sender@example.org \
  --to alice@example.com,bob@example.com,carol@example.com --timeout 20 >/dev/null 2>&1 || fail "swaks exited $?"
# ehlo serves the one connection, then ends (bounded by its timeout): it must pass.
wait_pid() {
  local i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$EHLO_LMTP_PID" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}
wait_pid || fail "ehlo did not end within 60 s"
grep -q '^1 scenario: 1 passed' "$EHLO_LMTP_OUT" || fail "ehlo's LMTP server did not pass"
# Postfix logs each recipient's outcome as its lmtp client took it.
for ((i = 0; i < 300; i++)); do
  grep -q 'to=<bob@example.com>.*status=deferred' "$EHLO_PEER_LOG" && break
  sleep 0.05
done
grep -q 'to=<alice@example.com>, relay=127.0.0.1.*status=sent (250 2.0.0 <alice@example.com> Saved)' "$EHLO_PEER_LOG" ||
  fail "alice was not sent with the first reply"
grep -q 'to=<bob@example.com>, relay=127.0.0.1.*status=deferred (host 127.0.0.1\[127.0.0.1\] said: 452 4.2.2 <bob@example.com> Mailbox full' "$EHLO_PEER_LOG" ||
  fail "bob was not deferred with the second reply"
grep -q 'to=<carol@example.com>, relay=127.0.0.1.*status=bounced' "$EHLO_PEER_LOG" || fail "carol was not bounced at RCPT"
echo "lmtp: ok"
