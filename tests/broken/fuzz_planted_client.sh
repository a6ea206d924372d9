#!/usr/bin/env bash
# `ehlo fuzz --listen` finds a bug planted in a client (issue 12):
#
#   fuzz_planted_client.sh EHLO BUG MAX_EXECS
#
# Runs `EHLO fuzz --listen 127.0.0.1:0 --client-cmd` with
# tests/broken/planted_client.py as the client, only BUG live (ehlo-line,
# mail-lines, rcpt-4xx: the client's --help tells each), from its seed
# tests/data/scenarios/planted/planted-client.json, --seed 1, until the first
# finding of the bug's oracle (--stop-on crash, or hang for rcpt-4xx) or
# MAX_EXECS cases, and checks:
#   - the campaign found the bug within MAX_EXECS cases: a crash by SIGSEGV
#     (a hang past --client-limit for rcpt-4xx) in DIR/report.json;
#   - the finding was minimized to at most ten steps;
#   - the finding replays: `EHLO run --listen 127.0.0.1:0` with it, and the
#     planted client against it, sets the same bug off (the client's stderr
#     names the bug; a crash ends it by signal 11, a hang leaves it running).
# The bound is a count of cases; the outer timeouts only stop what went astray.
# Run from the repository's root. Exit 0 when every check holds, 1 otherwise,
# 77 when /usr/bin/python3 is missing.
set -uo pipefail
(($# == 3)) || {
  echo "usage: fuzz_planted_client.sh EHLO BUG MAX_EXECS" >&2
  exit 2
}
ehlo=$(realpath "$1") bug=$2 max_execs=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
client=$here/planted_client.py
seed=$root/tests/data/scenarios/planted/planted-client.json
case $bug in
  ehlo-line | mail-lines) oracle=crash rule="signal 11 (SIGSEGV)" ;;
  rcpt-4xx) oracle=hang rule="no-exit" ;;
  *)
    echo "fuzz_planted_client: unknown bug $bug" >&2
    exit 2
    ;;
esac
[[ -x /usr/bin/python3 ]] || {
  echo "fuzz_planted_client: skipped: no /usr/bin/python3"
  exit 77
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-fuzz-planted-client-$bug.XXXXXX")
replay_pid='' client_pid=''
cleanup() {
  [[ -n $client_pid ]] && kill "$client_pid" 2>/dev/null
  [[ -n $replay_pid ]] && kill "$replay_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
bad() {
  echo "fuzz_planted_client $bug: $*"
  failed=1
}

# A campaign stops at its bug's oracle only. The hang bug's client is given
# 3 s to exit; a crash bug's 30 s, so that a Python client slow to start on a
# busy machine is not a hang that ends the campaign before the crash.
if [[ $oracle == hang ]]; then
  wait_options=(--stop-on hang --client-limit 3s)
else
  wait_options=(--stop-on crash --client-limit 30s)
fi
timeout 1200 "$ehlo" fuzz --listen 127.0.0.1:0 \
  --client-cmd "/usr/bin/python3 $client --host {host} --port {port} --bugs $bug" "${wait_options[@]}" \
  --dir "$tmp/campaign" --seed 1 --jobs 4 --max-execs "$max_execs" --minimize 100 \
  --quiet "$seed" >"$tmp/fuzz.out" 2>"$tmp/fuzz.err"
rc=$?
cat "$tmp/fuzz.out"
((rc == 1)) || bad "ehlo fuzz exited $rc, not 1 (findings); its stderr: $(tail -5 "$tmp/fuzz.err")"

finding=$(/usr/bin/python3 - "$tmp/campaign/report.json" "$oracle" "$rule" <<'EOF'
import json, sys
report, oracle, rule = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = json.load(open(report))
except (OSError, ValueError) as e:
    print(f"ERROR no report: {e}")
    sys.exit(0)
hits = [f for f in r["findings"] if f["oracle"] == oracle and f["rule"] == rule]
if not hits:
    print("ERROR not found in %d cases: %s" % (r["cases"], ", ".join(f"{f['oracle']} {f['rule']}" for f in r["findings"])))
else:
    f = hits[0]
    print(f"{f['file']}\t{f['steps']}\t{f['case']}\t{r['cases']}")
EOF
)
if [[ $finding == ERROR* ]]; then
  bad "${finding#ERROR }"
  exit 1
fi
IFS=$'\t' read -r file steps case cases <<<"$finding"
echo "fuzz_planted_client $bug: found by case $case of $cases (bound $max_execs), minimized to $steps steps: $file"
((cases <= max_execs)) || bad "$cases cases were played, more than $max_execs"
((steps <= 10)) || bad "the finding has $steps steps, more than 10"

# The replay: ehlo run --listen with the finding, the planted client against it.
timeout 120 "$ehlo" run --listen 127.0.0.1:0 "$file" >"$tmp/replay.out" 2>&1 &
replay_pid=$!
port=''
for _ in $(seq 1 300); do
  port=$(sed -n 's/^listening on port \([0-9][0-9]*\).*/\1/p' "$tmp/replay.out" | head -n 1)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || {
  bad "ehlo run --listen printed no port: $(cat "$tmp/replay.out")"
  exit 1
}
/usr/bin/python3 "$client" --port "$port" --bugs "$bug" 2>"$tmp/client.err" &
client_pid=$!
if [[ $oracle == crash ]]; then
  wait "$client_pid"
  st=$?
  client_pid=''
  ((st == 139)) || bad "the replayed client exited $st, not 139 (SIGSEGV)"
else
  sleep 3
  kill -0 "$client_pid" 2>/dev/null || bad "the replayed client exited; it should hang"
fi
grep -q "planted bug '$bug'" "$tmp/client.err" || bad "the replay did not set off the planted bug: $(cat "$tmp/client.err")"

((failed == 0)) && echo "fuzz_planted_client $bug: ok"
exit $failed
