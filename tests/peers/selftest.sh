#!/usr/bin/env bash
# selftest.sh [KIND...]: proves each peer of with_peer.sh works, with real
# clients (swaks, curl, Python's smtplib, msmtp, smtp_talk.py) and their exit
# statuses; for `broken`, that every fault shows and that clients give up on
# it in bounded time; for `dovecot`, LMTP with swaks (TCP and the Unix socket)
# and smtp_talk.py.  KIND: aiosmtpd, postfix, smtp-sink, dovecot, broken, wrapper
# (with_peer.sh's own behaviour); default all.  CTest runs it as peers.<kind>.
#
# Prints `ok NAME` / `FAIL NAME ...` per check; exits 0 when all passed, 1
# when any failed, 77 when a peer's program is missing (CTest's skip code).
# Also fails when a peer leaves a process or its temporary folder behind.
#
# Internally, `selftest.sh --inside SUITE ARGS...` is the part that runs under
# with_peer.sh, with the peer's EHLO_PEER_* environment.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/selftest.sh
PY=/usr/bin/python3
TALK=("$PY" "$HERE/smtp_talk.py")

# ---- checks (inside a peer) -----------------------------------------------

FAILED=0

# check NAME RC [-e PCRE]... [-n PCRE]... -- COMMAND...
# Runs COMMAND (at most 60 s) with stdout+stderr to a log; stdin as given.
# RC is the exit status wanted: a number, `!0` for any failure, `any` for
# whatever status, but never being killed by the 60 s limit (124).  -e: the output must match; -n: it must not (Perl
# regexes over the whole output, so \n spans lines).
check() {
  local name=$1 want=$2 rc=0 pat bad=
  shift 2
  local must=() mustnt=()
  while [[ $1 != -- ]]; do
    case $1 in
      -e) must+=("$2") ;;
      -n) mustnt+=("$2") ;;
    esac
    shift 2
  done
  shift
  local log=$LOGS/$name.log
  if declare -F "$1" >/dev/null; then # our functions bound their own time
    "$@" >"$log" 2>&1 || rc=$?
  else
    timeout 60 "$@" >"$log" 2>&1 || rc=$?
  fi
  if [[ $want == any ]]; then
    ((rc != 124)) || bad="did not end within its time limit"
  elif [[ $want == '!0' ]]; then
    ((rc != 0 && rc != 124)) || bad="exit status $rc, wanted a failure"
  elif [[ $rc != "$want" ]]; then
    bad="exit status $rc, wanted $want"
  fi
  for pat in ${must[@]+"${must[@]}"}; do
    [[ -n $bad ]] || grep -Pzq -- "$pat" "$log" || bad="output lacks /$pat/"
  done
  for pat in ${mustnt[@]+"${mustnt[@]}"}; do
    [[ -n $bad ]] || ! grep -Pzq -- "$pat" "$log" || bad="output has /$pat/"
  done
  if [[ -z $bad ]]; then
    echo "ok   $KIND_LABEL $name"
  else
    echo "FAIL $KIND_LABEL $name: $bad; command: $*"
    tail -n 25 "$log" | sed 's/^/     | /'
    FAILED=$((FAILED + 1))
  fi
}

# The usual envelope and credentials.
setup_env() {
  SERVER=$EHLO_PEER_HOST:$EHLO_PEER_PORT
  URL=smtp://$SERVER
  RCPT=a@${EHLO_PEER_DOMAIN:-example.com}
  SW=(swaks --server "$SERVER" --from b@example.com --to "$RCPT" --timeout 10)
  GOOD=(--auth-user "${EHLO_PEER_USER:-}" --auth-password "${EHLO_PEER_PASSWORD:-}")
  BAD=(--auth-user "${EHLO_PEER_USER:-}" --auth-password wrong)
  MSG=$LOGS/msg.txt
  printf 'From: b@example.com\nTo: %s\nSubject: selftest\n\n.a line starting with a dot\nbye\n' "$RCPT" >"$MSG"
}

