#!/usr/bin/env bash
# bench/client_session.sh [-n N] [--ehlo PATH] [--limit SECONDS]
#
# Issue 5: the wall time of one whole SMTP client process doing one session
# (EHLO or HELO, MAIL, RCPT, DATA with a small message, QUIT) against
# Postfix's smtp-sink on 127.0.0.1, for ehlo and the usual clients side by side:
#   ehlo run --target   with bench/scenarios/one-message.json
#   swaks               --server --from --to --data @FILE --silent 1
#   curl                smtp:// --mail-from --mail-rcpt --upload-file
#   smtp-source         -m 1 -c (one message, one session; HELO, no EHLO)
# and two ehlo rows that say where its time goes:
#   ehlo run --target with SSL_CERT_FILE=/dev/null: the same session without
#     the system CA bundle (SSL_CTX_set_default_verify_paths parses every
#     certificate in it); ehlo makes a TLS context only when a scenario starts
#     TLS, so for this scenario the two rows must match;
#   ehlo validate of the same scenario: ehlo's start, scenario load and exit
#     with no network and no TLS, the floor under `ehlo run`.
#
# Each is run N times (default 50) after one warm-up round that is not counted,
# in rounds (each round runs every tool once, starting one tool later each
# round), so drift in the machine's load hits all of them alike. Prints min,
# median, p90 and max in ms. Exits 1 when any run fails (its output is shown).
set -euo pipefail
# shellcheck source=bench/net_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/net_lib.sh"

N=50
EHLO=$BENCH_ROOT/build/default/ehlo
LIMIT=240
while (($#)); do
  case $1 in
    -n)
      [[ ${2:-} =~ ^[1-9][0-9]{0,4}$ ]] || bench_fail "-n needs a count from 1 to 99999"
      N=$2
      shift 2
      ;;
    *)
      bench_common_option "$@"
      shift "$BENCH_SHIFT"
      ;;
  esac
done

SCENARIO=$BENCH_ROOT/bench/scenarios/one-message.json

# Outside: check the tools, then run again inside with_peer.sh (smtp-sink).
if [[ -z ${EHLO_BENCH_INNER:-} ]]; then
  [[ -x $EHLO ]] || bench_fail "$EHLO is not built (cmake --workflow --preset default)"
  bench_need smtp-sink smtp-source swaks curl postconf ps
  "$EHLO" validate "$SCENARIO" >/dev/null || bench_fail "$SCENARIO is not valid"
  export EHLO_BENCH_INNER=1
  exec "$BENCH_ROOT/tests/peers/with_peer.sh" smtp-sink -- "$0" -n "$N" --ehlo "$EHLO" --limit "$LIMIT"
fi

bench_setup "$LIMIT"
SERVER=$EHLO_PEER_HOST:$EHLO_PEER_PORT

# The same message for every client: LF lines for swaks and smtp-source (they
# send CRLF), CRLF lines for curl (it sends the file as it is).
printf 'From: alice@example.org\nTo: bob@example.com\nSubject: bench\n\nOne small message.\n' >"$BENCH_TMP/message.txt"
sed 's/$/\r/' "$BENCH_TMP/message.txt" >"$BENCH_TMP/message.crlf"

TOOLS=(ehlo swaks curl smtp-source ehlo-no-ca ehlo-validate)
declare -A LABEL=(
  [ehlo]="ehlo run --target"
  [ehlo-no-ca]="(same, SSL_CERT_FILE=/dev/null)"
  [swaks]="swaks"
  [curl]="curl smtp://"
  [smtp-source]="smtp-source -m 1"
  [ehlo-validate]="(ehlo validate: start+exit)"
)
command_of() {
  case $1 in
    ehlo) CMD=("$EHLO" run --target "$SERVER" "$SCENARIO") ;;
    ehlo-no-ca) CMD=(SSL_CERT_FILE=/dev/null "$EHLO" run --target "$SERVER" "$SCENARIO") ;;
    swaks) CMD=(swaks --server "$SERVER" --helo client.example --from alice@example.org --to bob@example.com
      --data "@$BENCH_TMP/message.txt" --timeout 10 --silent 1) ;;
    curl) CMD=(curl --silent --show-error --max-time 10 "smtp://$SERVER/client.example"
      --mail-from alice@example.org --mail-rcpt bob@example.com --upload-file "$BENCH_TMP/message.crlf") ;;
    smtp-source) CMD=(smtp-source -m 1 -c -M client.example -f alice@example.org -t bob@example.com
      -F "$BENCH_TMP/message.txt" "$SERVER") ;;
    ehlo-validate) CMD=("$EHLO" validate "$SCENARIO") ;;
  esac
}

echo "== client_session: one SMTP session per process against smtp-sink on $SERVER"
bench_machine
bench_versions ehlo swaks curl postfix
echo "server: smtp-sink (with_peer.sh smtp-sink: $(command -v smtp-sink) 127.0.0.1:$EHLO_PEER_PORT 256)"
echo "commands:"
for t in "${TOOLS[@]}"; do
  command_of "$t"
  bench_show "${CMD[@]}"
done
echo "rounds: 1 warm-up + $N measured, each tool once per round, rotating the order"

run_one() { # TOOL ROUND: times it, appends to TOOL's figures unless round 0
  local us
  command_of "$1"
  if ! bench_time us "$BENCH_TMP/$1.log" "${CMD[@]}"; then
    bench_say "$1 failed in round $2: $(printf '%q ' "${CMD[@]}")"
    sed 's/^/    /' "$BENCH_TMP/$1.log" >&2
    exit 1
  fi
  (($2 > 0)) && echo "$us" >>"$BENCH_TMP/$1.us"
  return 0
}

for ((round = 0; round <= N; round++)); do
  for ((i = 0; i < ${#TOOLS[@]}; i++)); do
    run_one "${TOOLS[(round + i) % ${#TOOLS[@]}]}" "$round"
  done
done
# ehlo's own verdict on the last session it played.
grep -E '^[0-9]+ scenarios?:' "$BENCH_TMP/ehlo.log" | sed 's/^/ehlo says (last run): /'

echo
printf '%-32s %5s %8s %9s %8s %8s\n' "client (one session, process)" runs "min ms" "median ms" "p90 ms" "max ms"
for t in "${TOOLS[@]}"; do
  read -r lo med p90 hi < <(bench_stats "$BENCH_TMP/$t.us")
  printf '%-32s %5d %8s %9s %8s %8s\n' "${LABEL[$t]}" "$(wc -l <"$BENCH_TMP/$t.us")" "$lo" "$med" "$p90" "$hi"
done
echo
bench_machine | sed -n 2p | sed 's/^/after: /'
