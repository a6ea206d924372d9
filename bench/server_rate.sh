#!/usr/bin/env bash
# bench/server_rate.sh [--reps R] [--levels S:M,...] [--size BYTES] [--ehlo PATH] [--limit SECONDS]
#
# Issue 6: messages per second the server role (`ehlo run --listen`) sustains
# under Postfix's smtp-source, beside Postfix's smtp-sink under the same load,
# in the same run. For each level S:M (default 1:500,10:3000,50:3000), the
# measurement is
#   smtp-source -s S -m M -l BYTES -M client.example -f alice@example.org -t bob@example.com 127.0.0.1:PORT
# M messages over S parallel sessions. Without -d, smtp-source sends one
# message per connection (HELO, MAIL, RCPT, DATA, QUIT, then a reset without
# reading the 221), so M connections; ehlo serves each with
# bench/scenarios/smtp-source.json:
#   ehlo run --listen 127.0.0.1:0 --connections M bench/scenarios/smtp-source.json
# started anew for each measurement (the clock starts once it listens) and
# checked afterwards: exit 0 and "M scenarios: M passed". smtp-sink is one
# instance for the whole run (tests/peers/with_peer.sh smtp-sink).
#
# The rate is M / smtp-source's wall time. Each measurement is repeated R
# times (default 5), the two servers alternating which goes first; the table
# shows the median and the range. Beside it, the server's CPU time (user +
# system) per message, from the start of smtp-source to the server's exit for
# ehlo, while smtp-source ran for smtp-sink: on a busy machine the
# rates swing with the scheduler, the CPU cost much less. Exits 1 when
# smtp-source or ehlo fails.
set -euo pipefail
# shellcheck source=bench/net_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/net_lib.sh"

REPS=5
LEVELS=1:500,10:3000,50:3000
SIZE=1000
EHLO=$BENCH_ROOT/build/default/ehlo
LIMIT=240
while (($#)); do
  case $1 in
    --reps)
      [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || bench_fail "--reps needs a count from 1 to 99"
      REPS=$2
      shift 2
      ;;
    --levels)
      [[ ${2:-} =~ ^[1-9][0-9]{0,2}:[1-9][0-9]{0,5}(,[1-9][0-9]{0,2}:[1-9][0-9]{0,5})*$ ]] ||
        bench_fail "--levels needs SESSIONS:MESSAGES,... (sessions below 1000, messages below a million)"
      LEVELS=$2
      shift 2
      ;;
    --size)
      [[ ${2:-} =~ ^[0-9]{1,7}$ ]] || bench_fail "--size needs a byte count below 10 MB"
      SIZE=$2
      shift 2
      ;;
    *)
      bench_common_option "$@"
      shift "$BENCH_SHIFT"
      ;;
  esac
done

SCENARIO=$BENCH_ROOT/bench/scenarios/smtp-source.json

if [[ -z ${EHLO_BENCH_INNER:-} ]]; then
  [[ -x $EHLO ]] || bench_fail "$EHLO is not built (cmake --workflow --preset default)"
  bench_need smtp-sink smtp-source postconf ps
  "$EHLO" validate "$SCENARIO" >/dev/null || bench_fail "$SCENARIO is not valid"
  export EHLO_BENCH_INNER=1
  exec "$BENCH_ROOT/tests/peers/with_peer.sh" smtp-sink -- "$0" --reps "$REPS" --levels "$LEVELS" --size "$SIZE" \
    --ehlo "$EHLO" --limit "$LIMIT"
fi

bench_setup "$LIMIT"
SINK=$EHLO_PEER_HOST:$EHLO_PEER_PORT
TICK=$(getconf CLK_TCK)
# smtp-sink's process, to read its CPU time (with_peer.sh starts it with the
# address and backlog last); none found: that column shows "-".
SINK_PID=$(pgrep -f "^smtp-sink .*127\.0\.0\.1:$EHLO_PEER_PORT 256\$" || true)
[[ $SINK_PID =~ ^[0-9]+$ ]] || SINK_PID=""
IFS=, read -r -a LEVEL_LIST <<<"$LEVELS"

