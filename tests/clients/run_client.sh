#!/bin/bash
# The server role against a real SMTP client, one situation per run:
#
#     tests/clients/run_client.sh EHLO SITUATION        (from the repository's root)
#
# Starts `EHLO run --listen 127.0.0.1:0` in the background with the
# situation's scenario from scenarios/clients/ (most are named as the
# situation), reads the port from its first line, runs the client against it
# under a timeout, waits (bounded) for ehlo to finish, and checks both sides:
# ehlo's verdict (exit status 0, every connection PASS, no finding; or, for a
# client that does what the scenario says it must not, the failure expected), the
# client's exit status (and, where the table says so, a text it printed), which
# says whether the client saw what the scenario scripted, and what --spool
# wrote (every message accepted, with its envelope). Everything stays on
# 127.0.0.1; the processes this script starts are stopped by their ids on
# every path (trap).
#
# Exit status: 0 passed, 1 failed, 2 usage, 77 the client program (or a part it
# needs) is missing, which CTest reports as skipped.
# EHLO_KEEP=1 keeps the working folder (transcripts, spool, outputs) and says where.

# shellcheck disable=SC2317  # the functions of the situation table are called indirectly
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 EHLO SITUATION" >&2
  exit 2
fi
ehlo=$1
situation=$2
data=tests/clients/data
scenario_name=$situation
port_wait=10      # seconds for ehlo to print its port
client_limit=30   # seconds the client may take
ehlo_wait=15      # seconds ehlo may take to finish after the client ended

# ---- the situations -----------------------------------------------------------
# Each sets: needs (programs), check_needs (a command that must succeed, optional),
# scenario_name (default: the situation's name), connections, expect_rc (the
# client's exit status), expect_text (a regex the client's output must hold,
# optional), messages and content (what the spool must hold), and defines
# client(), which sets cmd (and stdin) once $port is known. A real client that
# behaves gets no finding: any finding fails the test unless allow_findings.
needs=""
check_needs=true
connections=1
expect_rc=0
expect_text=""
messages=""      # messages the spool must hold; default: one per connection
content=()       # regexes every spooled message must match
allow_findings=false
expect_findings=()  # regexes: ehlo's finding lines, exactly these (a client that breaks a rule ehlo must see)
ehlo_failure=""  # a regex: ehlo must fail with it (the client does what the scenario says it must not)
ehlo_args=()     # more options for ehlo run
setup() { :; }   # runs once $work exists, before ehlo starts
# The spooled envelope: the MAIL and RCPT lines as received, a regex for each line.
envelope_expected=('MAIL FROM:<b@example\.com>' 'RCPT TO:<a@example\.com>')
stdin=/dev/null

# Each sets cmd (and stdin) to the client's command line, with $port known.
swaks_cmd() { cmd=(swaks --server "127.0.0.1:$port" --from b@example.com --to a@example.com --timeout 10 "$@"); }
curl_cmd() {
  cmd=(curl -sS -v --max-time 20 "${curl_scheme:-smtp}://127.0.0.1:$port" --mail-from b@example.com --mail-rcpt a@example.com
    --upload-file "$data/message-crlf.txt" "$@")
}
msmtp_cmd() {
  cmd=(msmtp --debug -C /dev/null --host=127.0.0.1 --port="$port" --timeout=10 --from=b@example.com "$@" a@example.com)
  stdin=$data/message.txt
}
smtp_source_cmd() {
  cmd=(smtp-source "$@" -M client.example -f b@example.com -t a@example.com "127.0.0.1:$port")
}
smtplib_cmd() { cmd=(/usr/bin/python3 tests/clients/smtplib_send.py --port "$port" "$@"); }
# swaks needs Net::SSLeay for --tls (only a Recommends of the package).
swaks_tls_needs() { perl -MNet::SSLeay -e 1 2>/dev/null; }
smtplib_needs() { /usr/bin/python3 -c 'import smtplib, ssl' 2>/dev/null; }

# What each client's message holds (its own or the files in tests/clients/data).
swaks_content=('^To: a@example\.com' '^X-Mailer: swaks' '^This is a test mailing')
file_content=('^Subject: ehlo client test' '^Hello Alice,' '^\.this line starts with a dot' '^Bye\.')
smtplib_content=('^Subject: ehlo smtplib test' '^Hello Alice,' '^\.this line starts with a dot' '^Bye\.')

