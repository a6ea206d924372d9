#!/usr/bin/env bash
# bench/load_rate.sh [--reps R] [--messages M] [--reuse-messages N] [--levels S,...] [--ehlo PATH] [--limit SECONDS]
#
# Issue 13: messages per second and CPU per message of `ehlo load` beside
# Postfix's smtp-source, both against one smtp-sink, in the same run. For each
# level S (default 1,10,50 parallel sessions):
#
#   without connection reuse (a connection per message; M messages, default 3000):
#     smtp-source -s S -m M -M client.example -f alice@example.org -t bob@example.com 127.0.0.1:PORT
#     ehlo load -q --target 127.0.0.1:PORT --concurrency S --sessions M SCENARIO
#   with connection reuse (S connections, N/S messages over each; N default 15000,
#   since a message costs a fifth as much):
#     smtp-source -d -s S -m N ...
#     ehlo load -q --target ... --concurrency S --sessions S --messages-per-session N/S SCENARIO
#
# ehlo plays two scenarios: bench/scenarios/one-message.json, a command at a
# time as smtp-source sends them, and bench/scenarios/pipelined.json, MAIL,
# RCPT and DATA in one write (RFC 2920, as Postfix's smtp client does against
# a server that offers PIPELINING) and QUIT right behind the message. Every
# reply is read and checked either way (smtp-source reads the replies too, but
# closes with a reset right after QUIT without reading its 221; ehlo reads it
# and waits for the server's close), and ehlo's runs must end with every
# message accepted and no error (--fail-if 'errors > 0' --fail-if 'messages < M').
#
# The rate is M / the client's wall time; the CPU per message is the client's
# (user + system, from /usr/bin/time) and smtp-sink's meanwhile (from /proc).
# Each measurement is repeated R times (default 5), the clients taking turns
# in a rotating order; the table shows the median and the range, and the ratio
# of the medians to smtp-source's. Exits 1 when a client fails.
set -euo pipefail
# shellcheck source=bench/net_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/net_lib.sh"

REPS=5
MESSAGES=3000
REUSE_MESSAGES=15000
LEVELS=1,10,50
EHLO=$BENCH_ROOT/build/default/ehlo
LIMIT=900
while (($#)); do
  case $1 in
    --reps)
      [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || bench_fail "--reps needs a count from 1 to 99"
      REPS=$2
      shift 2
      ;;
    --messages)
      [[ ${2:-} =~ ^[1-9][0-9]{1,6}$ ]] || bench_fail "--messages needs a count from 10 to 9999999"
      MESSAGES=$2
      shift 2
      ;;
    --reuse-messages)
      [[ ${2:-} =~ ^[1-9][0-9]{1,6}$ ]] || bench_fail "--reuse-messages needs a count from 10 to 9999999"
      REUSE_MESSAGES=$2
      shift 2
      ;;
    --levels)
      [[ ${2:-} =~ ^[1-9][0-9]{0,2}(,[1-9][0-9]{0,2})*$ ]] || bench_fail "--levels needs SESSIONS,... (below 1000)"
      LEVELS=$2
      shift 2
      ;;
    *)
      bench_common_option "$@"
      shift "$BENCH_SHIFT"
      ;;
  esac
done

ONE=$BENCH_ROOT/bench/scenarios/one-message.json
PIPELINED=$BENCH_ROOT/bench/scenarios/pipelined.json

if [[ -z ${EHLO_BENCH_INNER:-} ]]; then
  [[ -x $EHLO ]] || bench_fail "$EHLO is not built (cmake --workflow --preset default)"
  bench_need smtp-sink smtp-source postconf ps /usr/bin/time
  export EHLO_BENCH_INNER=1
  exec "$BENCH_ROOT/tests/peers/with_peer.sh" smtp-sink -- "$0" --reps "$REPS" --messages "$MESSAGES" \
    --reuse-messages "$REUSE_MESSAGES" --levels "$LEVELS" --ehlo "$EHLO" --limit "$LIMIT"
fi

bench_setup "$LIMIT"
SINK=$EHLO_PEER_HOST:$EHLO_PEER_PORT
TICK=$(getconf CLK_TCK)
SINK_PID=$(pgrep -f "^smtp-sink .*127\.0\.0\.1:$EHLO_PEER_PORT 256\$" || true)
[[ $SINK_PID =~ ^[0-9]+$ ]] || SINK_PID=""
IFS=, read -r -a LEVEL_LIST <<<"$LEVELS"
CLIENTS=(source one pipelined)

# messages S REUSE: how many messages a measurement sends (with reuse, a
# multiple of S for ehlo's messages per session; smtp-source sends that many too).
messages() {
  if [[ $2 == yes ]]; then echo $(((REUSE_MESSAGES / $1) * $1)); else echo "$MESSAGES"; fi
}

