#!/usr/bin/env bash
# Proves the client probes judged by the client's exit status ("probe": {"exit":
# ...}), which `ehlo check --self-test` cannot play (it prints EXIT for them):
#
#   check_exit_probes.sh EHLO
#
# Each such probe of scenarios/conformance/client is played twice with
# `EHLO check --listen 127.0.0.1:0 --client-cmd`, the client being ehlo's own
# client role playing a scripted client (`EHLO run --target {host}:{port}
# FILE`): tests/conformance/clients/exit-conforming.json (it fails, so exits
# 1, unless the end of data got 250) must get "conforms", and
# exit-violating.json (it passes whatever follows the end of data) must get
# "violates" or "exploitable". A probe judged by exit status that the scripted
# clients do not prove that way fails the test.
#
# Exit 0 when every such probe is proven both ways, 1 otherwise, 2 on a usage error.
set -uo pipefail
(($# == 1)) || {
  echo "usage: check_exit_probes.sh EHLO" >&2
  exit 2
}
ehlo=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
catalog=$root/scenarios/conformance/client
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-exit-probes.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The probes that judge by exit status: their ids (file names).
mapfile -t ids < <(/usr/bin/python3 - "$catalog" <<'PY'
import json, pathlib, sys
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.json")):
    if "exit" in (json.loads(f.read_text()).get("probe") or {}):
        print(f.stem)
PY
)
if ((${#ids[@]} == 0)); then
  echo "check_exit_probes: no probe of $catalog judges by exit status"
  exit 1
fi
probes=()
for id in "${ids[@]}"; do probes+=(--probe "$id"); done

failures=0
for kind in conforming violating; do
  client="$ehlo run --target {host}:{port} $here/clients/exit-$kind.json"
  # timeout bounds the run: ehlo stops each client past its own limit.
  timeout -k 5 300 "$ehlo" check --listen 127.0.0.1:0 --client-cmd "$client" --jobs 4 --fail-on never \
    --report "json:$tmp/$kind.json" "${probes[@]}" "$catalog" >"$tmp/$kind.out" 2>&1
  status=$?
  if [[ $status != 0 ]]; then
    echo "check_exit_probes: ehlo check with the $kind client exited $status"
    cat "$tmp/$kind.out"
    exit 1
  fi
  # "ID VERDICT" per probe played.
  /usr/bin/python3 - "$tmp/$kind.json" >"$tmp/$kind.got" <<'PY' || {
import json, sys
for r in json.load(open(sys.argv[1]))["scenarios"]:
    print(r["name"].rsplit("/", 1)[-1], (r.get("probe") or {}).get("verdict", "error"))
PY
    echo "check_exit_probes: cannot read the verdicts of the $kind client"
    exit 1
  }
  for id in "${ids[@]}"; do
    verdict=$(awk -v id="$id" '$1 == id { print $2 }' "$tmp/$kind.got")
    case $kind/$verdict in
      conforming/conforms | violating/violates | violating/exploitable)
        echo "ok: $id: $verdict against the $kind client" ;;
      *)
        echo "FAIL: $id: ${verdict:-no verdict} against the $kind client"
        failures=$((failures + 1)) ;;
    esac
  done
  if ((failures > 0)); then
    echo "---- ehlo check's output ($kind client)"
    cat "$tmp/$kind.out"
  fi
done
((failures == 0)) || exit 1
echo "PASS: ${#ids[@]} probes judged by exit status, proven both ways"