# smtplib_send [--tls] [--login PASSWORD]: one message with Python's smtplib.
smtplib_send() {
  "$PY" - "$@" <<'EOF'
import os, smtplib, ssl, sys
from email.message import EmailMessage
args = sys.argv[1:]
m = EmailMessage()
m["From"], m["To"], m["Subject"] = "b@example.com", "a@example.com", "smtplib selftest"
m.set_content("hello\n.dot\n")
with smtplib.SMTP(os.environ["EHLO_PEER_HOST"], int(os.environ["EHLO_PEER_PORT"]), timeout=10) as s:
    if "--tls" in args:
        # Verified against the peer's own certificate (its subjectAltName has 127.0.0.1).
        s.starttls(context=ssl.create_default_context(cafile=os.environ["EHLO_PEER_CERT"]))
    if "--login" in args:
        s.login(os.environ["EHLO_PEER_USER"], args[args.index("--login") + 1])
    s.send_message(m)
EOF
}

# delivered TEXT: a file under EHLO_PEER_MAIL holds TEXT within 10 s (Postfix
# delivers after the 250, through its queue).
delivered() {
  local i
  for ((i = 0; i < 100; i++)); do
    grep -rqsF -- "$1" "$EHLO_PEER_MAIL" && return 0
    sleep 0.1
  done
  echo "no message holding '$1' under $EHLO_PEER_MAIL:"
  ls -lR "$EHLO_PEER_MAIL" || true
  return 1
}

# What a pipelining client's output shows: MAIL then RCPT with no reply between.
PIPELINED=' -> MAIL FROM:[^\n]*\n -> RCPT TO:'

suite_mta() { # aiosmtpd and postfix with their defaults
  setup_env
  local token m
  token=selftest-$$-$RANDOM
  check swaks-plain 0 -e '\n<-  250[ -]' -e '\n<-  221 ' -- "${SW[@]}" --header "X-Selftest: $token"
  check delivered 0 -- delivered "$token"
  check swaks-tls 0 -e '=== TLS started' -e '\n<~  250 ' -- "${SW[@]}" --tls
  for m in PLAIN LOGIN CRAM-MD5; do
    check "swaks-tls-auth-$m" 0 -e '\n<~  235 ' -- "${SW[@]}" --tls --auth "$m" "${GOOD[@]}"
    check "swaks-tls-auth-$m-wrong-password" 28 -e '\n<~\* 535 ' -- "${SW[@]}" --tls --auth "$m" "${BAD[@]}"
  done
  check swaks-auth-plain-without-tls 0 -e '\n<-  235 ' -- "${SW[@]}" --auth PLAIN "${GOOD[@]}"
  check swaks-pipeline 0 -e "$PIPELINED" -- "${SW[@]}" --pipeline
  check swaks-attachment 0 -e 'Content-Disposition: attachment' -- "${SW[@]}" --attach "$MSG"
  check swaks-refused-recipient 24 -e '\n<\*\* 550 5\.1\.1 ' -- \
    swaks --server "$SERVER" --from b@example.com --to "$EHLO_PEER_REFUSED" --timeout 10
  check swaks-one-of-three-refused 0 -e '\n<\*\* 550 5\.1\.1 [^\n]*\n -> RCPT TO:' -e '\n<-  250 [^\n]*\n -> QUIT' -- \
    swaks --server "$SERVER" --from b@example.com --to "$RCPT,$EHLO_PEER_REFUSED,c@$EHLO_PEER_DOMAIN" --timeout 10
  check curl-upload 0 -- curl -sS --max-time 20 "$URL" --mail-from b@example.com --mail-rcpt "$RCPT" --upload-file "$MSG"
  check curl-starttls-auth-verified 0 -- curl -sS --max-time 20 --ssl-reqd --cacert "$EHLO_PEER_CERT" \
    --user "$EHLO_PEER_USER:$EHLO_PEER_PASSWORD" "$URL" --mail-from b@example.com --mail-rcpt "$RCPT" --upload-file "$MSG"
  check curl-auth-wrong-password 67 -- curl -sS --max-time 20 --user "$EHLO_PEER_USER:wrong" "$URL" \
    --mail-from b@example.com --mail-rcpt "$RCPT" --upload-file "$MSG"
  check smtplib-send 0 -- smtplib_send
  check smtplib-starttls-login 0 -- smtplib_send --tls --login "$EHLO_PEER_PASSWORD"
  check smtplib-login-wrong-password '!0' -e 'SMTPAuthenticationError' -- smtplib_send --tls --login wrong
  check msmtp-starttls-auth 0 -- msmtp -C /dev/null --host="$EHLO_PEER_HOST" --port="$EHLO_PEER_PORT" \
    --from=b@example.com --tls=on --tls-starttls=on --tls-trust-file="$EHLO_PEER_CERT" --auth=on \
    --user="$EHLO_PEER_USER" --passwordeval="echo $EHLO_PEER_PASSWORD" "$RCPT" <"$MSG"
  # Raw sessions: the codes each server gives (tests/data/captures has them whole).
  check talk-rset-vrfy-unknown 0 -e '\nC: RSET\nS: 250 ' -e '\nC: VRFY a@[^\n]*\nS: 25[02] ' -e '\nC: FROBNICATE\nS: 5\d\d ' -- \
    "${TALK[@]}" --port "$EHLO_PEER_PORT" "EHLO client.example" "MAIL FROM:<b@example.com>" RSET \
    "VRFY $RCPT" FROBNICATE
  check talk-starttls-then-auth 0 -e '# TLS started' -e '\nS: 235 ' -- "${TALK[@]}" --port "$EHLO_PEER_PORT" \
    --cafile "$EHLO_PEER_CERT" "EHLO client.example" STARTTLS "EHLO client.example" \
    "AUTH PLAIN $(printf '\0%s\0%s' "$EHLO_PEER_USER" "$EHLO_PEER_PASSWORD" | base64 -w0)"
}

