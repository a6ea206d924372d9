#!/usr/bin/env bash
# `ehlo fuzz --pipe` against a real program that speaks SMTP on its stdin and
# stdout: Postfix's `sendmail -bs` (issue 12).
#
#   fuzz_pipe.sh EHLO MAX_EXECS
#
# Starts the test Postfix (tests/peers/with_peer.sh postfix) for its
# configuration and queue, and runs
#   EHLO fuzz --pipe 'sendmail -C $EHLO_PEER_DIR/etc -bs' --seed 1 --max-execs MAX_EXECS scenarios/servers
# (a fresh sendmail for each case, SMTP over its stdin and stdout), then checks:
#   - the campaign played MAX_EXECS cases and ended (exit 0 or 1), with its report;
#   - SMTP was spoken: the state machine learnt holds the greeting, EHLO's 250,
#     MAIL's, RCPT's, DATA's 354 and the end of data's 250, and at least 20 states;
#   - the messages the cases sent were queued by sendmail: they wait in the
#     maildrop folder (the test instance runs no pickup), which only sendmail's
#     postdrop writes.
# Run from the repository's root. Exit 0 when every check holds, 1 otherwise,
# 77 when Postfix cannot run here (with_peer.sh's skip).
set -uo pipefail
(($# == 2)) || {
  echo "usage: fuzz_pipe.sh EHLO MAX_EXECS" >&2
  exit 2
}
ehlo=$(realpath "$1") max_execs=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-fuzz-pipe.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export FP_EHLO=$ehlo FP_TMP=$tmp FP_MAX=$max_execs FP_SEEDS=$root/scenarios/servers
# shellcheck disable=SC2016 # expanded by the inner shell, from with_peer.sh's environment
"$root/tests/peers/with_peer.sh" postfix -- sh -c '
  "$FP_EHLO" fuzz --pipe "/usr/sbin/sendmail -C $EHLO_PEER_DIR/etc -bs" --seed 1 --max-execs "$FP_MAX" \
    --dir "$FP_TMP/campaign" --quiet --var "user=$EHLO_PEER_USER" --var "password=$EHLO_PEER_PASSWORD" \
    "$FP_SEEDS" >"$FP_TMP/fuzz.out" 2>"$FP_TMP/fuzz.err"
  echo $? >"$FP_TMP/fuzz.status"
  ls "$EHLO_PEER_DIR/spool/maildrop" | wc -l >"$FP_TMP/maildrop"
'
peer_status=$?
[[ $peer_status == 77 ]] && exit 77
cat "$tmp/fuzz.out"
failed=0
bad() {
  echo "fuzz_pipe: $*"
  failed=1
}
status=$(cat "$tmp/fuzz.status" 2>/dev/null || echo none)
[[ $status == 0 || $status == 1 ]] || bad "ehlo fuzz exited $status: $(tail -5 "$tmp/fuzz.err")"
counts=$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["cases"], r["states"], r["peer"])
' "$tmp/campaign/report.json" 2>&1) || {
  bad "no report: $counts"
  exit 1
}
read -r cases states peer <<<"$counts"
echo "fuzz_pipe: $cases cases, $states states; peer: $peer"
((cases == max_execs)) || bad "$cases cases played, not $max_execs"
((states >= 20)) || bad "only $states states learnt: SMTP was not spoken over the pipe"
for state in '<greeting> 220' 'EHLO 250' 'MAIL 250 2.1.0' 'RCPT 250 2.1.5' 'DATA 354' '<data> 250 2.0.0'; do
  grep -qF "label=\"$state\"" "$tmp/campaign/states.dot" || bad "no state '$state' in states.dot"
done
queued=$(cat "$tmp/maildrop" 2>/dev/null || echo 0)
((queued >= 1)) || bad "no message in the maildrop: sendmail queued none"
((failed == 0)) && echo "fuzz_pipe: $queued messages queued through sendmail -bs: ok"
exit $failed
