#!/usr/bin/env bash
# ehlo load against a deliberately broken server (tests/peers/broken_server.py):
# a server that stalls or floods does not make the load wait past its deadlines
# nor grow without bound.
#
#   load_broken.sh EHLO CASE
#
# Run from the repository's root. Each CASE plays bench/scenarios/one-message.json
# under /usr/bin/time -v against `broken --fault F` and checks the causes ehlo
# counted, its wall time (a bound where a bug would take for ever, not a
# benchmark) and its peak memory (under 64 MB, EHLO_MAX_RSS_KB to change):
#   stall        no greeting; --concurrency 4 --duration 3s --timeout 1s: every session a
#                timeout at the greeting; done within 20 s
#   stall-rate   no greeting; --rate 200 --duration 3s --timeout 2s --max-in-flight 50: never
#                more than 50 under way, the sessions due beyond them counted as not started
#   flood        `250-` lines without end (flood-continuation): each session ends at the reply
#                parser's limit of lines
#   long-line    100 MB without CRLF: each session ends at the limit of a reply line
# Exit 0 when every check holds, 1 otherwise, 77 when the peer cannot run here.
set -uo pipefail
MAX_RSS_KB=${EHLO_MAX_RSS_KB:-$((64 * 1024))}
ehlo=$(realpath "$1")
case_name=$2
if [[ ${3:-} != --inner ]]; then
  case $case_name in
    stall | stall-rate) fault=stall ;;
    flood) fault=flood-continuation ;;
    long-line) fault=long-line ;;
    *) echo "load_broken: unknown case $case_name" >&2 && exit 2 ;;
  esac
  exec tests/peers/with_peer.sh broken --fault "$fault" -- "$0" "$ehlo" "$case_name" --inner
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "load_broken $case_name: $*"
  tail -n 40 "$tmp/load.out"
  exit 1
}

# load MAX-SECONDS ARGS...: ehlo load under /usr/bin/time -v; checks the time and memory bounds.
load() {
  local max=$1 start end rss
  shift
  start=${EPOCHREALTIME/./}
  timeout -k 5 120 /usr/bin/time -v -o "$tmp/time.txt" "$ehlo" load -q --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" \
    --report "json:$tmp/r.json" "$@" bench/scenarios/one-message.json >"$tmp/load.out" 2>&1
  rc=$?
  end=${EPOCHREALTIME/./}
  [[ $rc == 0 ]] || fail "exit status $rc, expected 0 (failures are counted, not fatal)"
  (((end - start) / 1000000 < max)) || fail "took $(((end - start) / 1000)) ms, more than $max s"
  rss=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$tmp/time.txt")
  ((rss < MAX_RSS_KB)) || fail "peak memory $rss KB, more than $MAX_RSS_KB KB"
  echo "load_broken $case_name: $(((end - start) / 1000)) ms, peak memory $rss KB"
}

# json PYTHON-EXPRESSION...: each must hold of the report r.
json() {
  /usr/bin/python3 - "$tmp/r.json" "$@" <<'PY' || fail "the JSON report"
import json, sys
r = json.load(open(sys.argv[1]))
bad = [e for e in sys.argv[2:] if not eval(e)]
for e in bad:
    print("does not hold:", e)
if bad:
    print(json.dumps(r["totals"], indent=1), json.dumps(r["errors"], indent=1)[:2000])
sys.exit(1 if bad else 0)
PY
}

case $case_name in
  stall)
    load 20 --concurrency 4 --duration 3s --timeout 1s
    json 'r["totals"]["sessions_failed"] >= 8' 'r["totals"]["sessions_passed"] == 0' \
      '[e["cause"] for e in r["errors"]] == ["timeout at steps/0 (greeting)"]' \
      'r["errors"][0]["count"] == r["totals"]["sessions_failed"]'
    ;;
  stall-rate)
    load 20 --rate 200 --duration 3s --timeout 2s --max-in-flight 50
    json 'r["totals"]["sessions_not_started"] > 100' 'max(p["in_flight"] for p in r["series"]) <= 50' \
      '"not started: 50 sessions under way (--max-in-flight)" in [e["cause"] for e in r["errors"]]' \
      '"timeout at steps/0 (greeting)" in [e["cause"] for e in r["errors"]]' \
      'r["totals"]["errors"] == r["totals"]["sessions_failed"] + r["totals"]["sessions_not_started"]'
    ;;
  flood)
    load 30 --concurrency 4 --duration 3s
    json 'r["totals"]["sessions_failed"] > 0' 'r["totals"]["sessions_passed"] == 0' \
      'all(e["cause"] == "steps/2 (reply to EHLO): reply of more than 1000 lines while reading steps/2" for e in r["errors"])'
    ;;
  long-line)
    load 30 --concurrency 4 --duration 3s
    json 'r["totals"]["sessions_failed"] > 0' 'r["totals"]["sessions_passed"] == 0' \
      'all(e["cause"].startswith("steps/0 (greeting): reply line longer than") for e in r["errors"])'
    ;;
esac
echo "load_broken $case_name: ok"
