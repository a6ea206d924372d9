# shellcheck shell=bash disable=SC2034 # sets PEER_PORT etc. for with_peer.sh, which sources it
# The `broken` peer (sourced by with_peer.sh): tests/peers/broken_server.py, a
# deliberately broken SMTP server.
#
# Options: broken_server.py's, passed through: --fault NAME (required), --at
# greeting|ehlo, --cap-bytes N, --conn-seconds S, --delay S; see
# `/usr/bin/python3 tests/peers/broken_server.py --help`.
# A self-signed certificate (CN=broken.test) is made for the STARTTLS faults;
# EHLO_PEER_CERT names it.

peer_start() {
  make_cert server broken.test
  "$PY" "$HERE/broken_server.py" --port 0 --cert "$WORK/server.pem" "$@" \
    >"$WORK/server.out" 2>"$WORK/server.log" &
  SERVER_PID=$!
  PEER_PORT=$(wait_port_line "$WORK/server.out" "$SERVER_PID") || {
    tail_log "$WORK/server.log"
    fail "broken_server.py did not start listening within ${START_TIMEOUT} s"
  }
  export EHLO_PEER_CERT=$WORK/server.crt EHLO_PEER_LOG=$WORK/server.log
}

peer_stop() {
  [[ -n ${SERVER_PID:-} ]] && stop_pid "$SERVER_PID"
  return 0
}
