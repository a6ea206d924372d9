#!/usr/bin/env bash
# `ehlo schema` prints the JSON Schema made from the table of scenario keys;
# scenarios/scenario.schema.json is that output, committed for editors. They
# must be equal, so a key added to the table reaches the schema:
#   schema_committed.sh EHLO
# Run from the repository's root.
set -u
ehlo=$1 committed=scenarios/scenario.schema.json
out=$("$ehlo" schema)
rc=$?
if [[ $rc != 0 ]]; then
  echo "ehlo schema: exit code $rc, expected 0"
  exit 1
fi
if ! diff -u "$committed" <(printf '%s\n' "$out"); then
  echo "$committed differs from the output of \`ehlo schema\` (above); run: ehlo schema > $committed"
  exit 1
fi
echo "$committed is the output of ehlo schema"
