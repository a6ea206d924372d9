#!/usr/bin/env bash
# `ehlo fuzz` against the test Postfix: the end-of-data look-alike (issue 12).
#
#   fuzz_postfix.sh EHLO accepts|normalize MAX_EXECS
#
# Starts the test Postfix (tests/peers/with_peer.sh postfix): as installed
# (`accepts`: smtpd_forbid_bare_newline = no, Postfix 3.7's default), or with
# smtpd_forbid_bare_newline = normalize and its exclusions emptied
# (`normalize`: by default they hold $mynetworks, 127.0.0.1 among them). Runs
# `EHLO fuzz --target` from two smuggling probes as seeds
# (scenarios/conformance/server/smuggling: <LF>.<LF>, which Postfix as
# installed takes for the end of data, and <CR><LF>..<CR><LF>, which it does
# not), --seed 1, at most MAX_EXECS cases, and checks:
#   accepts:   a conformance finding of rule 5321-4.1.1.4 (the look-alike
#              taken for the end of data), in at most ten steps, whose
#              scenario sends a bare-LF look-alike; `EHLO run --target`
#              replays it against the same Postfix and fails (exit 1);
#   normalize: no finding of rule 5321-4.1.1.4 in MAX_EXECS cases.
# Run from the repository's root. Exit 0 when every check holds, 1 otherwise,
# 77 when Postfix cannot run here (with_peer.sh's skip).
set -uo pipefail
(($# == 3)) || {
  echo "usage: fuzz_postfix.sh EHLO accepts|normalize MAX_EXECS" >&2
  exit 2
}
ehlo=$(realpath "$1") mode=$2 max_execs=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
case $mode in
  accepts) peer_opts=() ;;
  normalize) peer_opts=(--set smtpd_forbid_bare_newline=normalize --set smtpd_forbid_bare_newline_exclusions=) ;;
  *)
    echo "fuzz_postfix: accepts or normalize, not $mode" >&2
    exit 2
    ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-fuzz-postfix-$mode.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
smuggling=$root/scenarios/conformance/server/smuggling

export FP_EHLO=$ehlo FP_TMP=$tmp FP_MAX=$max_execs FP_MODE=$mode
export FP_SEEDS="$smuggling/smuggling-lf-dot-lf.json $smuggling/smuggling-dot-dot.json"
# shellcheck disable=SC2016 # expanded by the inner shell, from with_peer.sh's environment
"$root/tests/peers/with_peer.sh" postfix "${peer_opts[@]}" -- sh -c '
  set -- --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --dir "$FP_TMP/campaign" --seed 1 --jobs 4 \
    --max-execs "$FP_MAX" --minimize 60 --quiet --tls-ca "$EHLO_PEER_CERT"
  [ "$FP_MODE" = accepts ] && set -- "$@" --stop-on conformance
  # shellcheck disable=SC2086 # two paths without spaces
  "$FP_EHLO" fuzz "$@" $FP_SEEDS >"$FP_TMP/fuzz.out" 2>"$FP_TMP/fuzz.err"
  echo $? >"$FP_TMP/fuzz.status"
  file=$(ls "$FP_TMP"/campaign/findings/*-conformance-5321-4-1-1-4.json 2>/dev/null | head -n 1)
  if [ -n "$file" ]; then
    "$FP_EHLO" run --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --tls-ca "$EHLO_PEER_CERT" "$file" >"$FP_TMP/replay.out" 2>&1
    echo $? >"$FP_TMP/replay.status"
  fi
'
peer_status=$?
[[ $peer_status == 77 ]] && exit 77
cat "$tmp/fuzz.out"
status=$(cat "$tmp/fuzz.status" 2>/dev/null || echo none)
failed=0
bad() {
  echo "fuzz_postfix $mode: $*"
  failed=1
}
verdicts=$(/usr/bin/python3 - "$tmp/campaign/report.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError) as e:
    print(f"ERROR {e}")
    sys.exit(0)
hits = [f for f in r["findings"] if f["rule"] == "5321-4.1.1.4"]
print(f"{r['cases']}\t{len(hits)}\t{hits[0]['oracle'] if hits else ''}\t{hits[0]['steps'] if hits else 0}\t{hits[0]['file'] if hits else ''}")
PY
)
[[ $verdicts == ERROR* ]] && {
  bad "no report: ${verdicts#ERROR } (ehlo fuzz exited $status: $(tail -3 "$tmp/fuzz.err"))"
  exit 1
}
IFS=$'\t' read -r cases hits oracle steps file <<<"$verdicts"
((cases <= max_execs)) || bad "$cases cases were played, more than $max_execs"
if [[ $mode == accepts ]]; then
  [[ $status == 1 ]] || bad "ehlo fuzz exited $status, not 1 (findings): $(tail -3 "$tmp/fuzz.err")"
  ((hits >= 1)) || bad "no finding of 5321-4.1.1.4 in $cases cases"
  [[ $oracle == conformance ]] || bad "the finding's oracle is '$oracle', not conformance"
  ((steps <= 10)) || bad "the finding has $steps steps, more than 10"
  grep -q '\\n\.\\n' "$file" 2>/dev/null || bad "the finding sends no <LF>.<LF>: $(cat "$file" 2>/dev/null)"
  replay=$(cat "$tmp/replay.status" 2>/dev/null || echo none)
  [[ $replay == 1 ]] || bad "the replay with ehlo run exited $replay, not 1: $(cat "$tmp/replay.out" 2>/dev/null)"
  ((failed == 0)) && echo "fuzz_postfix $mode: 5321-4.1.1.4 found in $cases cases, $steps steps, replayed: ok"
else
  [[ $status == 0 || $status == 1 ]] || bad "ehlo fuzz exited $status: $(tail -3 "$tmp/fuzz.err")"
  ((hits == 0)) || bad "$hits findings of 5321-4.1.1.4 with normalize: $(cat "$tmp/fuzz.out")"
  ((failed == 0)) && echo "fuzz_postfix $mode: no 5321-4.1.1.4 in $cases cases: ok"
fi
exit $failed
