#!/usr/bin/env bash
# The client role against a deliberately broken server (issue 5):
#
#   run_fault.sh EHLO FAULT [--scenario NAME] [--peer ARG]... [--ehlo ARG]... [--status N] [--max-seconds S]
#                [--finding RULE] [--absent TEXT] [--lacks TEXT] EXPECTED-TEXT...
#
# Starts tests/peers/broken_server.py with --fault FAULT and each --peer ARG
# (e.g. --peer --cap-bytes --peer 100000000000) by tests/peers/with_peer.sh
# broken, plays tests/data/scenarios/broken/FAULT.json (NAME.json with
# --scenario: another scenario against the same fault) against it with
# `EHLO run --target ... --report json:... --transcript ...` (and each --ehlo ARG,
# e.g. --ehlo --session-timeout --ehlo 5s) under /usr/bin/time -v,
# the whole of it under an outer `timeout`, and checks:
#   - the exit status is N (default 1: the scenario failed; not 0, not 2, not a
#     signal or a crash);
#   - the output holds every EXPECTED-TEXT (what ehlo said about the failure);
#   - a failed scenario's report names its step ("tls" for the implicit TLS
#     handshake), and its message names it too;
#   - ehlo's wall time stays under 3 x the scenario's longest timeout + 5 s, or
#     S seconds with --max-seconds (a behaviour bound: it gave up when it said
#     it would, not a benchmark);
#   - ehlo's peak memory (max RSS) stays under 64 MB, whatever the server sends
#     (100 MB without CRLF, 200 MB of continuation lines);
#   - --finding RULE: the JSON report holds a finding of RULE;
#   - --absent TEXT: TEXT is nowhere in the session's transcript (the report's
#     and the --transcript file): what the server sent was never read as a reply;
#   - --lacks TEXT: the failure's message (the report's) does not hold TEXT: it
#     does not blame what did not cause it.
# Run from the repository's root.  Exit 0 when every check holds, 1 otherwise
# (each broken check said on stdout with the evidence), 77 when the peer cannot
# run here (with_peer.sh's skip).
set -euo pipefail

# The bound can be raised from the environment: ASan's shadow memory alone
# takes some 80 MB (the sanitize preset sets EHLO_MAX_RSS_KB).
MAX_RSS_KB=${EHLO_MAX_RSS_KB:-$((64 * 1024))}

usage() {
  echo "usage: run_fault.sh EHLO FAULT [--scenario NAME] [--peer ARG]... [--ehlo ARG]... [--status N] [--max-seconds S] [--finding RULE] [--absent TEXT] [--lacks TEXT] EXPECTED-TEXT..." >&2
  exit 2
}
(($# >= 2)) || usage
ehlo=$1 fault=$2
shift 2
want_status=1 max_seconds='' scenario_name=$fault peer=() ehlo_args=() findings=() absent=() lacks=() texts=()
while (($#)); do
  case $1 in
    --scenario) scenario_name=${2:?} && shift 2 ;;
    --peer) peer+=("${2:?}") && shift 2 ;;
    --ehlo) ehlo_args+=("${2:?}") && shift 2 ;;
    --status) want_status=${2:?} && shift 2 ;;
    --max-seconds) max_seconds=${2:?} && shift 2 ;;
    --finding) findings+=("${2:?}") && shift 2 ;;
    --absent) absent+=("${2:?}") && shift 2 ;;
    --lacks) lacks+=("${2:?}") && shift 2 ;;
    *) texts+=("$1") && shift ;;
  esac
done
[[ -x $ehlo ]] || {
  echo "run_fault: $ehlo is not a program"
  exit 2
}
scenario=tests/data/scenarios/broken/$scenario_name.json
[[ -f $scenario ]] || {
  echo "run_fault: no scenario $scenario"
  exit 2
}
[[ -x /usr/bin/time ]] || {
  echo "run_fault: skipped: /usr/bin/time is missing (scripts/install-deps.sh --peers)"
  exit 77
}
PY=/usr/bin/python3