suite_postfix() { # what only Postfix offers: CHUNKING, VRFY of an unknown user
  setup_env
  check talk-bdat 0 -e '\nS: 250 2\.0\.0 Ok: 24 bytes queued as ' -- "${TALK[@]}" --port "$EHLO_PEER_PORT" \
    "EHLO client.example" "MAIL FROM:<b@example.com>" "RCPT TO:<$RCPT>" \
    '@bdat:Subject: bdat\r\n\r\n' '@bdat-last:hello\r\n'
  check talk-vrfy-refused 0 -e '\nS: 550 5\.1\.1 ' -- "${TALK[@]}" --port "$EHLO_PEER_PORT" \
    "EHLO client.example" "VRFY $EHLO_PEER_REFUSED"
}

suite_strict() { # --auth-require-tls --no-pipelining
  setup_env
  check ehlo-before-tls 0 -e '\n250[ -]STARTTLS' -n '\n250[ -]AUTH' -n '\n250[ -]PIPELINING' -- \
    "${TALK[@]}" --port "$EHLO_PEER_PORT" "EHLO client.example"
  check ehlo-after-tls 0 -e '\n250[ -]AUTH[ =]' -n '\n250[ -]PIPELINING' -- \
    "${TALK[@]}" --port "$EHLO_PEER_PORT" "EHLO client.example" STARTTLS "EHLO client.example"
  check swaks-auth-without-tls 28 -e 'Host did not advertise authentication' -- "${SW[@]}" --auth PLAIN "${GOOD[@]}"
  check talk-auth-before-tls-refused 0 -e '\nC: AUTH PLAIN [^\n]*\nS: 5\d\d ' -- "${TALK[@]}" --port "$EHLO_PEER_PORT" \
    "EHLO client.example" "AUTH PLAIN $(printf '\0alice\0wonderland' | base64 -w0)"
  check swaks-tls-auth 0 -e '\n<~  235 ' -- "${SW[@]}" --tls --auth LOGIN "${GOOD[@]}"
  check swaks-pipeline-unadvertised 0 -n "$PIPELINED" -- "${SW[@]}" --pipeline
}