case $situation in
  swaks-plain)
    needs=swaks content=("${swaks_content[@]}")
    client() { swaks_cmd; } ;;
  swaks-starttls)
    needs=swaks check_needs=swaks_tls_needs content=("${swaks_content[@]}")
    expect_text='TLS started with cipher'
    client() { swaks_cmd --tls; } ;;
  swaks-auth-plain)
    needs=swaks content=("${swaks_content[@]}")
    client() { swaks_cmd --auth PLAIN --auth-user alice --auth-password wonderland; } ;;
  swaks-auth-login)
    needs=swaks content=("${swaks_content[@]}")
    client() { swaks_cmd --auth LOGIN --auth-user alice --auth-password wonderland; } ;;
  swaks-auth-cram-md5)
    needs=swaks content=("${swaks_content[@]}")
    client() { swaks_cmd --auth CRAM-MD5 --auth-user alice --auth-password wonderland; } ;;
  swaks-auth-fail)
    # swaks ends with 28 when no authentication type succeeded.
    needs=swaks expect_rc=28 messages=0
    expect_text='No authentication type succeeded'
    client() { swaks_cmd --auth PLAIN --auth-user alice --auth-password wrong; } ;;
  swaks-attach)
    needs=swaks
    content=("${swaks_content[@]}" '^Content-Type: multipart/mixed'
      '^Content-Disposition: attachment; filename="attachment\.txt"' "^$(base64 -w0 "$data/attachment.txt")")
    client() { swaks_cmd --attach "@$data/attachment.txt"; } ;;
  swaks-pipeline)
    needs=swaks content=("${swaks_content[@]}")
    client() { swaks_cmd --pipeline; } ;;
  curl-plain)
    needs=curl content=("${file_content[@]}")
    envelope_expected[0]="MAIL FROM:<b@example\\.com> SIZE=$(wc -c <"$data/message-crlf.txt")"
    client() { curl_cmd; } ;;
  curl-starttls)
    needs=curl content=("${file_content[@]}")
    envelope_expected[0]='MAIL FROM:<b@example\.com> SIZE=[0-9]+'
    expect_text='SSL connection using'
    client() { curl_cmd --ssl-reqd -k; } ;;
  curl-starttls-verified)
    # ehlo with a certificate given by --tls-cert/--tls-key; curl checks it against the
    # certificate as its CA and the address in the URL against the certificate's names.
    needs="curl openssl" scenario_name=curl-starttls content=("${file_content[@]}")
    envelope_expected[0]='MAIL FROM:<b@example\.com> SIZE=[0-9]+'
    expect_text='SSL certificate verify ok'
    setup() {
      openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=mx.ehlo.test \
        -addext subjectAltName=IP:127.0.0.1,DNS:mx.ehlo.test \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.out"
      ehlo_args=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem")
    }
    client() { curl_cmd --ssl-reqd --cacert "$work/cert.pem"; } ;;
  curl-implicit-tls)
    needs=curl content=("${file_content[@]}")
    envelope_expected[0]='MAIL FROM:<b@example\.com> SIZE=[0-9]+'
    expect_text='SSL connection using'
    client() { curl_scheme=smtps curl_cmd -k; } ;;
  curl-auth-cram-md5)
    needs=curl content=("${file_content[@]}")
    envelope_expected[0]='MAIL FROM:<b@example\.com> SIZE=[0-9]+'
    client() { curl_cmd --user alice:wonderland; } ;;
  curl-auth-fail)
    # curl's CURLE_LOGIN_DENIED.
    needs=curl expect_rc=67 messages=0
    expect_text='Login denied'
    client() { curl_cmd --user alice:wrong; } ;;
  smtplib-send)
    needs=/usr/bin/python3 check_needs=smtplib_needs content=("${smtplib_content[@]}")
    envelope_expected=('mail FROM:<b@example\.com> size=[0-9]+' 'rcpt TO:<a@example\.com>')
    client() { smtplib_cmd; } ;;
  smtplib-pipeline)
    # smtplib never pipelines; the scenario's envelope is a pipeline step, answered command by command.
    needs=/usr/bin/python3 check_needs=smtplib_needs content=("${smtplib_content[@]}")
    envelope_expected=('mail FROM:<b@example\.com> size=[0-9]+' 'rcpt TO:<a@example\.com>')
    client() { smtplib_cmd; } ;;
  smtplib-starttls-login)
    needs=/usr/bin/python3 check_needs=smtplib_needs content=("${smtplib_content[@]}")
    envelope_expected=('mail FROM:<b@example\.com> size=[0-9]+' 'rcpt TO:<a@example\.com>')
    client() { smtplib_cmd --starttls --login; } ;;
  smtplib-smtputf8-dsn)
    # send_message() declares SMTPUTF8 itself; the DSN parameters are the test's.
    needs=/usr/bin/python3 check_needs=smtplib_needs content=('^Subject: Grüße aus Köln' '^To: δοκιμή@example\.com')
    envelope_expected=('mail FROM:<jörg@example\.com> size=[0-9]+ RET=HDRS ENVID=ehlo\+2Btest-1 SMTPUTF8 BODY=8BITMIME'
      'rcpt TO:<δοκιμή@example\.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a\+2Bb@example\.com')
    client() {
      smtplib_cmd --international --mail-option RET=HDRS --mail-option ENVID=ehlo+2Btest-1 \
        --rcpt-option NOTIFY=SUCCESS,FAILURE --rcpt-option 'ORCPT=rfc822;a+2Bb@example.com'
    } ;;
  smtplib-dsn-not-offered)
    # smtplib sends parameters of an extension the EHLO reply did not offer: a finding for each.
    needs=/usr/bin/python3 check_needs=smtplib_needs content=("${smtplib_content[@]}")
    envelope_expected=('mail FROM:<b@example\.com> size=[0-9]+ RET=HDRS' 'rcpt TO:<a@example\.com> NOTIFY=NEVER')
    expect_findings=('finding \[5321-4\.1\.1\.3\] a DSN parameter .* did not offer DSN \(steps/3\)'
      'finding \[5321-4\.1\.1\.3\] a DSN parameter .* did not offer DSN \(steps/5\)')
    client() { smtplib_cmd --mail-option RET=HDRS --rcpt-option NOTIFY=NEVER; } ;;
  smtplib-auth-fail)
    # smtplib_send.py exits 3 on smtplib.SMTPAuthenticationError.
    needs=/usr/bin/python3 check_needs=smtplib_needs expect_rc=3 messages=0
    expect_text='SMTPAuthenticationError: 535'
    client() { smtplib_cmd --starttls --login --password wrong; } ;;
  msmtp-pipeline)
    needs=msmtp content=("${file_content[@]}")
    client() { msmtp_cmd --tls=off --auth=off; } ;;
  msmtp-starttls-auth)
    needs=msmtp content=("${file_content[@]}")
    client() {
      msmtp_cmd --tls=on --tls-starttls=on --tls-certcheck=off --auth=on --user=alice \
        --passwordeval="echo wonderland"
    } ;;
  msmtp-auth-fail)
    # msmtp exits with sysexits' EX_NOPERM (77) when authentication fails.
    needs=msmtp expect_rc=77 messages=0
    expect_text='authentication failed'
    client() {
      msmtp_cmd --tls=on --tls-starttls=on --tls-certcheck=off --auth=on --user=alice --passwordeval="echo wrong"
    } ;;
  swaks-slow-server)
    # Replies a byte at a time, in random pieces (--seed), late: swaks copes.
    needs=swaks content=("${swaks_content[@]}")
    allow_findings=true # none expected; the summary names the seed
    client() { swaks_cmd; } ;;
  swaks-bare-lf-reply)
    # Replies ending in a bare LF: swaks reads lines by LF and sends the message (lenient).
    needs=swaks content=("${swaks_content[@]}")
    client() { swaks_cmd; } ;;
  swaks-stalled-greeting)
    # No greeting: swaks gives up after its --timeout (exit 21) and closes.
    needs=swaks expect_rc=21 messages=0
    expect_text='Timeout \(2 secs\) waiting for server response'
    client() { swaks_cmd --timeout 2; } ;;
  swaks-starttls-injection)
    # A 554 injected after STARTTLS's 220: swaks buffers it and reads it inside TLS as the
    # answer to EHLO, then says HELO; ehlo fails it there and closes (swaks: 6). The finding this test pins.
    needs=swaks check_needs=swaks_tls_needs messages=0 expect_rc=6
    ehlo_failure='steps/8: expected a MAIL command \(C "MAIL FROM:<b@example\.com>"\), got "HELO '
    client() { swaks_cmd --tls; } ;;
  curl-cut-reply)
    # The reply to MAIL cut after "250 2." and the connection closed: curl fails (56, receive error).
    needs=curl expect_rc=56 messages=0
    client() { curl_cmd; } ;;
  curl-tls-abort)
    # 220 to STARTTLS, then the close once the handshake begins: curl fails (35) and sends nothing more.
    needs=curl expect_rc=35 messages=0
    client() { curl_cmd --ssl-reqd -k; } ;;
  smtp-source-sequential)
    # Postfix's load generator: 10 messages, one per connection, one connection at a time.
    needs=smtp-source scenario_name=smtp-source connections=10 content=('^La de da de da 1\.')
    client() { smtp_source_cmd -s 1 -m 10; } ;;
  smtp-source-parallel)
    # 20 messages, one per connection, 5 connections at a time.
    needs=smtp-source scenario_name=smtp-source connections=20 content=('^La de da de da 1\.')
    client() { smtp_source_cmd -s 5 -m 20; } ;;
  smtp-source-reuse)
    # 3 messages over one connection (-d: no disconnect between messages).
    needs=smtp-source messages=3 content=('^La de da de da 1\.')
    client() { smtp_source_cmd -d -m 3; } ;;
  *)
    echo "$0: unknown situation '$situation'" >&2
    exit 2 ;;