# command CLIENT S REUSE HOST:PORT: sets CMD (S "S": the command as shown, M and N unnamed).
command_for() {
  local total per
  if [[ $2 =~ ^[0-9]+$ ]]; then
    total=$(messages "$2" "$3")
    per=$((total / $2))
  else
    total=M per=M/S
    [[ $3 == yes ]] && total=N per=N/S
  fi
  case $1 in
    source)
      CMD=(smtp-source)
      [[ $3 == yes ]] && CMD+=(-d)
      CMD+=(-s "$2" -m "$total" -M client.example -f alice@example.org -t bob@example.com "$4")
      ;;
    one | pipelined)
      local scenario=$ONE
      [[ $1 == pipelined ]] && scenario=$PIPELINED
      CMD=("$EHLO" load -q --target "$4" --concurrency "$2")
      if [[ $3 == yes ]]; then
        CMD+=(--sessions "$2" --messages-per-session "$per")
      else
        CMD+=(--sessions "$total")
      fi
      CMD+=(--fail-if 'errors > 0' --fail-if "messages < $total" "$scenario")
      ;;
  esac
}

label() {
  case $1 in
    source) echo "smtp-source" ;;
    one) echo "ehlo load one-message.json" ;;
    pipelined) echo "ehlo load pipelined.json" ;;
  esac
}

# measure CLIENT S REUSE: one run; appends the rate and the CPU figures.
measure() {
  local client=$1 s=$2 reuse=$3 us c0="" c1="" total key="$1-$2-$3" log=$BENCH_TMP/client.log
  total=$(messages "$s" "$reuse")
  command_for "$client" "$s" "$reuse" "$SINK"
  [[ -n $SINK_PID ]] && c0=$(bench_cpu_ticks "$SINK_PID")
  if ! bench_time us "$log" /usr/bin/time -f "%U %S" -o "$BENCH_TMP/cpu" "${CMD[@]}"; then
    bench_say "$(label "$client") failed: $(printf '%q ' "${CMD[@]}")"
    tail -n 30 "$log" | sed 's/^/    /' >&2
    exit 1
  fi
  [[ -n $SINK_PID ]] && c1=$(bench_cpu_ticks "$SINK_PID")
  awk -v m="$total" -v us="$us" 'BEGIN { printf "%.1f\n", m / (us / 1e6) }' >>"$BENCH_TMP/$key.rate"
  tail -n 1 "$BENCH_TMP/cpu" | awk -v m="$total" '{ printf "%.1f\n", ($1 + $2) * 1e6 / m }' >>"$BENCH_TMP/$key.cpu"
  if [[ -n $c0 && -n $c1 ]]; then
    awk -v m="$total" -v t="$((c1 - c0))" -v hz="$TICK" 'BEGIN { printf "%.1f\n", t / hz * 1e6 / m }' \
      >>"$BENCH_TMP/$key.sink"
  fi
}

echo "== load_rate: messages/s of ehlo load beside smtp-source, against smtp-sink"
bench_machine
bench_versions ehlo postfix
echo "smtp-sink: with_peer.sh smtp-sink: $(command -v smtp-sink) 127.0.0.1:$EHLO_PEER_PORT 256 (one instance)"
echo "commands (S sessions; M = $MESSAGES messages without reuse, N = $REUSE_MESSAGES with it):"
for reuse in no yes; do
  for client in "${CLIENTS[@]}"; do
    command_for "$client" S "$reuse" "127.0.0.1:PORT"
    bench_show "${CMD[@]}"
  done
done
echo "levels: $LEVELS sessions; $REPS repetitions, the clients taking turns"

for ((rep = 0; rep < REPS; rep++)); do
  for level in "${LEVEL_LIST[@]}"; do
    for reuse in no yes; do
      for ((i = 0; i < ${#CLIENTS[@]}; i++)); do
        measure "${CLIENTS[(i + rep) % ${#CLIENTS[@]}]}" "$level" "$reuse"
      done
    done
  done
done

range() { sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }
median() { [[ -s $1 ]] && printf '%.0f' "$(bench_median "$1")" || echo -; }
echo
printf '%8s %5s  %-28s %19s %7s %10s %10s\n' sessions reuse client "msg/s median (range)" "x source" "client CPU" "sink CPU"
printf '%8s %5s  %-28s %19s %7s %10s %10s\n' "" "" "" "" "" "us/msg" "us/msg"
for level in "${LEVEL_LIST[@]}"; do
  for reuse in no yes; do
    base=$(bench_median "$BENCH_TMP/source-$level-$reuse.rate")
    for client in "${CLIENTS[@]}"; do
      key=$client-$level-$reuse
      rate=$(bench_median "$BENCH_TMP/$key.rate")
      printf '%8s %5s  %-28s %19s %7s %10s %10s\n' "$level" "$reuse" "$(label "$client")" \
        "$(printf '%.0f' "$rate") ($(range "$BENCH_TMP/$key.rate"))" \
        "$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
        "$(median "$BENCH_TMP/$key.cpu")" "$(median "$BENCH_TMP/$key.sink")"
    done
  done
done
echo
bench_machine | sed -n 2p | sed 's/^/after: /'
