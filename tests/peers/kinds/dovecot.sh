# shellcheck shell=bash disable=SC2034 # sets PEER_PORT etc. for with_peer.sh, which sources it
# The `dovecot` peer (sourced by with_peer.sh): a private Dovecot instance that
# serves LMTP (RFC 2033) only, on 127.0.0.1:PORT and on a Unix socket.
#
# Options:
#   --set NAME=VALUE     any other top-level dovecot.conf setting, last word
#                        wins; e.g. --set quota_full_tempfail=yes (bob's copy
#                        gets 452 4.2.2, a temporary failure, instead of 552
#                        5.2.2).  Not lmtp_rcpt_check_quota=yes to refuse bob
#                        at RCPT: that refuses only a mailbox already over its
#                        limit, and bob's is empty
#
# Needs root (Dovecot's master starts as root and drops to its users) and the
# package dovecot-lmtpd.  Everything the instance reads and writes is under
# WORK: the configuration (WORK/dovecot.conf, given with `dovecot -c`),
# base_dir (WORK/run: the sockets and master.pid), state_dir, the log
# (WORK/dovecot.log) and the mail (WORK/mail).  /etc/dovecot is not read and
# the system's instance (/run/dovecot, port 24), running or not, is not
# touched.  instance_name is WORK's name, so its processes are told apart by
# their titles (dovecot-ehlo-peer-dovecot.XXXXXX/lmtp, ...).
#
# Mail: the userdb is a passwd-file (WORK/users) with alice@example.com and
# bob@example.com; RCPT TO any other address gets Dovecot's `550 5.1.1 <...>
# User doesn't exist: ...`.  Each user's mail goes to the maildir
# WORK/mail/LOCALPART, owned by the system's `mail` user.  The quota plugin
# gives bob a limit of 10 bytes (userdb_quota_rule, quota_grace = 0), and
# lmtp_rcpt_check_quota = no: bob is accepted at RCPT, and after the end of
# data his copy is refused (552 5.2.2 ... Quota exceeded) while alice's is
# saved (250 2.0.0 ... Saved).  ssl = no; protocols = lmtp: no IMAP, POP3 or
# login listeners.

DC_HOSTNAME=lmtp.ehlo.test