suite_sink() { # smtp-sink: no TLS, accepts everything
  setup_env
  check swaks-plain 0 -e '\n<-  250 ' -- "${SW[@]}"
  check swaks-pipeline 0 -e "$PIPELINED" -- "${SW[@]}" --pipeline
  check curl-upload 0 -- curl -sS --max-time 20 "$URL" --mail-from b@example.com --mail-rcpt "$RCPT" --upload-file "$MSG"
  check smtplib-send 0 -- smtplib_send
  check msmtp-plain 0 -- msmtp -C /dev/null --host="$EHLO_PEER_HOST" --port="$EHLO_PEER_PORT" \
    --from=b@example.com --tls=off --auth=off "$RCPT" <"$MSG"
}

# mailbox_empty USER: USER's maildir under EHLO_PEER_MAIL holds no message.
mailbox_empty() {
  local f found=0
  for f in "$EHLO_PEER_MAIL/$1"/new/* "$EHLO_PEER_MAIL/$1"/cur/*; do
    [[ -f $f ]] && echo "a message for $1: $f" && found=1
  done
  ((!found))
}

suite_dovecot() { # Dovecot's LMTP: alice saved, bob over quota, carol unknown
  setup_env
  local token=selftest-$$-$RANDOM
  local LM=(swaks --protocol LMTP --from b@example.org --timeout 10)
  local ALICE='\n<-  250 2\.0\.0 <alice@example\.com> \S+ Saved\n'
  check talk-lhlo 0 -e '^S: 220 lmtp\.ehlo\.test Dovecot' -e '\n250-CHUNKING\n' -e '\n250 PIPELINING\n' \
    -n 'STARTTLS|AUTH' -- "${TALK[@]}" --port "$EHLO_PEER_PORT" "LHLO client.example"
  # swaks reads a reply per recipient after the data; it exits 0 when any was accepted.
  check swaks-lmtp-tcp 0 -e "$ALICE"'<\*\* 552 5\.2\.2 <bob@example\.com> Quota exceeded' -- \
    "${LM[@]}" --server "$SERVER" --to alice@example.com,bob@example.com --h-Subject "$token-tcp"
  check swaks-lmtp-tcp-delivered 0 -- delivered "Subject: $token-tcp"
  check swaks-lmtp-socket 0 -e "$ALICE" -- "${LM[@]}" --socket "$EHLO_PEER_SOCKET" --to alice@example.com \
    --h-Subject "$token-socket"
  check swaks-lmtp-socket-delivered 0 -- delivered "Subject: $token-socket"
  check swaks-lmtp-unknown-user 24 -e "\n<\\*\\* 550 5\\.1\\.1 <$EHLO_PEER_REFUSED> User doesn't exist" -- \
    "${LM[@]}" --server "$SERVER" --to "$EHLO_PEER_REFUSED"
  # BDAT LAST answered per recipient too.
  check talk-bdat-last 0 -e '\nS: 250 2\.0\.0 <alice@example\.com> \S+ Saved\nS: 552 5\.2\.2 <bob@example\.com> ' -- \
    "${TALK[@]}" --port "$EHLO_PEER_PORT" "LHLO client.example" "MAIL FROM:<b@example.org>" \
    "RCPT TO:<alice@example.com>" "RCPT TO:<$EHLO_PEER_OVER_QUOTA>" '@bdat-last:Subject: bdat\r\n\r\nhi\r\n' @read
  check bob-over-quota-has-nothing 0 -- mailbox_empty bob
}

suite_broken() { # FAULT PROBE-PCRE [CURL-STATUS [SMTPLIB-STATUS]]
  setup_env
  local fault=$1 probe=$2 curl_status=${3:-!0} smtplib_status=${4:-!0}
  # The fault as smtp_talk.py sees it: it must say what broke.
  check "$fault-shows" 1 -e "$probe" -- "${TALK[@]}" --timeout 2 --port "$EHLO_PEER_PORT" \
    "EHLO client.example" STARTTLS "EHLO client.example"
  # Real clients must give up, and within their own timeouts.
  check "$fault-swaks-fails" '!0' -- "${SW[@]}" --timeout 2 --tls
  check "$fault-curl-status-$curl_status" "$curl_status" -- curl -sS --max-time 3 --ssl-reqd -k "$URL" \
    --mail-from b@example.com --mail-rcpt "$RCPT" --upload-file "$MSG"
  check "$fault-smtplib-status-$smtplib_status" "$smtplib_status" -- timeout 15 "$PY" -c '
import os, smtplib, ssl
c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
with smtplib.SMTP(os.environ["EHLO_PEER_HOST"], int(os.environ["EHLO_PEER_PORT"]), timeout=3) as s:
    s.starttls(context=c)
    s.sendmail("b@example.com", ["a@example.com"], "Subject: x\r\n\r\nhi\r\n")'
}

if [[ ${1:-} == --inside ]]; then
  KIND_LABEL=$2
  suite=$3
  shift 3
  LOGS=$EHLO_PEER_DIR/selftest
  mkdir -p "$LOGS"
  echo "$EHLO_PEER_DIR" >"$DIR_NOTE" # for the outer part's leftover check
  "suite_$suite" "$@"
  ((FAILED == 0))
  exit
fi

# ---- the outer part: start peers, run suites, look for leftovers ----------

# A loaded CI machine running the peers side by side (ctest -j) can take
# longer than with_peer.sh's default 15 s to start one.
export EHLO_PEER_START_TIMEOUT=${EHLO_PEER_START_TIMEOUT:-60}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-selftest.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
export DIR_NOTE=$OUT/peer-dir # run() gives each run its own
RUN_FAILED=0
SKIPPED=0

# leftovers DIR: fails when DIR still exists or a process still refers to it
# (its command line or environment: Postfix daemons carry MAIL_CONFIG), by
# its last part alone, which mktemp made unique: Dovecot's processes carry
# only that (their titles, dovecot-ehlo-peer-dovecot.XXXXXX/lmtp).
leftovers() {
  local pids
  [[ ! -e $1 ]] || echo "temporary folder $1 is still there"
  # The folder's name comes on grep's stdin so that no command line holds it
  # but the leftovers': neither grep's own nor a helper's (a `basename` in a
  # process substitution could still be exiting, its arguments readable, when
  # grep looked; where PID 1 does not reap, CI saw it as a zombie).
  pids=$(grep -lsF -f - /proc/[0-9]*/cmdline /proc/[0-9]*/environ <<<"${1##*/}" | cut -d/ -f3 | sort -u || true)
  [[ -z $pids ]] || {
    echo "processes left behind:"
    ps -o pid,ppid,stat,user,args -p "$(echo "$pids" | paste -sd,)" || true
  }
  [[ ! -e $1 && -z $pids ]]
}