esac
scenario=scenarios/clients/$scenario_name.json
[ -n "$messages" ] || messages=$connections

for p in $needs; do
  if ! command -v "$p" >/dev/null 2>&1 && [ ! -x "$p" ]; then
    echo "SKIP: $p not found (scripts/install-deps.sh --peers installs the clients)"
    exit 77
  fi
done
if ! $check_needs; then
  echo "SKIP: $needs cannot do what $situation needs ($check_needs failed)"
  exit 77
fi
[ -r "$scenario" ] || { echo "$0: no $scenario (run from the repository's root)" >&2; exit 2; }

# ---- run ----------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ehlo-client.XXXXXX")
ehlo_pid=""
cleanup() {
  if [ -n "$ehlo_pid" ] && kill -0 "$ehlo_pid" 2>/dev/null; then
    kill "$ehlo_pid" 2>/dev/null
    sleep 0.2
    kill -0 "$ehlo_pid" 2>/dev/null && kill -9 "$ehlo_pid" 2>/dev/null
  fi
  if [ "${EHLO_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

mkdir -p "$work/spool" "$work/transcripts"
if ! setup; then
  echo "FAIL: the setup of $situation failed"
  cat "$work"/*.out 2>/dev/null
  exit 1
fi
# timeout bounds ehlo even if this script is killed before its trap runs.
timeout -k 2 $((port_wait + client_limit + ehlo_wait + 5)) \
  "$ehlo" run -v --listen 127.0.0.1:0 --connections "$connections" \
  --spool "$work/spool" --transcript "$work/transcripts" --show-secrets "${ehlo_args[@]}" "$scenario" \
  >"$work/ehlo.out" 2>&1 &
ehlo_pid=$!

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
show() {
  echo "---- ehlo's output"
  cat "$work/ehlo.out"
  echo "---- the client's output"
  cat "$work/client.out" 2>/dev/null
  for t in "$work"/transcripts/*; do
    [ -f "$t" ] || continue
    echo "---- transcript ${t##*/}"
    cat "$t"
  done
}