# The longest wait the scenario allows (file or step "timeout"; 10 s when none),
# in seconds: the run must end within 3 times that plus 5 s.
longest=$("$PY" - "$scenario" <<'PY'
import json, re, sys
def seconds(d):
    if isinstance(d, (int, float)):
        return float(d)
    n, unit = re.fullmatch(r"([0-9.]+)(ms|s|m|h)", d).groups()
    return float(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
def walk(steps):
    for s in steps:
        if "timeout" in s:
            yield seconds(s["timeout"])
        for branch in s.get("one_of", []):
            yield from walk(branch)
sc = json.load(open(sys.argv[1]))
print(max([seconds(sc.get("timeout", "10s"))] + list(walk(sc["steps"]))))
PY
)
bound=$("$PY" -c "print(3 * $longest + 5)")
why_bound="3 x the longest timeout ${longest} s + 5 s"
[[ -z $max_seconds ]] || bound=$max_seconds why_bound="--max-seconds"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-broken-$fault.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export RF_EHLO=$ehlo RF_SCENARIO=$scenario RF_DIR=$tmp

# The outer bound: the peer's start (with_peer.sh waits up to 15 s) and stop
# (up to 3 s) beside ehlo's own bound; -k: whatever ignores TERM is killed.
status=0
# shellcheck disable=SC2016 # the inner shell expands them, from the environment
timeout -k 5 "$("$PY" -c "print(int(2 * $bound + 30))")" tests/peers/with_peer.sh broken --fault "$fault" ${peer[@]+"${peer[@]}"} -- \
  sh -c '/usr/bin/time -v -o "$RF_DIR/time" "$RF_EHLO" run -v --target "$EHLO_PEER_HOST:$EHLO_PEER_PORT" \
           --report "json:$RF_DIR/report.json" --transcript "$RF_DIR/transcripts" "$@" "$RF_SCENARIO" \
           >"$RF_DIR/out" 2>&1' sh ${ehlo_args[@]+"${ehlo_args[@]}"} || status=$?

if ((status == 77)); then
  echo "run_fault: skipped: the broken peer cannot run here"
  exit 77
fi

failed=0
fail() {
  echo "run_fault $fault: $*"
  failed=1
}
if ((status == 124 || status == 137)); then
  fail "the run did not end within the outer timeout (status $status): ehlo hung"
fi
if [[ ! -s $tmp/time ]]; then
  fail "ehlo did not run (with_peer.sh status $status; the peer did not start?)"
else
  # GNU time: "Command terminated by signal N" when the program was killed.
  if grep -q 'terminated by signal' "$tmp/time"; then
    fail "ehlo was killed: $(grep 'terminated by signal' "$tmp/time")"
  fi
  code=$(awk -F': ' '/Exit status/ { print $2 }' "$tmp/time")
  [[ $code == "$want_status" ]] || fail "exit status $code, expected $want_status"
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
  ((rss < MAX_RSS_KB)) || fail "max RSS ${rss} kB, expected under ${MAX_RSS_KB} kB"
  wall=$(awk '/Elapsed \(wall clock\)/ { print $NF }' "$tmp/time")
  wall_s=$("$PY" -c "
w = '$wall'.split(':')
print(round(sum(float(x) * 60 ** i for i, x in enumerate(reversed(w))), 2))")
  "$PY" -c "import sys; sys.exit(0 if $wall_s < $bound else 1)" ||
    fail "ehlo ran ${wall_s} s, expected under ${bound} s (${why_bound})"
fi

out=$(cat "$tmp/out" 2>/dev/null || true)
for t in ${texts[@]+"${texts[@]}"}; do
  [[ $out == *"$t"* ]] || fail "the output lacks: $t"
done

# The report: the failure names its step; the findings asked for; the absent text.
if [[ -s $tmp/report.json ]]; then
  report_check=$("$PY" - "$tmp/report.json" "$want_status" "${findings[*]-}" "$tmp/transcripts" \
    "$(printf '%s\n' ${lacks[@]+"${lacks[@]}"})" ${absent[@]+"${absent[@]}"} <<'PY' || true
import json, pathlib, sys
report, want, rules, tdir = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4]
lacks, absent = [t for t in sys.argv[5].splitlines() if t], sys.argv[6:]
sc = json.load(open(report))["scenarios"][0]
problems = []
if want == "1":
    f = sc.get("failure") or {}
    if sc["status"] != "failed":
        problems.append(f"status {sc['status']!r}, expected 'failed'")
    # The implicit TLS handshake comes before the steps: its pointer is "tls".
    if not (f.get("step", "").startswith("steps/") or f.get("step") == "tls"):
        problems.append(f"the failure names no step: {f}")
    elif f["step"] not in f.get("message", ""):
        problems.append(f"the failure's message does not name {f['step']}: {f.get('message')!r}")
got = {x.get("rule") for x in sc.get("findings", [])}
for r in rules:
    if r not in got:
        problems.append(f"no finding with rule {r}; findings: {sc.get('findings')}")
texts = [sc.get("transcript", "")] + [p.read_text(errors="replace") for p in pathlib.Path(tdir).glob("*")]
message = (sc.get("failure") or {}).get("message", "")
for t in lacks:
    if t in message:
        problems.append(f"the failure's message holds {t!r}: {message!r}")
for a in absent:
    if any(a in t for t in texts):
        problems.append(f"{a!r} is in the session's transcript: it was read as a reply")
print("\n".join(problems))
PY
  )
  [[ -z $report_check ]] || fail "report: $report_check"
elif [[ -s $tmp/time ]]; then
  fail "no JSON report written"
fi

echo "run_fault $fault: exit ${code:-?}, ${wall_s:-?} s (bound ${bound} s), max RSS ${rss:-?} kB (bound ${MAX_RSS_KB} kB)"
if ((failed)); then
  echo "--- ehlo's output"
  echo "$out"
  [[ -s $tmp/report.json ]] && echo "--- report" && cat "$tmp/report.json"
  for t in "$tmp"/transcripts/*; do [[ -f $t ]] && echo "--- transcript $t" && cat "$t"; done
  exit 1
fi
sed -n '1,4p' "$tmp/out"
echo "run_fault $fault: ok"