# run LABEL KIND [PEER-OPTIONS...] -- SUITE [ARGS...]
run() {
  local label=$1 rc=0 dir start=$SECONDS
  local DIR_NOTE=$OUT/${label//[^A-Za-z0-9@._-]/_}.dir stderr=$OUT/${label//[^A-Za-z0-9@._-]/_}.stderr
  export DIR_NOTE
  shift
  local kind=$1 peer=()
  shift
  while [[ $1 != -- ]]; do
    peer+=("$1")
    shift
  done
  shift
  "$HERE/with_peer.sh" "$kind" ${peer[@]+"${peer[@]}"} -- "$SELF" --inside "$label" "$@" \
    </dev/null 2>"$stderr" || rc=$?
  cat "$stderr" >&2
  case $rc in
    0) ;;
    77)
      echo "skip $label"
      SKIPPED=$((SKIPPED + 1))
      return 0
      ;;
    *)
      echo "FAIL $label: exit status $rc"
      RUN_FAILED=$((RUN_FAILED + 1))
      ;;
  esac
  if grep -q 'SIGKILL' "$stderr"; then
    echo "FAIL $label: a process had to be killed with SIGKILL"
    RUN_FAILED=$((RUN_FAILED + 1))
  fi
  if [[ -s $DIR_NOTE ]]; then
    dir=$(cat "$DIR_NOTE")
    if leftovers "$dir"; then
      echo "ok   $label: stopped, nothing left behind ($((SECONDS - start)) s in all)"
    else
      echo "FAIL $label: left something behind"
      RUN_FAILED=$((RUN_FAILED + 1))
    fi
  fi
}

kind_aiosmtpd() {
  run aiosmtpd aiosmtpd -- mta
  run aiosmtpd-strict aiosmtpd --auth-require-tls --no-pipelining -- strict
}