port=""
for _ in $(seq $((port_wait * 10))); do
  port=$(sed -n '1s/^listening on port \([0-9][0-9]*\)$/\1/p' "$work/ehlo.out")
  [ -n "$port" ] && break
  kill -0 "$ehlo_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  fail "ehlo printed no port within ${port_wait}s"
  show
  exit 1
fi

client
timeout -k 2 "$client_limit" "${cmd[@]}" <"$stdin" >"$work/client.out" 2>&1
client_rc=$?

ehlo_rc=""
for _ in $(seq $((ehlo_wait * 10))); do
  if ! kill -0 "$ehlo_pid" 2>/dev/null; then
    wait "$ehlo_pid"
    ehlo_rc=$?
    break
  fi
  sleep 0.1
done
if [ -z "$ehlo_rc" ]; then
  fail "ehlo still running ${ehlo_wait}s after the client ended (client exit status $client_rc)"
  kill "$ehlo_pid" 2>/dev/null
  wait "$ehlo_pid" 2>/dev/null
  ehlo_pid=""
  show
  exit 1
fi
ehlo_pid=""

# ---- check --------------------------------------------------------------------
if [ "$connections" = 1 ]; then summary="1 scenario: 1 passed, 0 failed"; else
  summary="$connections scenarios: $connections passed, 0 failed"
