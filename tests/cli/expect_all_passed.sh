#!/usr/bin/env bash
# Runs `EHLO run ARGS...` and checks that it exits 0 with the summary line of a
# run where every scenario passed, "N scenarios: N passed, 0 failed", whatever
# N is (other helpers add scenarios): nothing failed, errored, was skipped or
# was interrupted.
#   expect_all_passed.sh EHLO ARGS...
set -u
ehlo=$1
shift
out=$("$ehlo" run "$@" 2>&1)
rc=$?
summary=$(printf '%s\n' "$out" | tail -n 1)
if [[ $rc == 0 && $summary =~ ^([0-9]+)\ scenarios?:\ ([0-9]+)\ passed,\ 0\ failed(\;|\ \(|$) &&
  ${BASH_REMATCH[1]} == "${BASH_REMATCH[2]}" && ${BASH_REMATCH[1]} -gt 0 ]]; then
  echo "$summary"
  exit 0
fi
echo "exit code $rc; expected 0 and \"N scenarios: N passed, 0 failed\" last"
printf -- '--- output of ehlo run %s\n%s\n' "$*" "$out"
exit 1
