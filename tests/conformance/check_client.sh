#!/usr/bin/env bash
# The client catalog against a real client: its verdicts, fixed in the tests.
#
#   check_client.sh EHLO CLIENT CONFIG
#
# CLIENT is swaks, curl, smtplib (tests/clients/smtplib_send.py) or msmtp;
# CONFIG how it is set up: plain, starttls (STARTTLS required) or starttls-auth
# (STARTTLS required, then AUTH as alice/wonderland, the credentials of
# scenarios/clients). Plays `EHLO check --listen 127.0.0.1:0 --client-cmd CMD
# --client-uses USES` with the whole client catalog (scenarios/conformance/client):
# ehlo runs the client once per probe, against a listener of the probe's own,
# and judges what it sends (and, for a few probes, its exit status). The client
# sends scenarios/conformance/client/data/body.eml as its message, which the
# data probes need. Each verdict is compared with
# tests/conformance/expected/client-CLIENT-CONFIG/*.txt: lines "PROBE-ID VERDICT
# [RULE]", one file per category, "#" comments. A verdict that changed, a probe
# with no expected line and an expected line with no probe all fail the test,
# with a diff.
#
# ehlo's server role makes its TLS certificate in memory, so each client is
# told not to verify it (-k, --tls-certcheck=off, ...).
#
# EHLO_CHECK_KEEP=DIR keeps the JSON report and the transcripts there.
# Exit 0 when every verdict is the expected one, 1 otherwise, 2 on a usage
# error, 77 when the client (or what it needs for the configuration) is missing.
set -uo pipefail
(($# == 3)) || {
  echo "usage: check_client.sh EHLO CLIENT CONFIG   (CLIENT: swaks, curl, smtplib, msmtp; CONFIG: plain, starttls, starttls-auth)" >&2
  exit 2
}
ehlo=$(realpath "$1") client=$2 config=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=client-$client-$config
expected_dir=$here/expected/$name
body=$root/scenarios/conformance/client/data/body.eml
[[ -d $expected_dir ]] || {
  echo "check_client: no $expected_dir" >&2
  exit 2
}

skip() {
  echo "SKIP: $*"
  exit 77
}
has() { command -v "$1" >/dev/null 2>&1; }

# The client's command line for each configuration ({host} and {port} are
# ehlo's), what it is set up to do (--client-uses), and what it needs.
case $config in
  plain) uses="" ;;
  starttls) uses=starttls,require-tls ;;
  starttls-auth) uses=starttls,require-tls,auth ;;
  *)
    echo "check_client: unknown configuration $config (plain, starttls, starttls-auth)" >&2
    exit 2
    ;;
esac
case $client in
  swaks)
    has swaks || skip "swaks not found (scripts/install-deps.sh --peers installs the clients)"
    [[ $config == plain ]] || perl -MNet::SSLeay -e 1 2>/dev/null || skip "swaks --tls needs Net::SSLeay"
    # --tls: STARTTLS required; --auth with no type: any mechanism offered.
    cmd="swaks --server {host}:{port} --from b@example.com --to a@example.com --timeout 10 --data @$body"
    [[ $config == plain ]] || cmd+=" --tls"
    [[ $config == starttls-auth ]] && cmd+=" --auth --auth-user alice --auth-password wonderland"
    ;;
  curl)
    has curl || skip "curl not found"
    cmd="curl -sS --max-time 20 smtp://{host}:{port} --mail-from b@example.com --mail-rcpt a@example.com --upload-file $body"
    [[ $config == plain ]] || cmd+=" --ssl-reqd -k"
    [[ $config == starttls-auth ]] && cmd+=" --user alice:wonderland"
    ;;
  smtplib)
    /usr/bin/python3 -c 'import smtplib, ssl' 2>/dev/null || skip "Debian's Python with smtplib and ssl not found"
    cmd="/usr/bin/python3 $root/tests/clients/smtplib_send.py --host {host} --port {port} --message-file $body"
    [[ $config == plain ]] || cmd+=" --starttls"
    [[ $config == starttls-auth ]] && cmd+=" --login"
    ;;
  msmtp)
    has msmtp || skip "msmtp not found"
    cmd="msmtp -C /dev/null --host={host} --port={port} --timeout=10 --from=b@example.com"
    case $config in
      plain) cmd+=" --tls=off --auth=off" ;;
      starttls) cmd+=" --tls=on --tls-starttls=on --tls-certcheck=off --auth=off" ;;
      starttls-auth) cmd+=" --tls=on --tls-starttls=on --tls-certcheck=off --auth=on --user=alice --passwordeval='echo wonderland'" ;;
    esac
    cmd+=" a@example.com <$body"
    ;;
  *)
    echo "check_client: unknown client $client (swaks, curl, smtplib, msmtp)" >&2
    exit 2
    ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-check-$name.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
args=(check --listen 127.0.0.1:0 --client-cmd "$cmd" --jobs 4 --fail-on never
  --report "json:$tmp/report.json" --transcript "$tmp/transcripts")
[[ -n $uses ]] && args+=(--client-uses "$uses")
# timeout bounds the whole run: ehlo stops each client past its own limit.
timeout -k 5 900 "$ehlo" "${args[@]}" "$root/scenarios/conformance/client" >"$tmp/out" 2>&1
status=$?
if [[ $status != 0 ]]; then
  echo "check_client $name: ehlo check exited $status"
  cat "$tmp/out"
  exit 1
fi

# A probe's id is its file's name: the report names it by its path under the
# catalog folder ("data/data-lone-dot").
if ! /usr/bin/python3 - "$tmp/report.json" >"$tmp/got" <<'PY'; then
import json, sys
for r in json.load(open(sys.argv[1]))["scenarios"]:
    p = r.get("probe") or {}
    v = p.get("verdict", "error")
    rule = p.get("rule", "") if v in ("violates", "exploitable") else ""
    print(f"{r['name'].rsplit('/', 1)[-1]} {v}{' ' + rule if rule else ''}")
PY
  echo "check_client $name: cannot read the verdicts from ehlo check's JSON report"
  exit 1
fi
if [[ ! -s $tmp/got ]]; then
  echo "check_client $name: ehlo check reported no verdict"
  cat "$tmp/out"
  exit 1
fi
grep -hv '^\s*\(#\|$\)' "$expected_dir"/*.txt | sed 's/[[:space:]]*$//' | sort >"$tmp/want"
sort -o "$tmp/got" "$tmp/got"
[[ -n ${EHLO_CHECK_KEEP:-} ]] && mkdir -p "$EHLO_CHECK_KEEP" && cp -r "$tmp"/. "$EHLO_CHECK_KEEP"/
if ! diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
  echo "check_client $name: verdicts differ from tests/conformance/expected/$name (- expected, + got)"
  cat "$tmp/diff"
  echo "---- ehlo check's output"
  cat "$tmp/out"
  exit 1
fi
echo "PASS: $name: $(wc -l <"$tmp/got") verdicts as expected ($(grep -m1 " probes\{0,1\} against " "$tmp/out"))"
