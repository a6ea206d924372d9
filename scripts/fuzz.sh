#!/usr/bin/env bash
# Runs every libFuzzer target of build/fuzz for a fixed time, starting from its
# seed corpus (corpus/<target>/, read only: new inputs go to a scratch folder)
# with its dictionary. Fails on a crash, a leak, a timeout or a broken property.
#
#   scripts/fuzz.sh [--seconds N] [--jobs J] [TARGET...]
# Build first: cmake --workflow --preset fuzz
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
jobs=$(nproc)
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -*) echo "usage: $0 [--seconds N] [--jobs J] [TARGET...]" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run_one() {
  local t=$1 seconds=$2 out=$3
  local bin=build/fuzz/fuzz/$t dict=()
  [[ -x $bin ]] || { echo "$t: not built (cmake --workflow --preset fuzz)"; return 1; }
  local d
  d=$(sed -n 's|^// dictionary: *||p' "fuzz/$t.cpp" | head -n 1)
  [[ -n $d ]] && dict=("-dict=fuzz/$d")
  mkdir -p "$out/$t"
  if "$bin" "$out/$t" "corpus/$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$out/$t-" >"$out/$t.log" 2>&1; then
    local execs cov ft
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
    cov=$(grep -o 'cov: [0-9]*' "$out/$t.log" | tail -n 1)
    ft=$(grep -o 'ft: [0-9]*' "$out/$t.log" | tail -n 1)
    printf '%-22s ok   %10s runs  %6s exec/s  %s  %s\n' "$t" "$execs" "$((execs / seconds))" "$cov" "$ft"
  else
    printf '%-22s FAIL\n' "$t"
    tail -n 40 "$out/$t.log"
    for a in "$out/$t"-*; do [[ -f $a ]] && echo "input: $(od -An -c "$a" | head -c 600)"; done
    return 1
  fi
}
export -f run_one

status=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$out" | tee "$out/results" ||
  status=1
passed=$(grep -c ' ok ' "$out/results" || true)
echo "fuzz: $passed passed, $((${#targets[@]} - passed)) failed"
exit $status