source_command() { # SESSIONS MESSAGES HOST:PORT
  CMD=(smtp-source -s "$1" -m "$2" -l "$SIZE" -M client.example -f alice@example.org -t bob@example.com "$3")
}
server_command() { # MESSAGES
  CMD=("$EHLO" run --listen 127.0.0.1:0 --connections "$1" "$SCENARIO")
}

echo "== server_rate: messages/s under smtp-source, ehlo run --listen beside smtp-sink"
bench_machine
bench_versions ehlo postfix
echo "smtp-sink: with_peer.sh smtp-sink: $(command -v smtp-sink) 127.0.0.1:$EHLO_PEER_PORT 256 (one instance)"
echo "commands (S sessions, M messages; PORT: ehlo's, printed when it listens):"
server_command M
bench_show "${CMD[@]}"
source_command S M "127.0.0.1:PORT"
bench_show "${CMD[@]}"
echo "levels (S:M): $LEVELS; message payload $SIZE bytes; $REPS repetitions, servers alternating"

# record SERVER S M US CPU: the rate, and the CPU per message (CPU: seconds
# the server used meanwhile; empty when unknown).
record() {
  awk -v m="$3" -v us="$4" 'BEGIN { printf "%.1f\n", m / (us / 1e6) }' >>"$BENCH_TMP/$1-$2.rate"
  [[ -z $5 ]] || awk -v m="$3" -v cpu="$5" 'BEGIN { printf "%.1f\n", cpu * 1e6 / m }' >>"$BENCH_TMP/$1-$2.cpu"
}

ticks_to_seconds() { [[ -n $1 && -n $2 ]] && awk -v t="$(($2 - $1))" -v hz="$TICK" 'BEGIN { print t / hz }'; }

# measure_sink S M REP: one smtp-source run against smtp-sink.
measure_sink() {
  local us c0="" c1=""
  source_command "$1" "$2" "$SINK"
  [[ -n $SINK_PID ]] && c0=$(bench_cpu_ticks "$SINK_PID")
  if ! bench_time us "$BENCH_TMP/source.log" "${CMD[@]}"; then
    bench_say "smtp-source against smtp-sink failed: $(printf '%q ' "${CMD[@]}")"
    sed 's/^/    /' "$BENCH_TMP/source.log" >&2
    exit 1
  fi
  [[ -n $SINK_PID ]] && c1=$(bench_cpu_ticks "$SINK_PID")
  record sink "$1" "$2" "$us" "$(ticks_to_seconds "$c0" "$c1")"
}