kind_postfix() {
  run postfix postfix -- mta
  run postfix postfix -- postfix
  run postfix-strict postfix --auth-require-tls --no-pipelining -- strict
}

kind_dovecot() {
  run dovecot dovecot -- dovecot
}

kind_smtp-sink() {
  run smtp-sink smtp-sink -- sink
}

# throttle N: waits while N background jobs of this shell are running.
throttle() {
  while (($(jobs -rp | wc -l) >= $1)); do sleep 0.2; done
}

kind_broken() {
  local f
  local -A probe=(
    [stall]='^# no reply within'
    [stall-after-ehlo]='\nC: EHLO client\.example\n# no reply within'
    [flood-continuation]='\nS: 250-flood[^#]*# a reply of more than'
    [long-line]='# a line longer than \d+ bytes with no LF \(starts 220 xxxx'
    [junk]='\n# not a reply line: '
    [bad-code]='^S: 2x0 hello\n# not a reply line'
    [mixed-continuation]='\nS: 250-a\n251 b\n# codes differ within one reply \(250, 251\)'
    [close-mid-reply]='\nS: 250-mx\n# connection closed by the server in mid-reply'
    [starttls-fail]='\nS: 220 [^\n]*\n# TLS handshake failed'
    [starttls-silent]='\nS: 220 [^\n]*\n# TLS handshake failed'
    [starttls-hello-stall]='\nS: 220 [^\n]*\n# TLS handshake failed'
    [starttls-alert]='\nS: 220 [^\n]*\n# TLS handshake failed: [^\n]*alert internal error'
    [plaintext-injection]='\nS: 220 [^\n]*\n# 5\d bytes arrived after the 220 to STARTTLS, before the TLS handshake: 250 '
  )
  # Mostly waiting for clients' timeouts: four at a time, reported in order.
  local pids=() outs=() i
  # How the clients end where it is not simply a failure:
  # smtplib drops what it buffered with the 220 when it starts TLS, so the
  # injected reply is lost, not read (or, when it comes in a later segment,
  # breaks the handshake).
  local -A client_status=([plaintext-injection]='!0 any')
  # Smaller floods than the defaults keep smtplib (no limit on a reply's
  # size) quick; smtp_talk.py gives up after 1 MiB anyway.
  # swaks sets no deadline on its TLS handshake: it waits until the server closes, so the
  # handshake stalls close sooner.
  local -A server_args=([flood-continuation]='--cap-bytes 20000000' [long-line]='--cap-bytes 20000000'
    [starttls-silent]='--conn-seconds 8' [starttls-hello-stall]='--conn-seconds 8')
  for f in stall stall-after-ehlo flood-continuation long-line junk bad-code mixed-continuation \
    close-mid-reply starttls-fail starttls-silent starttls-hello-stall starttls-alert plaintext-injection; do
    throttle 4
    outs+=("$OUT/broken-$f.out")
    (
      # shellcheck disable=SC2086 # the words of the tables above
      run "broken:$f" broken --fault "$f" --conn-seconds 20 ${server_args[$f]:-} -- \
        broken "$f" "${probe[$f]}" ${client_status[$f]:-}
      ((RUN_FAILED == 0))
    ) >"${outs[-1]}" 2>&1 &
    pids+=($!)
  done
  # Faults moved to the other reply.
  throttle 4
  outs+=("$OUT/broken-bad-code-at-ehlo.out")
  (
    run "broken:bad-code@ehlo" broken --fault bad-code --at ehlo -- broken bad-code-at-ehlo \
      '\nC: EHLO client\.example\nS: 2x0 hello\n# not a reply line'
    ((RUN_FAILED == 0))
  ) >"${outs[-1]}" 2>&1 &
  pids+=($!)
  throttle 4
  outs+=("$OUT/broken-mixed-continuation-at-greeting.out")
  (
    run "broken:mixed-continuation@greeting" broken --fault mixed-continuation --at greeting -- \
      broken mixed-continuation-at-greeting '^S: 220-a\n221 b\n# codes differ' 0 # curl takes it
    ((RUN_FAILED == 0))
  ) >"${outs[-1]}" 2>&1 &
  pids+=($!)
  for i in "${!pids[@]}"; do
    wait "${pids[i]}" || RUN_FAILED=$((RUN_FAILED + 1))
    cat "${outs[i]}"
    SKIPPED=$((SKIPPED + $(grep -c '^skip' "${outs[i]}" || true)))
  done
}

