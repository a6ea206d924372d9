# shellcheck shell=bash
# What the transport tests (transports.sh, proxy.sh) share; sourced, with TEST_NAME set
# ("transports unix-listen"). Gives a working folder $tmp, the list $pids of background
# processes (stopped by their ids, and $tmp removed, however the script ends), and:
#   fail WHY...     print WHY and the end of every $tmp/*.out, exit 1
#   skip WHY...     exit 77 (CTest: skipped)
#   need PROGRAM    skip when PROGRAM is not installed
#   wait_for CMD... run CMD every 50 ms until it succeeds, at most 15 s
tmp=$(mktemp -d)
pids=()
_transport_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$tmp"
}
trap _transport_cleanup EXIT
fail() {
  echo "$TEST_NAME: $*"
  for f in "$tmp"/*.out; do [[ -f $f ]] && echo "---- $(basename "$f")" && tail -n 30 "$f"; done
  exit 1
}
skip() {
  echo "$TEST_NAME: skipped: $*"
  exit 77
}
need() { command -v "$1" >/dev/null || skip "$1 is not installed"; }
wait_for() {
  local i
  for ((i = 0; i < 300; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  return 1
}
