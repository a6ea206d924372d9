# shellcheck shell=bash
# Helpers for the network benchmarks (client_session.sh, server_rate.sh), sourced.
#
# Times are taken with bash's EPOCHREALTIME (microseconds, no process started
# to read the clock), so the only cost a measurement adds is the fork and exec
# of the program measured, the same for every tool.
#
# Each script runs itself again inside tests/peers/with_peer.sh smtp-sink,
# which starts smtp-sink on 127.0.0.1 and stops it by process id however the
# script ends. What the scripts start themselves they stop by process id too
# (bench_cleanup); a watchdog bounds the whole run.

export LC_ALL=C # EPOCHREALTIME with a "." whatever the locale

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_PIDS=()    # processes this script started and must stop
BENCH_TMP=""     # removed at exit
BENCH_CHILD=""   # the program being measured, stopped on INT/TERM
BENCH_NAME=${0##*/}

# The options every benchmark takes: --ehlo PATH, --limit SECONDS, --help.
# Sets BENCH_SHIFT to how many words $1 used; anything else is an error.
bench_common_option() {
  case $1 in
    --ehlo)
      EHLO=$(realpath "${2:?--ehlo needs a path}")
      BENCH_SHIFT=2
      ;;
    --limit)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || bench_fail "--limit needs seconds"
      LIMIT=$2
      BENCH_SHIFT=2
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) bench_fail "unknown argument '$1' (see --help)" ;;
  esac
}

bench_say() { echo "$BENCH_NAME: $*" >&2; }
bench_fail() {
  bench_say "$*"
  exit 1
}

# bench_alive PID: running and not a zombie.
bench_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $st != Z* ]]
}

# bench_stop PID: SIGTERM, then SIGKILL after 3 s; reaps it if it is our child.
bench_stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    bench_alive "$pid" || break
    sleep 0.05
  done
  bench_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

# bench_forget PID: PID ended and was reaped; cleanup must not signal it (the
# number may be reused).
bench_forget() {
  local keep=() p
  for p in ${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}; do [[ $p == "$1" ]] || keep+=("$p"); done
  BENCH_PIDS=(${keep[@]+"${keep[@]}"})
}

bench_cleanup() {
  local pid
  [[ -n $BENCH_CHILD ]] && bench_stop "$BENCH_CHILD"
  for pid in ${BENCH_PIDS[@]+"${BENCH_PIDS[@]}"}; do bench_stop "$pid"; done
  [[ -n $BENCH_TMP ]] && rm -rf "$BENCH_TMP"
  return 0
}

# bench_setup SECONDS: temporary folder, cleanup on exit, and a watchdog that
# sends TERM to this script after SECONDS (the run is bounded whatever hangs).
bench_setup() {
  BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-bench.XXXXXX")
  trap bench_cleanup EXIT
  trap 'bench_say "interrupted"; exit 130' INT
  # shellcheck disable=SC2064 # the limit is expanded now, on purpose
  trap "bench_say 'stopped by TERM: interrupted, or the $1 s limit (--limit) passed'; exit 143" TERM
  # The watchdog's sleep is killed with it: it runs in the same subshell.
  (
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    sleep "$1" &
    sleeper=$!
    wait "$sleeper" && kill -TERM $$ 2>/dev/null
  ) &
  BENCH_PIDS+=($!)
}

# bench_time OUT LOG [NAME=VALUE...] COMMAND...: runs COMMAND (stdin /dev/null,
# output to LOG) with the variables given set, sets OUT to its wall time in
# microseconds; returns COMMAND's status. One fork and one exec, as for a
# command without variables (env(1) would add an exec).
bench_time() {
  local -n out_=$1
  local log=$2 t0 t1 rc=0
  shift 2
  local vars=()
  while [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
    vars+=("$1")
    shift
  done
  t0=${EPOCHREALTIME/./}
  (
    for v in ${vars[@]+"${vars[@]}"}; do export "${v?}"; done
    exec "$@"
  ) </dev/null >"$log" 2>&1 &
  BENCH_CHILD=$!
  wait "$BENCH_CHILD" || rc=$?
  t1=${EPOCHREALTIME/./}
  BENCH_CHILD=""
  # shellcheck disable=SC2034 # out_ is the caller's variable (a nameref)
  out_=$((t1 - t0))
  return "$rc"
}

# bench_cpu_ticks PID: the CPU time PID has used so far (user + system), in
# clock ticks (getconf CLK_TCK a second); empty when PID is gone.
bench_cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) } # the fields after "(comm) "; comm may hold spaces
  awk '{ print $12 + $13 }' <<<"$stat"
}

# bench_stats FILE: "min median p90 max" of the microsecond figures in FILE, in ms.
# The median of an even count is the mean of the middle two; p90 is the
# nearest rank (the smallest value with at least 90 % at or below it).
bench_stats() {
  sort -n "$1" | awk '
    { v[NR] = $1 }
    END {
      n = NR
      if (n == 0) { print "- - - -"; exit }
      med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      r = int(0.9 * n); if (r < 0.9 * n) r++
      printf "%.1f %.1f %.1f %.1f\n", v[1] / 1000, med / 1000, v[r] / 1000, v[n] / 1000
    }'
}

# bench_median FILE: the median of the numbers in FILE.
bench_median() {
  sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# bench_machine: what the figures were measured on, and how busy it was.
bench_machine() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
  echo "machine: ${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r)"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# bench_versions TOOL...: one line per tool; ehlo's with the commit built from.
bench_versions() {
  local t
  for t in "$@"; do
    case $t in
      ehlo) echo "ehlo: $("$EHLO" version) ($EHLO, commit $(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))" ;;
      swaks) echo "swaks: $(swaks --version 2>&1 | head -n1)" ;;
      curl) echo "curl: $(curl --version | head -n1)" ;;
      postfix) echo "smtp-source, smtp-sink: Postfix $(postconf -d -h mail_version 2>/dev/null || echo unknown)" ;;
    esac
  done
  echo "bash: $BASH_VERSION"
}

# bench_need PROGRAM...: each must be on PATH (install: scripts/install-deps.sh --peers).
bench_need() {
  local p
  for p in "$@"; do
    command -v "$p" >/dev/null || bench_fail "$p is missing (scripts/install-deps.sh --peers installs it)"
  done
}

# bench_show COMMAND...: the command, quoted so it can be pasted into a shell.
bench_show() {
  printf '  $'
  printf ' %q' "$@"
  printf '\n'
}
