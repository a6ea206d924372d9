#!/usr/bin/env bash
# bench/fuzz_rate.sh [--reps R] [--cases N] [--postfix-cases M] [--jobs J] [--ehlo PATH]
#
# Issue 12: executions a second of `ehlo fuzz --target` against Postfix's
# smtp-sink and against the test Postfix (tests/peers/with_peer.sh: a private
# instance on 127.0.0.1, as installed), from the scenarios/servers seeds:
#
#   ehlo fuzz --target 127.0.0.1:PORT --seed REP --max-execs N --jobs J --quiet --dir TMP \
#     [--var user=... --var password=... --tls-ca CERT]  scenarios/servers
#
# A fresh peer and campaign folder for each run; R runs (default 5) each,
# --seed 1..R. An execution is one conversation played (a case, or a replay
# that confirms or minimizes a finding); the figures are the campaign's own
# (report.json: executions / elapsed, cases / elapsed), shown as the median
# and the range of the runs. N defaults to 5000 cases against smtp-sink, M
# to 1000 against Postfix. A benchmark, not a test: CTest does not run it.
# Exit 1 when a campaign does not end with its report.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
EHLO=$ROOT/build/default/ehlo
REPS=5 CASES=5000 PF_CASES=1000 JOBS=16
while (($#)); do
  case $1 in
    --reps) REPS=${2:?} && shift 2 ;;
    --cases) CASES=${2:?} && shift 2 ;;
    --postfix-cases) PF_CASES=${2:?} && shift 2 ;;
    --jobs) JOBS=${2:?} && shift 2 ;;
    --ehlo) EHLO=$(realpath "${2:?}") && shift 2 ;;
    --help | -h) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
    *) echo "fuzz_rate.sh: unknown option $1" >&2 && exit 2 ;;
  esac
done
[[ -x $EHLO ]] || {
  echo "fuzz_rate.sh: no $EHLO (cmake --workflow --preset default)" >&2
  exit 2
}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-fuzz-rate.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ehlo: $("$EHLO" --version 2>/dev/null || echo "$EHLO")"

# run KIND CASES REP: one campaign against a fresh peer; prints "execs/s cases/s".
run() {
  local kind=$1 cases=$2 rep=$3 dir=$TMP/$1-$3
  export FR_EHLO=$EHLO FR_DIR=$dir FR_CASES=$cases FR_SEED=$rep FR_JOBS=$JOBS FR_SEEDS=$ROOT/scenarios/servers
  # shellcheck disable=SC2016 # expanded by the inner shell, from with_peer.sh's environment
  "$ROOT/tests/peers/with_peer.sh" "$kind" -- sh -c '
    set -- --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --seed "$FR_SEED" --max-execs "$FR_CASES" \
      --jobs "$FR_JOBS" --quiet --dir "$FR_DIR"
    [ -n "${EHLO_PEER_USER:-}" ] && set -- "$@" --var "user=$EHLO_PEER_USER" --var "password=$EHLO_PEER_PASSWORD"
    [ -n "${EHLO_PEER_CERT:-}" ] && set -- "$@" --tls-ca "$EHLO_PEER_CERT"
    "$FR_EHLO" fuzz "$@" "$FR_SEEDS" >"$FR_DIR.out" 2>&1 || true
  ' || return 1
  /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s = r["elapsed_ms"] / 1000
print("%.0f %.0f %d" % (r["executions"] / s, r["cases"] / s, len(r["findings"])))
' "$dir/report.json"
}

table() {
  /usr/bin/python3 -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
def show(i):
    v = sorted(r[i] for r in rows)
    return f"{statistics.median(v):6.0f}  ({v[0]:.0f}-{v[-1]:.0f})"
print(f"{sys.argv[1]:<10} {int(sys.argv[2]):>6}  {len(rows):>4}  {show(0):>18}  {show(1):>18}")
' "$@"
}

printf '%-10s %6s  %4s  %18s  %18s\n' peer cases runs "execs/s median" "cases/s median"
for kind in smtp-sink postfix; do
  n=$CASES
  [[ $kind == postfix ]] && n=$PF_CASES
  out=$TMP/$kind.rows
  : >"$out"
  for rep in $(seq 1 "$REPS"); do
    mkdir -p "$TMP/$kind-$rep"
    if ! run "$kind" "$n" "$rep" >>"$out"; then
      echo "fuzz_rate.sh: the campaign against $kind did not end with a report:" >&2
      cat "$TMP/$kind-$rep.out" >&2 || true
      exit 1
    fi
  done
  table "$kind" "$n" <"$out"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
