#!/usr/bin/env bash
# with_peer.sh KIND [PEER-OPTIONS...] -- COMMAND [ARGS...]
#
# Starts an SMTP (or LMTP) server of kind KIND on 127.0.0.1 with an ephemeral port, waits
# (at most EHLO_PEER_START_TIMEOUT seconds, default 15) until it accepts
# connections, runs COMMAND with the peer's address in the environment, stops
# the server by process id and removes its temporary folder, however this
# script ends (COMMAND done, error, INT, TERM).  Exits with COMMAND's status;
# 1 (with a message) when the peer could not be started; 2 on a usage error;
# 77 when the peer's program is missing or needs root (CTest's skip code).
#
# KIND is one of aiosmtpd, postfix, smtp-sink, dovecot, broken (tests/peers/kinds/KIND.sh
# holds each one's start and stop, and lists its options).  COMMAND gets:
#   EHLO_PEER_KIND, EHLO_PEER_HOST (127.0.0.1), EHLO_PEER_PORT, EHLO_PEER_DIR
#   (the temporary folder: logs, certificate, delivered mail);
#   for aiosmtpd and postfix also EHLO_PEER_CERT (the server's self-signed PEM
#   certificate), EHLO_PEER_USER / EHLO_PEER_PASSWORD (alice / wonderland),
#   EHLO_PEER_DOMAIN (a domain the server delivers to), EHLO_PEER_REFUSED (an
#   address RCPT TO refuses with 550), EHLO_PEER_MAIL (where accepted messages
#   land), EHLO_PEER_LOG (the server's log);
#   for dovecot (LMTP only) EHLO_PEER_SOCKET (its LMTP Unix socket), EHLO_PEER_DOMAIN,
#   EHLO_PEER_REFUSED, EHLO_PEER_OVER_QUOTA (an address accepted at RCPT and refused
#   after the data), EHLO_PEER_MAIL (a maildir per user), EHLO_PEER_LOG.
# Nothing is substituted into COMMAND; let it read the environment, e.g.
#   with_peer.sh postfix -- sh -c 'swaks --server "$EHLO_PEER_HOST:$EHLO_PEER_PORT" --to a@example.com'
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3 # Debian's interpreter: it has python3-aiosmtpd
START_TIMEOUT=${EHLO_PEER_START_TIMEOUT:-15}
STOP_GRACE=3 # seconds between SIGTERM and SIGKILL

usage() {
  echo "usage: with_peer.sh aiosmtpd|postfix|smtp-sink|dovecot|broken [PEER-OPTIONS...] -- COMMAND [ARGS...]" >&2
  exit 2
}
say() { echo "with_peer.sh: $*" >&2; }
fail() {
  say "$*"
  exit 1
}
skip() {
  say "skipped: $*"
  exit 77
}

(($# >= 1)) || usage
KIND=$1
shift
case $KIND in
  aiosmtpd | postfix | smtp-sink | dovecot | broken) ;;
  *) say "unknown peer kind '$KIND'" && usage ;;
esac
PEER_ARGS=()
while (($#)) && [[ $1 != -- ]]; do
  PEER_ARGS+=("$1")
  shift
done
(($# >= 2)) || usage # the -- and at least a command
shift

# ---- helpers the kinds use ----------------------------------------------

# alive PID: PID exists and is not a zombie (kill -0 succeeds on zombies).
alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ $st != Z* ]]
}

# stop_pid PID...: SIGTERM, up to STOP_GRACE seconds, then SIGKILL; reaps
# those that are children of this shell.  Only the given process ids.
stop_pid() {
  local pid i left
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < STOP_GRACE * 20; i++)); do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    ((left)) || break
    sleep 0.05
  done
  for pid in "$@"; do
    if alive "$pid"; then
      say "pid $pid ignored SIGTERM for ${STOP_GRACE} s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

# free_port: a port the kernel considers free now.  Another process may take
# it before the server binds it, so servers that need a number in advance are
# started in a retry loop.
free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# accepts PORT: a TCP connection to 127.0.0.1:PORT succeeds.
accepts() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# time_left: true until START_TIMEOUT seconds after the start began.
time_left() { ((SECONDS < START_DEADLINE)); }

# wait_accepts PORT PID: waits until 127.0.0.1:PORT accepts a connection; fails
# when PID dies first or the start timeout passes.
wait_accepts() {
  until accepts "$1"; do
    alive "$2" || return 1
    time_left || return 1
    sleep 0.05
  done
}

# wait_port_line FILE PID: waits for a `port N` line in FILE (written by our
# Python servers once they listen) and prints N; fails as wait_accepts does.
wait_port_line() {
  local port
  while :; do
    port=$(awk '/^port [0-9]+$/ { print $2; exit }' "$1" 2>/dev/null || true)
    [[ -n $port ]] && echo "$port" && return 0
    alive "$2" || return 1
    time_left || return 1
    sleep 0.05
  done
}

# make_cert NAME CN: a self-signed certificate (ECDSA P-256: quick to make)
# for CN, also valid for 127.0.0.1 (subjectAltName), so a client given it as
# its CA file can verify the server at EHLO_PEER_HOST.  WORK/NAME.crt and
# WORK/NAME.key, and both in one file WORK/NAME.pem (as aiosmtpd_server.py
# and broken_server.py take them).
make_cert() {
  command -v openssl >/dev/null || skip "openssl is not installed"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$2" \
    -addext "subjectAltName=DNS:$2,IP:127.0.0.1" \
    -keyout "$WORK/$1.key" -out "$WORK/$1.crt" 2>"$WORK/openssl.log" ||
    fail "openssl could not make a certificate: $(cat "$WORK/openssl.log")"
  cat "$WORK/$1.crt" "$WORK/$1.key" >"$WORK/$1.pem"
}

# tail_log FILE: the end of a server's log, for a start failure message.
tail_log() { [[ -s $1 ]] && tail -n 20 "$1" | sed 's/^/  | /' >&2 || true; }

# ---- lifecycle ------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-peer-$KIND.XXXXXX")
CMD_PID=
STOPPED=0
peer_stop() { :; } # replaced by the kind's own once sourced

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $CMD_PID ]] && alive "$CMD_PID"; then stop_pid "$CMD_PID"; fi
  if ((!STOPPED)); then
    STOPPED=1
    peer_stop || say "stopping the $KIND peer failed"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=/dev/null
source "$HERE/kinds/$KIND.sh"
START_DEADLINE=$((SECONDS + START_TIMEOUT))
peer_start ${PEER_ARGS[@]+"${PEER_ARGS[@]}"}

export EHLO_PEER_KIND=$KIND EHLO_PEER_HOST=127.0.0.1 EHLO_PEER_PORT=$PEER_PORT EHLO_PEER_DIR=$WORK

# COMMAND runs in the background so that a signal to this script runs the
# trap at once (bash defers traps while it waits for a foreground command).
# Background jobs get /dev/null as stdin unless told otherwise: keep ours.
exec 3<&0
"$@" <&3 3<&- &
CMD_PID=$!
exec 3<&-
status=0
wait "$CMD_PID" || status=$?
CMD_PID=
exit "$status"
