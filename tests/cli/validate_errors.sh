#!/usr/bin/env bash
# Every file of a folder of invalid scenarios must make `ehlo validate` exit 2
# and print exactly the errors its .err file holds:
#   validate_errors.sh EHLO FOLDER
# Run from the repository's root, so paths in the messages are relative.
set -u
ehlo=$1 folder=$2
failed=0 checked=0
for json in "$folder"/*.json; do
  want=${json%.json}.err
  got=$("$ehlo" validate "$json" 2>&1 >/dev/null)
  rc=$?
  checked=$((checked + 1))
  if [[ $rc != 2 ]]; then
    echo "$json: exit code $rc, expected 2"
    failed=$((failed + 1))
  elif [[ ! -f $want ]]; then
    echo "$json: no $want to compare with; it printed:"
    echo "$got"
    failed=$((failed + 1))
  elif [[ $got != "$(cat "$want")" ]]; then
    echo "$json: the errors differ from $want:"
    diff <(echo "$got") "$want"
    failed=$((failed + 1))
  fi
done
echo "$checked invalid scenarios checked, $failed failed"
[[ $checked -gt 0 && $failed == 0 ]]