# with_peer.sh itself: exit status, signals, start failures, usage.
kind_wrapper() {
  local rc dir pid
  rc=0
  "$HERE/with_peer.sh" aiosmtpd -- sh -c 'exit 7' || rc=$?
  report_wrapper "COMMAND's exit status comes back" "$rc" 7
  rc=0
  "$HERE/with_peer.sh" aiosmtpd --frobnicate -- true 2>/dev/null || rc=$?
  report_wrapper "an unknown peer option is an error" "$rc" 1
  rc=0
  "$HERE/with_peer.sh" nosuchkind -- true 2>/dev/null || rc=$?
  report_wrapper "an unknown kind is a usage error" "$rc" 2
  rc=0
  "$HERE/with_peer.sh" aiosmtpd 2>/dev/null || rc=$?
  report_wrapper "no COMMAND is a usage error" "$rc" 2
  rc=0
  echo "from stdin" | "$HERE/with_peer.sh" broken --fault stall -- sh -c 'read -r x && [ "$x" = "from stdin" ]' || rc=$?
  report_wrapper "COMMAND reads with_peer.sh's stdin" "$rc" 0
  # SIGTERM while COMMAND runs: the peer goes, the status says so, promptly.
  for kind in aiosmtpd postfix dovecot; do
    rm -f "$DIR_NOTE"
    "$HERE/with_peer.sh" "$kind" -- sh -c 'echo "$EHLO_PEER_DIR" >"$DIR_NOTE"; exec sleep 60' &
    pid=$!
    for ((i = 0; i < 400; i++)); do # the peer's start: up to 20 s
      [[ -s $DIR_NOTE ]] && break
      alive_child "$pid" || break
      sleep 0.05
    done
    if [[ ! -s $DIR_NOTE ]]; then
      rc=0
      kill "$pid" 2>/dev/null || true
      wait "$pid" || rc=$?
      if ((rc == 77)); then
        echo "skip wrapper: $kind: SIGTERM (peer not available)"
        SKIPPED=$((SKIPPED + 1))
      else
        report_wrapper "$kind: the peer starts" "$rc" "running"
      fi
      continue
    fi
    dir=$(cat "$DIR_NOTE")
    SECONDS=0
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    report_wrapper "$kind: SIGTERM stops COMMAND and the peer, status 143" "$rc" 143
    report_wrapper "$kind: ... within 8 s" "$((SECONDS <= 8 ? 1 : 0))" 1
    if leftovers "$dir"; then
      echo "ok   wrapper: $kind: nothing left after SIGTERM"
    else
      report_wrapper "$kind: nothing left after SIGTERM" "leftovers" "none"
    fi
  done
}

alive_child() { kill -0 "$1" 2>/dev/null && [[ $(ps -o stat= -p "$1" 2>/dev/null) != Z* ]]; }

report_wrapper() {
  if [[ $2 == "$3" ]]; then
    echo "ok   wrapper: $1"
  else
    echo "FAIL wrapper: $1: got $2, wanted $3"
    RUN_FAILED=$((RUN_FAILED + 1))
  fi
}

kinds=("$@")
((${#kinds[@]})) || kinds=(wrapper aiosmtpd postfix smtp-sink dovecot broken)
for k in "${kinds[@]}"; do
  case $k in
    wrapper | aiosmtpd | postfix | smtp-sink | dovecot | broken) "kind_$k" ;;
    *)
      echo "selftest.sh: unknown kind '$k'" >&2
      exit 2
      ;;
  esac
done

if ((RUN_FAILED)); then
  echo "selftest.sh: $RUN_FAILED failure(s)"
  exit 1
fi
if ((SKIPPED)); then
  echo "selftest.sh: passed, $SKIPPED peer run(s) skipped (program missing or not root)"
  exit 77
fi
echo "selftest.sh: all passed"
