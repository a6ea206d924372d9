#!/usr/bin/env bash
# Runs a command and checks its exit code and that its output (stdout and
# stderr together) holds a fixed string:
#   expect.sh EXIT_CODE TEXT COMMAND [ARGS...]
set -u
want_rc=$1 want_text=$2
shift 2
out=$("$@" 2>&1)
rc=$?
status=0
if [[ $rc != "$want_rc" ]]; then
  echo "exit code $rc, expected $want_rc"
  status=1
fi
if [[ $out != *"$want_text"* ]]; then
  echo "output lacks: $want_text"
  status=1
fi
[[ $status == 0 ]] || printf -- '--- output of %s\n%s\n' "$*" "$out"
exit $status