# measure_ehlo S M REP: a fresh `ehlo run --listen` for M connections, one
# smtp-source run against it, then ehlo's verdict. ehlo runs under a subshell
# whose `times` gives ehlo's whole CPU time once it has exited; its CPU time
# at the start of the measurement comes from /proc. (ehlo may exit as soon as
# smtp-source's last session ends, and bash reaps it at once: /proc has no
# figure for it then.)
measure_ehlo() {
  local us shell pid="" port="" i rc=0 log=$BENCH_TMP/ehlo-$1-$3.log summary c0 cpu=""
  server_command "$2"
  rm -f "$log.pid" "$log.times"
  (
    "${CMD[@]}" </dev/null >"$log" 2>&1 &
    echo "$!" >"$log.pid"
    status=0
    wait "$!" || status=$?
    times >"$log.times"
    exit "$status"
  ) &
  shell=$!
  BENCH_PIDS+=("$shell")
  for ((i = 0; i < 500; i++)); do # at most 10 s
    [[ -z $pid && -s $log.pid ]] && pid=$(<"$log.pid") && BENCH_PIDS+=("$pid")
    [[ -n $pid ]] && port=$(sed -n '1s/^listening on port \([0-9]*\)$/\1/p' "$log")
    [[ -n $port ]] && break
    bench_alive "$shell" || break
    sleep 0.02
  done
  [[ -n $port ]] || {
    sed 's/^/    /' "$log" >&2
    bench_fail "ehlo run --listen did not listen: $(printf '%q ' "${CMD[@]}")"
  }
  source_command "$1" "$2" "127.0.0.1:$port"
  c0=$(bench_cpu_ticks "$pid")
  if ! bench_time us "$BENCH_TMP/source.log" "${CMD[@]}"; then
    bench_say "smtp-source against ehlo failed: $(printf '%q ' "${CMD[@]}")"
    sed 's/^/    /' "$BENCH_TMP/source.log" >&2
    tail -n 5 "$log" | sed 's/^/    ehlo: /' >&2
    exit 1
  fi
  # Every connection is in; the last sessions end within a step's timeout.
  for ((i = 0; i < 750; i++)); do # at most 15 s
    bench_alive "$shell" || break
    sleep 0.02
  done
  if bench_alive "$shell"; then
    bench_fail "ehlo run --listen did not finish 15 s after smtp-source did (log: tail of $log follows)
$(tail -n 5 "$log")"
  fi
  wait "$shell" || rc=$?
  bench_forget "$shell"
  bench_forget "$pid"
  summary=$(tail -n 1 "$log")
  if ((rc != 0)) || [[ $summary != "$2 scenarios: $2 passed, 0 failed"* ]]; then
    grep -v '^PASS' "$log" | head -n 20 | sed 's/^/    /' >&2
    bench_fail "ehlo's verdict (exit $rc): $summary"
  fi
  echo "$summary" >>"$BENCH_TMP/ehlo-$1.verdicts"
  # The second line of `times`: the children's user and system time, "XmY.YYYs".
  if [[ -n $c0 && -s $log.times ]]; then
    cpu=$(awk -v c0="$c0" -v hz="$TICK" 'NR == 2 {
      t = 0
      for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
      print t - c0 / hz
    }' "$log.times")
  fi
  record ehlo "$1" "$2" "$us" "$cpu"
}

for ((rep = 1; rep <= REPS; rep++)); do
  for level in "${LEVEL_LIST[@]}"; do
    s=${level%%:*} m=${level##*:}
    if ((rep % 2)); then
      measure_ehlo "$s" "$m" "$rep"
      measure_sink "$s" "$m" "$rep"
    else
      measure_sink "$s" "$m" "$rep"
      measure_ehlo "$s" "$m" "$rep"
    fi
  done
done

range() { sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }
cpu() { [[ -s $1 ]] && printf '%.0f' "$(bench_median "$1")" || echo -; }
echo
printf '%8s %8s %17s %17s %9s %9s %9s  %s\n' sessions messages "smtp-sink msg/s" "ehlo msg/s" "ehlo/sink" \
  "sink CPU" "ehlo CPU" "ehlo's verdict"
printf '%8s %8s %17s %17s %9s %9s %9s\n' "" "" "median (range)" "median (range)" "(medians)" "us/msg" "us/msg"
for level in "${LEVEL_LIST[@]}"; do
  s=${level%%:*} m=${level##*:}
  sink=$(bench_median "$BENCH_TMP/sink-$s.rate")
  ehlo=$(bench_median "$BENCH_TMP/ehlo-$s.rate")
  passed=$(grep -c "^$m scenarios: $m passed, 0 failed" "$BENCH_TMP/ehlo-$s.verdicts" || true)
  printf '%8s %8s %17s %17s %9s %9s %9s  %s\n' "$s" "$m" \
    "$(printf '%.0f' "$sink") ($(range "$BENCH_TMP/sink-$s.rate"))" \
    "$(printf '%.0f' "$ehlo") ($(range "$BENCH_TMP/ehlo-$s.rate"))" \
    "$(awk -v a="$ehlo" -v b="$sink" 'BEGIN { printf "%.2f", a / b }')" \
    "$(cpu "$BENCH_TMP/sink-$s.cpu")" "$(cpu "$BENCH_TMP/ehlo-$s.cpu")" \
    "$passed/$REPS runs: all $m passed"
done
echo
bench_machine | sed -n 2p | sed 's/^/after: /'
