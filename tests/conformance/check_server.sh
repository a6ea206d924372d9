#!/usr/bin/env bash
# The server catalog against a real server: its verdicts, fixed in the tests.
#
#   check_server.sh EHLO NAME KIND [PEER-OPTIONS...]
#
# Starts the test peer KIND (tests/peers/with_peer.sh: postfix, aiosmtpd,
# smtp-sink) with PEER-OPTIONS, plays `EHLO check --target` with the whole
# server catalog (scenarios/conformance/server) against it, opt-in probes
# too (each category folder is named with --category, which plays them: a
# test peer is no production server), the peer's addresses and credentials
# given as --var, and compares each probe's verdict
# with tests/conformance/expected/NAME/*.txt: lines "PROBE-ID VERDICT [RULE]",
# one file per category, "#" comments. A verdict that changed, a probe with no
# expected line and an expected line with no probe all fail the test, with a
# diff: a change in a real server's verdict shows.
#
# EHLO_CHECK_KEEP=DIR keeps the JSON report and the transcripts there.
# Exit 0 when every verdict is the expected one, 1 otherwise, 77 when the peer
# cannot run here (with_peer.sh's skip).
set -uo pipefail
(($# >= 3)) || {
  echo "usage: check_server.sh EHLO NAME KIND [PEER-OPTIONS...]" >&2
  exit 2
}
ehlo=$(realpath "$1") name=$2 kind=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
expected_dir=$here/expected/$name
[[ -d $expected_dir ]] || {
  echo "check_server: no $expected_dir" >&2
  exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-check-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

export CK_EHLO=$ehlo CK_TMP=$tmp CK_CATALOG=$root/scenarios/conformance/server
# shellcheck disable=SC2016 # expanded by the inner shell, from with_peer.sh's environment
"$root/tests/peers/with_peer.sh" "$kind" "$@" -- sh -c '
  set -- --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --jobs 8 --fail-on never \
    --report "json:$CK_TMP/report.json" --transcript "$CK_TMP/transcripts"
  [ -n "${EHLO_PEER_USER:-}" ] && set -- "$@" --var "user=$EHLO_PEER_USER" --var "password=$EHLO_PEER_PASSWORD"
  [ -n "${EHLO_PEER_REFUSED:-}" ] && set -- "$@" --var "refused=$EHLO_PEER_REFUSED"
  [ -n "${EHLO_PEER_CERT:-}" ] && set -- "$@" --tls-ca "$EHLO_PEER_CERT"
  for dir in "$CK_CATALOG"/*/; do [ -d "$dir" ] && set -- "$@" --category "$(basename "$dir")"; done
  "$CK_EHLO" check "$@" "$CK_CATALOG" >"$CK_TMP/out" 2>&1
  echo $? >"$CK_TMP/status"
'
peer_status=$?
[[ $peer_status == 77 ]] && exit 77
status=$(cat "$tmp/status" 2>/dev/null || echo none)
if [[ $status != 0 ]]; then
  echo "check_server $name: ehlo check exited $status (peer: $peer_status)"
  cat "$tmp/out"
  exit 1
fi

# A probe's id is its file's name: the report names it by its path under the
# catalog folder ("sequencing/sequencing-after-quit").
if ! /usr/bin/python3 - "$tmp/report.json" >"$tmp/got" <<'PY'; then
import json, sys
for r in json.load(open(sys.argv[1]))["scenarios"]:
    p = r.get("probe") or {}
    v = p.get("verdict", "error")
    rule = p.get("rule", "") if v in ("violates", "exploitable") else ""
    print(f"{r['name']} {v}{' ' + rule if rule else ''}")
PY
  echo "check_server $name: cannot read the verdicts from ehlo check's JSON report"
  exit 1
fi
if [[ ! -s $tmp/got ]]; then
  echo "check_server $name: ehlo check reported no verdict"
  cat "$tmp/out"
  exit 1
fi
grep -hv '^\s*\(#\|$\)' "$expected_dir"/*.txt | sed 's/[[:space:]]*$//' | sort >"$tmp/want"
sort -o "$tmp/got" "$tmp/got"
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
  echo "check_server $name: verdicts differ from tests/conformance/expected/$name (- expected, + got)"
  cat "$tmp/diff"
  echo "---- ehlo check's output"
  cat "$tmp/out"
  [[ -n ${EHLO_CHECK_KEEP:-} ]] && mkdir -p "$EHLO_CHECK_KEEP" && cp -r "$tmp"/. "$EHLO_CHECK_KEEP"/
  exit 1
fi
[[ -n ${EHLO_CHECK_KEEP:-} ]] && mkdir -p "$EHLO_CHECK_KEEP" && cp -r "$tmp"/. "$EHLO_CHECK_KEEP"/
echo "PASS: $name: $(wc -l <"$tmp/got") verdicts as expected ($(grep -m1 " probes\{0,1\} against " "$tmp/out"))"
