# shellcheck shell=bash disable=SC2034 # sets PEER_PORT etc. for with_peer.sh, which sources it
# The `smtp-sink` peer (sourced by with_peer.sh): Postfix's smtp-sink, a fast
# SMTP server that accepts and throws away everything (for benchmarks).
#
# Options: any smtp-sink(1) options, passed through as given; with_peer.sh
# adds the address (127.0.0.1:PORT) and a backlog of 256.  E.g. `-c` (counters
# on stdout, kept in EHLO_PEER_LOG), `-p` (no PIPELINING), `-e` (HELO only),
# `-h NAME` (greeting name), `-f mail,rcpt` (refuse those commands).
# Started as root it switches to the postfix user once it listens (-u postfix
# unless the options give -u).
# No STARTTLS and no real AUTH: smtp-sink offers AUTH and accepts anything.

peer_start() {
  command -v smtp-sink >/dev/null || skip "smtp-sink (package postfix) is not installed"
  local attempt user=()
  # As root smtp-sink insists on a user to switch to once it listens.
  if ((EUID == 0)) && [[ " $* " != *" -u "* ]]; then user=(-u postfix); fi
  # smtp-sink needs the port as a number: take a free one, and another if
  # some other process binds it first (smtp-sink then exits).
  for attempt in 1 2 3 4 5; do
    PEER_PORT=$(free_port)
    smtp-sink ${user[@]+"${user[@]}"} "$@" "127.0.0.1:$PEER_PORT" 256 >"$WORK/sink.log" 2>&1 &
    SERVER_PID=$!
    if wait_accepts "$PEER_PORT" "$SERVER_PID"; then
      export EHLO_PEER_LOG=$WORK/sink.log
      return 0
    fi
    stop_pid "$SERVER_PID"
    SERVER_PID=
    grep -q 'Address already in use' "$WORK/sink.log" || break
    time_left || break
    say "smtp-sink: port $PEER_PORT was taken meanwhile; another one (attempt $attempt)"
  done
  tail_log "$WORK/sink.log"
  fail "smtp-sink did not start listening within ${START_TIMEOUT} s"
}

peer_stop() {
  [[ -n ${SERVER_PID:-} ]] && stop_pid "$SERVER_PID"
  return 0
}
