# shellcheck shell=bash disable=SC2034 # sets PEER_PORT etc. for with_peer.sh, which sources it
# The `aiosmtpd` peer (sourced by with_peer.sh): tests/peers/aiosmtpd_server.py.
#
# Options:
#   --auth-require-tls   AUTH only after STARTTLS (not advertised before; 538 if
#                        sent anyway).  Default: AUTH also in clear, as Postfix.
#   --no-pipelining      do not advertise PIPELINING (advertised by default)
#   --refuse LOCALPART   RCPT TO LOCALPART@any-domain gets 550 5.1.1 (default:
#                        nobody); --refuse '' accepts every recipient
#   --lmtp MODE          speak LMTP (aiosmtpd.lmtp.LMTP): MODE per-recipient answers
#                        the end of data once per accepted recipient (RFC 2033
#                        §4.2); one-reply keeps aiosmtpd's own single reply
#   --domain DOMAIN      deliver DOMAIN only (EHLO_PEER_DOMAIN): RCPT TO another
#                        domain gets 550 5.7.1 unless the client authenticated.
#                        Default: every domain accepted, EHLO_PEER_DOMAIN example.com
# Always: STARTTLS with a fresh self-signed certificate (CN=localhost), AUTH
# PLAIN, LOGIN and CRAM-MD5 for alice / wonderland, messages written to
# EHLO_PEER_MAIL/NNNN.eml.

peer_start() {
  local require_tls=no pipelining=(--pipelining) refuse=nobody domain= lmtp=()
  while (($#)); do
    case $1 in
      --auth-require-tls) require_tls=yes ;;
      --no-pipelining) pipelining=() ;;
      --refuse)
        (($# >= 2)) || fail "aiosmtpd: --refuse needs a local part"
        refuse=$2
        shift
        ;;
      --domain)
        (($# >= 2)) && [[ $2 =~ ^[A-Za-z0-9.-]+$ ]] || fail "aiosmtpd: --domain needs a domain name"
        domain=$2
        shift
        ;;
      --lmtp)
        (($# >= 2)) && [[ $2 == per-recipient || $2 == one-reply ]] ||
          fail "aiosmtpd: --lmtp needs per-recipient or one-reply"
        lmtp=(--lmtp "$2")
        shift
        ;;
      *) fail "aiosmtpd: unknown option '$1' (see tests/peers/kinds/aiosmtpd.sh)" ;;
    esac
    shift
  done
  "$PY" -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is not installed (for $PY)"
  make_cert server localhost
  local refuse_arg=() domain_arg=()
  [[ -n $refuse ]] && refuse_arg=(--refuse "$refuse")
  [[ -n $domain ]] && domain_arg=(--domain "$domain")
  "$PY" "$HERE/aiosmtpd_server.py" --port 0 --cert "$WORK/server.pem" --maildir "$WORK/mail" \
    --auth-require-tls "$require_tls" ${pipelining[@]+"${pipelining[@]}"} "${refuse_arg[@]}" \
    ${domain_arg[@]+"${domain_arg[@]}"} ${lmtp[@]+"${lmtp[@]}"} \
    >"$WORK/server.out" 2>"$WORK/server.log" &
  SERVER_PID=$!
  PEER_PORT=$(wait_port_line "$WORK/server.out" "$SERVER_PID") || {
    tail_log "$WORK/server.log"
    fail "aiosmtpd did not start listening within ${START_TIMEOUT} s"
  }
  export EHLO_PEER_CERT=$WORK/server.crt EHLO_PEER_USER=alice EHLO_PEER_PASSWORD=wonderland
  export EHLO_PEER_DOMAIN=${domain:-example.com} EHLO_PEER_MAIL=$WORK/mail EHLO_PEER_LOG=$WORK/server.log
  export EHLO_PEER_REFUSED=
  [[ -n $refuse ]] && EHLO_PEER_REFUSED=$refuse@$EHLO_PEER_DOMAIN
  return 0
}

peer_stop() {
  [[ -n ${SERVER_PID:-} ]] && stop_pid "$SERVER_PID"
  return 0
}