peer_start() {
  local extra=()
  while (($#)); do
    case $1 in
      --set)
        (($# >= 2)) && [[ $2 =~ ^[a-z_]+=.*$ ]] || fail "dovecot: --set needs NAME=VALUE"
        extra+=("$2")
        shift
        ;;
      *) fail "dovecot: unknown option '$1' (see tests/peers/kinds/dovecot.sh)" ;;
    esac
    shift
  done
  command -v dovecot >/dev/null && [[ -x /usr/lib/dovecot/lmtp ]] || skip "dovecot-lmtpd is not installed"
  ((EUID == 0)) || skip "a private Dovecot instance must be started as root"
  id dovecot >/dev/null 2>&1 && id dovenull >/dev/null 2>&1 || skip "there are no dovecot and dovenull users"
  local uid
  uid=$(id -u mail) || skip "there is no mail user"

  DC_INSTANCE=$(basename "$WORK")
  # Dovecot's users (auth runs as dovecot) must reach base_dir: mktemp made WORK 0700.
  chmod 755 "$WORK"
  mkdir -p "$WORK/mail"
  chown mail:mail "$WORK/mail"
  # user:password:uid:gid:gecos:home:shell:extra fields.  uid and gid are
  # mail_uid and mail_gid; no passwords (nothing authenticates).
  cat >"$WORK/users" <<EOF
alice@example.com:::::$WORK/mail/alice::
bob@example.com:::::$WORK/mail/bob::userdb_quota_rule=*:bytes=10
EOF

  # The port goes into the configuration as a number: take a free one, and
  # another if some other process binds it first (the master then exits).
  local attempt
  for attempt in 1 2 3 4 5; do
    PEER_PORT=$(free_port)
    dc_conf "$PEER_PORT" ${extra[@]+"${extra[@]}"}
    dovecot -c "$WORK/dovecot.conf" -F >"$WORK/dovecot.out" 2>&1 &
    DC_MASTER=$!
    if dc_wait_greeting "$PEER_PORT" && dc_wait_socket; then
      export EHLO_PEER_SOCKET=$WORK/run/lmtp EHLO_PEER_DOMAIN=example.com EHLO_PEER_MAIL=$WORK/mail
      export EHLO_PEER_LOG=$WORK/dovecot.log EHLO_PEER_REFUSED=carol@example.com
      export EHLO_PEER_OVER_QUOTA=bob@example.com
      return 0
    fi
    dc_kill_instance
    grep -q "listen(127.0.0.1, $PEER_PORT) failed: Address already in use" "$WORK/dovecot.out" || break
    time_left || break
    say "dovecot: port $PEER_PORT was taken meanwhile; another one (attempt $attempt)"
  done
  tail_log "$WORK/dovecot.out"
  tail_log "$WORK/dovecot.log"
  grep -qs 'Fatal' "$WORK/dovecot.out" "$WORK/dovecot.log" && fail "dovecot did not start (see its error above)"
  fail "dovecot did not listen on 127.0.0.1:$PEER_PORT and $WORK/run/lmtp within ${START_TIMEOUT} s"
}

# dc_conf PORT [NAME=VALUE...]: WORK/dovecot.conf.
dc_conf() {
  local port=$1 kv
  shift
  cat >"$WORK/dovecot.conf" <<EOF
# Written by tests/peers/kinds/dovecot.sh for one test run.
base_dir = $WORK/run
state_dir = $WORK/state
log_path = $WORK/dovecot.log
instance_name = $DC_INSTANCE
hostname = $DC_HOSTNAME
protocols = lmtp
listen = 127.0.0.1
ssl = no
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = $uid
mail_uid = mail
mail_gid = mail
mail_location = maildir:$WORK/mail/%n
mail_plugins = quota
lmtp_rcpt_check_quota = no
passdb {
  driver = passwd-file
  args = $WORK/users
}
userdb {
  driver = passwd-file
  args = $WORK/users
}
plugin {
  quota = maildir:User quota
  quota_grace = 0
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $port
  }
  unix_listener lmtp {
    mode = 0666
  }
}
EOF
  for kv in "$@"; do
    printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$WORK/dovecot.conf"
  done
}

# dc_greets PORT: a connection to 127.0.0.1:PORT gets this instance's
# greeting (220 HOSTNAME ...) within 2 s (else the caller asks again).  More than wait_accepts: another
# program that holds the port would accept the connection too.
dc_greets() {
  local line
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  IFS= read -r -t 2 line <&3 || line=
  exec 3<&-
  [[ $line == "220 $DC_HOSTNAME "* ]]
}

# dc_wait_greeting PORT: waits until dc_greets PORT; fails when the master
# dies first (a port taken meanwhile: it exits) or the start timeout passes.
dc_wait_greeting() {
  while alive "$DC_MASTER"; do
    dc_greets "$1" && return 0
    time_left || return 1
    sleep 0.05
  done
  return 1
}

# dc_wait_socket: waits for the LMTP socket as dc_wait_greeting does for the port.
dc_wait_socket() {
  until [[ -S $WORK/run/lmtp ]]; do
    alive "$DC_MASTER" || return 1
    time_left || return 1
    sleep 0.05
  done
}

# dc_instance_pids: this instance's processes but the master: their titles
# start with dovecot-INSTANCE/ (Dovecot overwrites their environment, so
# nothing else names the instance).  The pattern comes on grep's stdin so
# that grep's own command line does not hold it.
dc_instance_pids() {
  local f
  for f in $(grep -lsF -f - /proc/[0-9]*/cmdline <<<"dovecot-$DC_INSTANCE/" || true); do
    f=${f#/proc/}
    echo "${f%/cmdline}"
  done
}

# The master first: its SIGTERM ends its children (a child killed first could
# be started again).  Then whatever of the instance is left, by process id.
dc_kill_instance() {
  local pids
  [[ -n ${DC_MASTER:-} ]] && stop_pid "$DC_MASTER"
  DC_MASTER=
  mapfile -t pids < <(dc_instance_pids)
  ((${#pids[@]} == 0)) || stop_pid "${pids[@]}"
}

peer_stop() {
  [[ -n ${DC_INSTANCE:-} ]] || return 0
  dc_kill_instance
}
