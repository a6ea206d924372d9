# shellcheck shell=bash disable=SC2034 # sets PEER_PORT etc. for with_peer.sh, which sources it
# The `postfix` peer (sourced by with_peer.sh): a private Postfix instance.
#
# Options:
#   --auth-require-tls   smtpd_tls_auth_only = yes: AUTH only after STARTTLS
#                        (not advertised before; 503 5.5.1 if sent anyway)
#   --no-pipelining      drop PIPELINING from the EHLO reply
#                        (smtpd_discard_ehlo_keywords; Postfix still reads
#                        pipelined commands)
#   --no-chunking        drop CHUNKING (BDAT) likewise
#   --refuse LOCALPART   RCPT TO LOCALPART@DOMAIN gets 550 5.1.1 (default:
#                        nobody; --refuse '' accepts every local part)
#   --domain DOMAIN      the virtual mailbox domain (default example.com,
#                        exported as EHLO_PEER_DOMAIN); every other domain,
#                        example.com too, is relayed for SASL clients only
#   --lmtp-to DEST       deliver DOMAIN's mail over LMTP to DEST (inet:127.0.0.1:PORT
#                        or unix:PATH: an LMTP server of the test's) instead of
#                        the maildir; master.cf gets an lmtp client for it
#   --set NAME=VALUE     any other main.cf parameter, last word wins; e.g.
#                        --set smtpd_tls_security_level=encrypt (530 before
#                        STARTTLS) or --set mynetworks=127.0.0.0/8 (relay for
#                        everyone on loopback)
#
# Needs root (Postfix's master starts as root and drops to the postfix user).
# Everything the instance writes is under WORK: main.cf/master.cf (WORK/etc),
# queue (WORK/spool), data_directory, pid files, sockets, the log
# (WORK/maillog, through postlogd) and delivered mail (the maildir
# WORK/mail/inbox/).  /etc/postfix is only read (postfix-files,
# dynamicmaps.cf), never written.  Every service has chroot = n.
#
# Mail: DOMAIN (example.com) is a virtual mailbox domain (every local part
# but the refused one is delivered to WORK/mail/inbox/); other domains are relayed
# only for SASL-authenticated clients (mynetworks is empty: unauthenticated
# relaying gets 454 4.7.1) and then discarded: default_transport and
# relay_transport are `discard` and master.cf has no smtp client at all, so
# nothing ever leaves the machine.  smtpd_peername_lookup = no keeps smtpd
# from asking a resolver about 127.0.0.1.

PF_HOSTNAME=mx.ehlo.test

