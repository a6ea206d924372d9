#!/usr/bin/env bash
# Regenerates the per-server captures in this folder: what Postfix, aiosmtpd
# and smtp-sink really answer, as swaks shows it (<server>-swaks-*.txt) and as
# tests/peers/smtp_talk.py writes it in the S:/C: transcript form
# (<server>-talk-*.txt, for sessions swaks cannot drive: BDAT, RSET, VRFY, an
# unknown command, commands out of order).  From the repo root:
#
#     tests/data/captures/capture_servers.sh
#
# Each server is started by tests/peers/with_peer.sh (127.0.0.1, an ephemeral
# port, stopped by process id afterwards); Postfix needs root.
# MANIFEST-servers.txt gets the versions and, for each capture, the server
# variant, the exit status and the command (port shown as PORT).  Exits
# non-zero when a capture's exit status is not the one expected.  Re-running
# overwrites the same files.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PEERS=$HERE/../../peers
PY=/usr/bin/python3
cd "$HERE"

# ---- inside a peer: one server variant's captures ------------------------
if [[ ${1:-} == --inside ]]; then
  server=$2 variant=$3
  failures=0
  S=$EHLO_PEER_HOST:$EHLO_PEER_PORT
  TO=(--from b@example.com --to a@example.com)
  GOOD=(--auth-user "${EHLO_PEER_USER:-}" --auth-password "${EHLO_PEER_PASSWORD:-}")
  BAD=(--auth-user "${EHLO_PEER_USER:-}" --auth-password wrong)
  TALK=("$PY" "$PEERS/smtp_talk.py" --port "$EHLO_PEER_PORT")
  PLAIN_OK=$(printf '\0%s\0%s' "${EHLO_PEER_USER:-}" "${EHLO_PEER_PASSWORD:-}" | base64 -w0)

  # capture EXPECTED NAME COMMAND...: runs COMMAND (at most 30 s), its
  # stdout+stderr to SERVER-NAME.txt, and notes it in the manifest part.
  capture() {
    local expect=$1 file=$server-$2.txt rc=0 shown
    shift 2
    timeout 30 "$@" </dev/null >"$HERE/$file" 2>&1 || rc=$?
    shown=$(printf '%q ' "$@")
    shown=${shown//$EHLO_PEER_PORT/PORT}
    shown=${shown//"$PEERS"/tests/peers}
    printf '%-46s server=%-25s exit=%-3s %s\n' "$file" "$server/$variant" "$rc" "${shown% }" >>"$MANIFEST_PART"
    if [[ $rc != "$expect" ]]; then
      echo "capture_servers.sh: $file: exit status $rc, expected $expect" >&2
      failures=$((failures + 1))
    fi
  }

  case $server/$variant in
    postfix/default | aiosmtpd/default)
      capture 0 swaks-plain swaks --server "$S" "${TO[@]}"
      capture 0 swaks-tls swaks --server "$S" "${TO[@]}" --tls
      for m in PLAIN LOGIN CRAM-MD5; do
        lm=$(tr A-Z a-z <<<"$m")
        capture 0 "swaks-tls-auth-$lm" swaks --server "$S" "${TO[@]}" --tls --auth "$m" "${GOOD[@]}"
        capture 28 "swaks-tls-auth-$lm-fail" swaks --server "$S" "${TO[@]}" --tls --auth "$m" "${BAD[@]}"
      done
      capture 0 swaks-auth-plain-notls swaks --server "$S" "${TO[@]}" --auth PLAIN "${GOOD[@]}"
      capture 0 swaks-pipeline swaks --server "$S" "${TO[@]}" --pipeline
      capture 0 swaks-attach swaks --server "$S" "${TO[@]}" --attach input/attachment.txt
      capture 0 swaks-rcpt-one-refused swaks --server "$S" --from b@example.com \
        --to "a@example.com,$EHLO_PEER_REFUSED,c@example.com"
      capture 24 swaks-rcpt-refused swaks --server "$S" --from b@example.com --to "$EHLO_PEER_REFUSED"
      capture 0 talk-commands "${TALK[@]}" "EHLO client.example" "RCPT TO:<a@example.com>" DATA \
        "MAIL FROM:<b@example.com>" "RCPT TO:<a@example.com>" RSET "VRFY a@example.com" \
        "VRFY $EHLO_PEER_REFUSED" NOOP FROBNICATE "MAIL FROM:<b@example.com>" "MAIL FROM:<b@example.com>"
      capture 0 talk-pipeline "${TALK[@]}" "EHLO client.example" \
        "@pipe:MAIL FROM:<b@example.com>|RCPT TO:<a@example.com>|RCPT TO:<$EHLO_PEER_REFUSED>|DATA" \
        "Subject: pipelined" "" "hello" "." QUIT
      if [[ $server == postfix ]]; then
        capture 0 talk-bdat "${TALK[@]}" "EHLO client.example" "MAIL FROM:<b@example.com>" \
          "RCPT TO:<a@example.com>" '@bdat:Subject: chunked\r\n\r\n' '@bdat-last:hello\r\n' \
          "MAIL FROM:<b@example.com>" "RCPT TO:<a@example.com>" '@bdat-last:'
      else
        # No CHUNKING here: an empty last chunk, so only the BDAT line is sent.
        capture 0 talk-bdat "${TALK[@]}" "EHLO client.example" "MAIL FROM:<b@example.com>" \
          "RCPT TO:<a@example.com>" '@bdat-last:'
      fi
      ;;
    postfix/auth-require-tls | aiosmtpd/auth-require-tls)
      capture 28 swaks-auth-notls-required swaks --server "$S" "${TO[@]}" --auth PLAIN "${GOOD[@]}"
      capture 0 swaks-tls-auth-required swaks --server "$S" "${TO[@]}" --tls --auth PLAIN "${GOOD[@]}"
      capture 0 swaks-pipeline-unadvertised swaks --server "$S" "${TO[@]}" --pipeline
      capture 0 talk-auth-before-tls "${TALK[@]}" "EHLO client.example" "AUTH PLAIN $PLAIN_OK" \
        STARTTLS "EHLO client.example" "AUTH PLAIN $PLAIN_OK"
      ;;
    smtp-sink/default)
      capture 0 swaks-plain swaks --server "$S" "${TO[@]}"
      capture 0 talk-commands "${TALK[@]}" "EHLO client.example" "MAIL FROM:<b@example.com>" \
        "RCPT TO:<a@example.com>" DATA "Subject: sink" "" "hello" "." RSET "VRFY a@example.com" \
        NOOP FROBNICATE '@bdat-last:'
      ;;
  esac
  exit $((failures > 0))