fi
if [ -n "$ehlo_failure" ]; then
  [ "$ehlo_rc" = 1 ] || fail "ehlo exited $ehlo_rc, not 1"
  grep -q "^FAIL  $scenario_name " "$work/ehlo.out" || fail "no FAIL line for $scenario_name"
  grep -qE "$ehlo_failure" "$work/ehlo.out" || fail "ehlo's output lacks /$ehlo_failure/"
else
  [ "$ehlo_rc" = 0 ] || fail "ehlo exited $ehlo_rc, not 0"
  grep -qF "$summary" "$work/ehlo.out" || fail "ehlo's output lacks \"$summary\""
  passes=$(grep -c "^PASS  $scenario_name " "$work/ehlo.out")
  [ "$passes" = "$connections" ] || fail "$passes PASS lines for $scenario_name, not $connections"
fi
if ((${#expect_findings[@]})); then
  found=$(grep -c '^ *finding \[' "$work/ehlo.out")
  [ "$found" = "${#expect_findings[@]}" ] || fail "ehlo reported $found findings, not ${#expect_findings[@]}"
  for f in "${expect_findings[@]}"; do
    grep -qE "^ *$f" "$work/ehlo.out" || fail "ehlo's output lacks the finding /$f/"
  done
else
  $allow_findings || ! grep -q 'finding' "$work/ehlo.out" || fail "ehlo reported findings"
fi
[ "$client_rc" = "$expect_rc" ] || fail "the client exited $client_rc, not $expect_rc"
if [ -n "$expect_text" ] && ! grep -qE "$expect_text" "$work/client.out"; then
  fail "the client's output lacks /$expect_text/"
fi

# Every message accepted is in the spool as NAME-CONNECTION-N.eml with its
# envelope (the MAIL and RCPT lines as received) beside it.
emls=("$work"/spool/*.eml)
[ -e "${emls[0]}" ] || emls=()
[ "${#emls[@]}" = "$messages" ] || fail "the spool holds ${#emls[@]} messages, not $messages: $(ls "$work/spool")"
for eml in "${emls[@]}"; do
  name=${eml##*/}
  envelope=${eml%.eml}.envelope
  [[ $name =~ ^$scenario_name-[0-9]+-[0-9]+\.eml$ ]] || fail "a spool file named $name"
  if [ ! -f "$envelope" ]; then
    fail "no envelope beside $name"
    continue
  fi
  mapfile -t lines <"$envelope"
  if [ "${#lines[@]}" != "${#envelope_expected[@]}" ]; then
    fail "${envelope##*/} has ${#lines[@]} lines, not ${#envelope_expected[@]}: $(cat "$envelope")"
  else
    for i in "${!lines[@]}"; do
      [[ ${lines[$i]} =~ ^${envelope_expected[$i]}$ ]] ||
        fail "line $((i + 1)) of ${envelope##*/} is \"${lines[$i]}\", not /${envelope_expected[$i]}/"
    done
  fi
  for w in "${content[@]}"; do
    grep -qE "$w" "$eml" || fail "$name lacks /$w/"
  done
  # The content as received: unstuffed, every line ended by CRLF.
  grep -q '^\.\.' "$eml" && fail "$name still holds a dot-stuffed line"
  [ "$(grep -c $'\r$' "$eml")" = "$(wc -l <"$eml")" ] || fail "not every line of $name ends with CRLF"
done

if [ "$failures" -gt 0 ]; then
  show
  exit 1
fi
[ -z "$ehlo_failure" ] || summary="failed as this test expects, /$ehlo_failure/"
echo "PASS: $situation (ehlo: $summary; the client exited $client_rc)"
exit 0