peer_start() {
  local auth_only=no discard=() refuse=nobody domain=example.com extra=() lmtp_to=
  while (($#)); do
    case $1 in
      --auth-require-tls) auth_only=yes ;;
      --no-pipelining) discard+=(pipelining) ;;
      --no-chunking) discard+=(chunking) ;;
      --refuse)
        (($# >= 2)) || fail "postfix: --refuse needs a local part"
        refuse=$2
        shift
        ;;
      --domain)
        (($# >= 2)) && [[ $2 =~ ^[A-Za-z0-9.-]+$ ]] || fail "postfix: --domain needs a domain name"
        domain=$2
        shift
        ;;
      --lmtp-to)
        (($# >= 2)) && [[ $2 == inet:127.0.0.1:* || $2 == unix:/* ]] ||
          fail "postfix: --lmtp-to needs inet:127.0.0.1:PORT or unix:PATH"
        lmtp_to=$2
        extra+=("virtual_transport=lmtp:$2")
        shift
        ;;
      --set)
        (($# >= 2)) && [[ $2 == *=* ]] || fail "postfix: --set needs NAME=VALUE"
        extra+=("$2")
        shift
        ;;
      *) fail "postfix: unknown option '$1' (see tests/peers/kinds/postfix.sh)" ;;
    esac
    shift
  done
  [[ $refuse =~ ^[A-Za-z0-9._+-]*$ ]] || fail "postfix: --refuse takes letters, digits and ._+- only"
  command -v postfix >/dev/null && [[ -x /usr/lib/postfix/sbin/master ]] || skip "postfix is not installed"
  command -v saslpasswd2 >/dev/null || skip "saslpasswd2 (sasl2-bin) is not installed"
  ((EUID == 0)) || skip "a private Postfix instance must be started as root"
  local uid gid
  uid=$(id -u postfix) && gid=$(id -g postfix) || skip "there is no postfix user"

  PF_CONF=$WORK/etc
  # The postfix user must reach its files: mktemp made WORK 0700.
  chmod 755 "$WORK"
  mkdir -p "$PF_CONF/sasl" "$WORK/spool" "$WORK/mail"
  chown "$uid:$gid" "$WORK/mail"
  make_cert server "$PF_HOSTNAME"

  # Cyrus SASL: a private sasldb and the smtpd.conf that points at it.  This
  # Debian build reads smtpd.conf from $config_directory/sasl whatever
  # cyrus_sasl_config_path says; both name the same folder here.
  printf '%s\n' "pwcheck_method: auxprop" "auxprop_plugin: sasldb" \
    "sasldb_path: $PF_CONF/sasl/sasldb2" "mech_list: PLAIN LOGIN CRAM-MD5" >"$PF_CONF/sasl/smtpd.conf"
  echo wonderland | saslpasswd2 -p -c -f "$PF_CONF/sasl/sasldb2" -u "$PF_HOSTNAME" alice ||
    fail "saslpasswd2 could not create the SASL database"
  chgrp "$gid" "$PF_CONF/sasl/sasldb2"
  chmod 640 "$PF_CONF/sasl/sasldb2"

  # Virtual mailboxes: every local part of the domain but the refused one.
  # (A regexp table may not substitute \$1 into a virtual mailbox path, so
  # all share one maildir.)
  if [[ -n $refuse ]]; then
    printf '!/^%s@/ inbox/\n' "${refuse//./\\.}" >"$PF_CONF/vmailbox"
  else
    printf '/@/ inbox/\n' >"$PF_CONF/vmailbox"
  fi

  local discard_line=
  ((${#discard[@]})) && discard_line="smtpd_discard_ehlo_keywords = $(
    IFS=,
    echo "${discard[*]}"
  )"
  cat >"$PF_CONF/main.cf" <<EOF
# Written by tests/peers/kinds/postfix.sh for one test run.
compatibility_level = 3.6
queue_directory = $WORK/spool
data_directory = $WORK/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $WORK/maillog
maillog_file_prefixes = $WORK
myhostname = $PF_HOSTNAME
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
default_transport = discard
relay_transport = discard
virtual_mailbox_domains = $domain
virtual_mailbox_base = $WORK/mail
virtual_mailbox_maps = regexp:$PF_CONF/vmailbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0
disable_vrfy_command = no
smtpd_tls_security_level = may
smtpd_tls_cert_file = $WORK/server.crt
smtpd_tls_key_file = $WORK/server.key
smtpd_tls_auth_only = $auth_only
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = \$myhostname
cyrus_sasl_config_path = $PF_CONF/sasl
$discard_line
EOF
  local kv
  for kv in ${extra[@]+"${extra[@]}"}; do
    printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$PF_CONF/main.cf"
  done

  # master.cf needs the port as a number: take a free one, and take another
  # if some other process binds it first (master then fails to start).
  local attempt
  for attempt in 1 2 3 4 5; do
    PEER_PORT=$(free_port)
    pf_master_cf "$PEER_PORT" "$lmtp_to"
    if postfix -c "$PF_CONF" start >"$WORK/start.log" 2>&1; then
      pf_master_pid || fail "postfix started but wrote no master.pid"
      wait_accepts "$PEER_PORT" "$PF_MASTER" || {
        tail_log "$WORK/maillog"
        fail "postfix did not accept connections on 127.0.0.1:$PEER_PORT within ${START_TIMEOUT} s"
      }
      export EHLO_PEER_CERT=$WORK/server.crt EHLO_PEER_USER=alice EHLO_PEER_PASSWORD=wonderland
      export EHLO_PEER_DOMAIN=$domain EHLO_PEER_MAIL=$WORK/mail/inbox EHLO_PEER_LOG=$WORK/maillog
      export EHLO_PEER_REFUSED=
      [[ -n $refuse ]] && EHLO_PEER_REFUSED=$refuse@$domain
      return 0
    fi
    pf_kill_instance
    grep -q "port $PEER_PORT: Address already in use" "$WORK/maillog" 2>/dev/null || break
    time_left || break
    say "postfix: port $PEER_PORT was taken meanwhile; another one (attempt $attempt)"
  done
  cat "$WORK/start.log" >&2
  tail_log "$WORK/maillog"
  fail "postfix did not start (main.cf and master.cf: $PF_CONF)"
}

# pf_master_cf PORT [LMTP-DEST]: the services this instance needs, all with
# chroot = n. No pickup (nothing is submitted locally), no smtp/local/pipe
# transports (nothing is sent anywhere); an lmtp client only with --lmtp-to,
# which sends to the test's own LMTP server on this machine.
pf_master_cf() {
  cat >"$PF_CONF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$1 inet n     -       n       -       -       smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  [[ -n ${2:-} ]] && echo "lmtp      unix  -       -       n       -       -       lmtp" >>"$PF_CONF/master.cf"
  return 0
}

# pf_master_pid: sets PF_MASTER from the instance's own pid file.
pf_master_pid() {
  PF_MASTER=$(tr -d ' ' <"$WORK/spool/pid/master.pid" 2>/dev/null || true)
  [[ $PF_MASTER =~ ^[0-9]+$ ]]
}

# pf_instance_pids: processes of this instance only: Postfix hands its
# configuration directory to every daemon as MAIL_CONFIG.
pf_instance_pids() {
  local f
  for f in $(grep -lsxzF "MAIL_CONFIG=$PF_CONF" /proc/[0-9]*/environ || true); do
    f=${f#/proc/}
    echo "${f%/environ}"
  done
}

pf_kill_instance() {
  local pids
  # The master's SIGTERM handler takes its process group (the daemons) down.
  postfix -c "$PF_CONF" abort >/dev/null 2>&1 || true
  mapfile -t pids < <(pf_instance_pids)
  ((${#pids[@]} == 0)) || stop_pid "${pids[@]}"
}

peer_stop() {
  [[ -n ${PF_CONF:-} && -f ${PF_CONF:-}/main.cf ]] || return 0
  pf_kill_instance
}