fi

# ---- outer part ------------------------------------------------------------
((EUID == 0)) || {
  echo "capture_servers.sh: the Postfix captures need root" >&2
  exit 1
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export MANIFEST_PART=$TMP/manifest
: >"$MANIFEST_PART"
failures=0

# variant SERVER NAME [PEER-OPTIONS...]
variant() {
  local server=$1 name=$2
  shift 2
  "$PEERS/with_peer.sh" "$server" "$@" -- "$HERE/capture_servers.sh" --inside "$server" "$name" ||
    failures=$((failures + 1))
}
variant postfix default
variant postfix auth-require-tls --auth-require-tls --no-pipelining
variant aiosmtpd default
variant aiosmtpd auth-require-tls --auth-require-tls --no-pipelining
variant smtp-sink default

{
  echo "# Generated by capture_servers.sh; do not edit.  Commands run in tests/data/captures/."
  echo "# server=KIND/default: tests/peers/with_peer.sh KIND (no options)"
  echo "# server=KIND/auth-require-tls: with_peer.sh KIND --auth-require-tls --no-pipelining"
  echo
  echo "postfix:  $(postconf -d -h mail_version)"
  echo "aiosmtpd: $($PY -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
  echo "swaks:    $(swaks --version | head -1)"
  echo "python:   $($PY -c 'import sys; print(sys.version.split()[0])') ($PY, smtp_talk.py)"
  echo "sasl:     $(dpkg-query -W -f='${Version}' libsasl2-modules 2>/dev/null) (libsasl2-modules)"
  echo
  cat "$MANIFEST_PART"
} >"$HERE/MANIFEST-servers.txt"

if ((failures)); then
  echo "capture_servers.sh: $failures server variant(s) had captures with an unexpected status" >&2
  exit 1
fi
echo "capture_servers.sh: wrote $(grep -c '\.txt ' "$HERE/MANIFEST-servers.txt") captures; see MANIFEST-servers.txt"
