# shellcheck shell=bash
# pf.sh — bash library (source it, do not run it) that manages a private,
# throw-away Postfix instance on 127.0.0.1 plus an smtp-sink that stores every
# delivered message as a file, for integration tests of the Vigie milter.
#
# Sourcing it only defines functions and a few PF_* variables; it changes no
# shell option and starts nothing. Needs root (Postfix's master is started as
# root and drops to the `postfix` user) and the packages from install-deps.sh.
# The system's own Postfix (/etc/postfix, /var/spool/postfix) is never used:
# every command gets `-c WORKDIR/etc`.
#
# Contracts (see README.md for details):
#   pf_start WORKDIR SMTPD_PORT SINK_PORT MILTER   start instance + sink
#   pf_stop WORKDIR                                stop both; idempotent, trap-safe
#   pf_set_milter WORKDIR MILTER                   change smtpd/non_smtpd_milters + reload
#   pf_postconf WORKDIR 'name = value'...          change main.cf + reload
#   pf_queue_count WORKDIR                         messages in the queue
#   pf_wait_idle WORKDIR TIMEOUT                   wait for an empty queue
#   pf_wait_deferred WORKDIR N TIMEOUT             wait for >= N deferred messages
#   pf_flush WORKDIR                               postqueue -f
#   pf_sink_count / pf_sink_files / pf_sink_clear WORKDIR
#   pf_wait_sink WORKDIR N TIMEOUT                 wait for >= N delivered files
#   pf_send PORT FROM TO FILE [SWAKS_ARGS...]      SMTP submission with swaks
#   pf_sendmail WORKDIR FROM TO FILE               local submission (pickup path)
#   pf_free_port [EXCLUDED_PORT...]                print a free port on 127.0.0.1
#   pf_maillog WORKDIR                             print the log file's path

# Transcript and exit code of the last pf_send (globals, read by tests).
PF_SEND_OUT=""
PF_SEND_RC=0
# Seconds swaks waits for any one server reply; must exceed
# milter_content_timeout (60s) so a slow milter shows up as Postfix's answer.
: "${PF_SWAKS_TIMEOUT:=90}"

_pf_err() { echo "pf.sh: $*" >&2; }

# Absolute path of WORKDIR without requiring it to exist.
_pf_abs() { realpath -m -- "$1"; }

# True if something accepts TCP connections on 127.0.0.1:PORT.
_pf_port_open() {
    # shellcheck disable=SC2016  # $1 expands in the child bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Print the first line the server on 127.0.0.1:PORT says (its banner), then QUIT.
_pf_banner() {
    # shellcheck disable=SC2016  # $1 expands in the child bash
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        IFS= read -r -t 2 line <&3 || exit 1
        printf "QUIT\r\n" >&3
        printf "%s\n" "${line%$'"'"'\r'"'"'}"
    ' _ "$1" 2>/dev/null
}

_pf_is_port() {
    [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# Print a TCP port on 127.0.0.1 that nothing listens on. Ports are drawn from
# below the kernel's ephemeral range (so no outgoing connection holds them),
# skipping the ports given as arguments and any port this function handed out
# in the last 120 s (registry under $TMPDIR, flock'ed), so two calls in a row —
# or two test scripts running at once — do not get the same port.
pf_free_port() {
    local lo=20000 hi=32767 eph_lo reg now port tries=0 ex taken
    if read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null; then
        if [ "$eph_lo" -gt $((lo + 1000)) ]; then hi=$((eph_lo - 1)); fi
    fi
    reg="${TMPDIR:-/tmp}/vigie-pf-ports.$(id -u)"
    now=$(date +%s)
    (
        flock -w 5 9 || true
        # drop entries older than 120 s
        if [ -f "$reg" ]; then
            awk -v now="$now" '$2 > now - 120' "$reg" >"$reg.tmp" 2>/dev/null || true
            mv -f "$reg.tmp" "$reg" 2>/dev/null || true
        fi
        while [ "$tries" -lt 500 ]; do
            tries=$((tries + 1))
            port=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
            taken=0
            for ex in "$@"; do [ "$ex" = "$port" ] && taken=1; done
            [ "$taken" -eq 0 ] || continue
            if [ -f "$reg" ] && awk -v p="$port" '$1 == p {f=1} END {exit !f}' "$reg"; then
                continue
            fi
            _pf_port_open "$port" && continue
            echo "$port $now" >>"$reg"
            echo "$port"
            exit 0
        done
        exit 1
    ) 9>>"$reg.lock" || { _pf_err "pf_free_port: no free port found"; return 1; }
}

pf_maillog() { echo "$(_pf_abs "$1")/log/maillog"; }

# pids of processes that belong to the Postfix instance of WORKDIR: a Postfix
# binary whose MAIL_CONFIG is WORKDIR/etc or whose cwd is WORKDIR/queue.
# The system's Postfix (MAIL_CONFIG unset or /etc/postfix, cwd
# /var/spool/postfix) never matches.
_pf_instance_pids() {
    local w conf queue d pid comm
    w=$(_pf_abs "$1")
    conf="$w/etc"
    queue="$w/queue"
    for d in /proc/[0-9]*; do
        pid=${d#/proc/}
        if [ "$pid" = "$$" ] || [ "$pid" = "${BASHPID:-$$}" ]; then continue; fi
        # Cheap filter first (no fork): the process name must be a Postfix
        # daemon (/usr/lib/postfix/sbin/NAME) or a Postfix command.
        comm=""
        { IFS= read -r comm <"$d/comm"; } 2>/dev/null || continue
        case "$comm" in
            postfix | postfix-script | postdrop | postqueue | postsuper | postlog | sendmail) ;;
            *) if [ -z "$comm" ] || [ ! -x "/usr/lib/postfix/sbin/$comm" ]; then continue; fi ;;
        esac
        if [[ "$d/cwd" -ef "$queue" ]] ||
            grep -qzxF "MAIL_CONFIG=$conf" "$d/environ" 2>/dev/null; then
            echo "$pid"
        fi
    done
    return 0
}

# True if PID exists and is not a zombie.
_pf_alive() {
    local stat
    { IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# pid of this WORKDIR's smtp-sink, if it is still that process.
_pf_sink_pid() {
    local w pid
    w=$(_pf_abs "$1")
    [ -f "$w/sink.pid" ] || return 1
    pid=$(cat "$w/sink.pid" 2>/dev/null) || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    grep -qaF -- "smtp-sink" "/proc/$pid/cmdline" 2>/dev/null || return 1
    grep -qaF -- "$w/sink/" "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

_pf_write_main_cf() {
    local w=$1 smtpd_port=$2 sink_port=$3 milter=$4
    cat >"$w/etc/main.cf" <<EOF
# Private Postfix instance for Vigie integration tests (written by pf.sh).
# Loopback only, no DNS, no chroot, no local delivery: everything is relayed
# to smtp-sink on 127.0.0.1:$sink_port.
compatibility_level = 3.6
queue_directory = $w/queue
data_directory = $w/data
myhostname = pf-test.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
local_transport = error:local delivery is disabled in this test instance
relayhost = [127.0.0.1]:$sink_port
mynetworks = 127.0.0.0/8
inet_interfaces = loopback-only
inet_protocols = ipv4
smtp_bind_address = 127.0.0.1
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_banner = \$myhostname ESMTP vigie-pf-test
smtpd_error_sleep_time = 0
smtp_connect_timeout = 5s
biff = no
append_dot_mydomain = no
notify_classes =
delay_warning_time = 0h
in_flow_delay = 0
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
message_size_limit = 52428800
mailbox_size_limit = 0
virtual_mailbox_limit = 0
maillog_file = $w/log/maillog
maillog_file_prefixes = $w/log
smtpd_milters = $milter
non_smtpd_milters = $milter
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 10s
milter_command_timeout = 30s
milter_content_timeout = 60s
milter_mail_macros = i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}
EOF
}

_pf_write_master_cf() {
    local w=$1 smtpd_port=$2
    # Column 5 (chroot) is "n" everywhere: smtpd must reach milter sockets
    # and the queue outside a chroot jail.
    cat >"$w/etc/master.cf" <<EOF
# Private Postfix instance for Vigie integration tests (written by pf.sh).
# service            type  private unpriv chroot wakeup maxproc command
127.0.0.1:$smtpd_port inet n       -      n      -      -       smtpd
pickup               unix  n       -      n      60     1       pickup
cleanup              unix  n       -      n      -      0       cleanup
qmgr                 unix  n       -      n      300    1       qmgr
rewrite              unix  -       -      n      -      -       trivial-rewrite
bounce               unix  -       -      n      -      0       bounce
defer                unix  -       -      n      -      0       bounce
trace                unix  -       -      n      -      0       bounce
verify               unix  -       -      n      -      1       verify
flush                unix  n       -      n      1000?  0       flush
proxymap             unix  -       -      n      -      -       proxymap
proxywrite           unix  -       -      n      -      1       proxymap
smtp                 unix  -       -      n      -      -       smtp
relay                unix  -       -      n      -      -       smtp
showq                unix  n       -      n      -      -       showq
error                unix  -       -      n      -      -       error
retry                unix  -       -      n      -      -       error
discard              unix  -       -      n      -      -       discard
local                unix  -       n      n      -      -       local
virtual              unix  -       n      n      -      -       virtual
lmtp                 unix  -       -      n      -      -       lmtp
anvil                unix  -       -      n      -      1       anvil
scache               unix  -       -      n      -      1       scache
postlog              unix-dgram n  -      n      -      1       postlogd
EOF
}

# Postfix refuses to read a main.cf/master.cf modified in the last ~2 s: it
# re-reads it every 300 ms until it has "cooled down" (dict_load_file), which
# makes every postfix/postconf command and every daemon start ~2 s slower.
# Our files are complete when written, so date them 10 s back.
_pf_cool_config() {
    touch -d '10 seconds ago' "$1/etc/main.cf" "$1/etc/master.cf"
}

# Create queue_directory and data_directory with the owners and modes that
# Postfix's own postfix-files table prescribes (what set-permissions would do
# for them), so `postfix check` finds nothing to fix.
_pf_make_queue() {
    local w=$1 q="$1/queue" d
    mkdir -p -- "$q" "$w/data" || return 1
    chown root:root "$q" && chmod 0755 "$q" || return 1
    chown postfix "$w/data" && chmod 0700 "$w/data" || return 1
    for d in active bounce corrupt defer deferred flush hold incoming private saved trace; do
        mkdir -p -- "$q/$d" && chown postfix:root "$q/$d" && chmod 0700 "$q/$d" || return 1
    done
    mkdir -p -- "$q/maildrop" "$q/public" "$q/pid" || return 1
    chown postfix:postdrop "$q/maildrop" "$q/public" || return 1
    chmod 0730 "$q/maildrop" && chmod 0710 "$q/public" || return 1
    chown root:root "$q/pid" && chmod 0755 "$q/pid"
}

# Warn if the `postfix` user could not reach a unix: milter socket's folder.
_pf_check_milter_socket() {
    local milter=$1 path dir
    case "$milter" in
        unix:*) path=${milter#unix:} ;;
        local:*) path=${milter#local:} ;;
        *) return 0 ;;
    esac
    dir=$(dirname -- "$path")
    if [ -d "$dir" ] && ! runuser -u postfix -- test -x "$dir" 2>/dev/null; then
        _pf_err "warning: user postfix cannot traverse $dir (milter socket $path): smtpd will not connect"
    fi
    if [ -S "$path" ] && ! runuser -u postfix -- test -w "$path" 2>/dev/null; then
        _pf_err "warning: user postfix cannot write to socket $path: smtpd will not connect"
    fi
    return 0
}

# pf_start WORKDIR SMTPD_PORT SINK_PORT MILTER
# Creates WORKDIR/{etc,queue,data,sink,log}, writes main.cf/master.cf, starts
# smtp-sink on 127.0.0.1:SINK_PORT and Postfix with smtpd on
# 127.0.0.1:SMTPD_PORT, and waits (<= 20 s) until smtpd answers.
# MILTER is a Postfix milter spec (inet:127.0.0.1:PORT, unix:/path) or "".
# Returns non-zero (after cleaning up what it started) on any failure.
pf_start() {
    if [ $# -ne 4 ]; then
        _pf_err "usage: pf_start WORKDIR SMTPD_PORT SINK_PORT MILTER"
        return 2
    fi
    local w smtpd_port=$2 sink_port=$3 milter=$4 d i banner sink
    w=$(_pf_abs "$1")
    if [[ "$w" =~ [[:space:],] ]]; then
        _pf_err "pf_start: WORKDIR must not contain blanks or commas: $w"
        return 2
    fi
    if [ "$(id -u)" -ne 0 ]; then _pf_err "pf_start: must run as root"; return 1; fi
    if ! _pf_is_port "$smtpd_port" || ! _pf_is_port "$sink_port" || [ "$smtpd_port" = "$sink_port" ]; then
        _pf_err "pf_start: bad ports: smtpd=$smtpd_port sink=$sink_port"
        return 2
    fi
    for d in /usr/sbin/postfix /usr/sbin/smtp-sink /usr/sbin/postqueue; do
        [ -x "$d" ] || { _pf_err "pf_start: $d missing (run tests/postfix/install-deps.sh)"; return 1; }
    done
    if [ -n "$(_pf_instance_pids "$w")" ] || _pf_sink_pid "$w" >/dev/null; then
        _pf_err "pf_start: an instance is already running in $w (pf_stop it first)"
        return 1
    fi
    for d in "$smtpd_port" "$sink_port"; do
        if _pf_port_open "$d"; then
            _pf_err "pf_start: port 127.0.0.1:$d is already in use"
            return 1
        fi
    done

    # Folders: parents we create get 0755; WORKDIR itself (often a 0700
    # mktemp -d) is opened to 0755 so the postfix user can traverse it.
    (umask 022 && mkdir -p -- "$w") || return 1
    chmod 0755 "$w" || return 1
    (umask 022 && mkdir -p -- "$w/etc" "$w/sink" "$w/log") || return 1
    chown postfix "$w/sink" && chmod 0755 "$w/sink" || return 1
    _pf_make_queue "$w" || return 1
    if ! runuser -u postfix -- test -x "$w/queue"; then
        _pf_err "pf_start: user postfix cannot reach $w/queue; a parent folder of $w is not traversable (e.g. 0700): use a WORKDIR under /tmp"
        return 1
    fi
    _pf_check_milter_socket "$milter"

    _pf_write_main_cf "$w" "$smtpd_port" "$sink_port" "$milter"
    _pf_write_master_cf "$w" "$smtpd_port"
    _pf_cool_config "$w"
    : >"$w/log/maillog"
    : >"$w/log/pf.log"

    # `postfix set-permissions` is not run by default: besides this
    # instance's folders it re-chowns/chmods the system's files listed in
    # /etc/postfix/postfix-files (/etc/postfix/*, /usr/sbin/postdrop, ...)
    # and takes ~3.5 s. _pf_make_queue already applied the same owners and
    # modes, and `postfix check` verifies them (and creates anything missing).
    if [ "${PF_SET_PERMISSIONS:-0}" = 1 ] &&
        ! postfix -c "$w/etc" set-permissions >>"$w/log/pf.log" 2>&1; then
        _pf_err "pf_start: postfix set-permissions failed:"; cat "$w/log/pf.log" >&2
        return 1
    fi
    if ! postfix -c "$w/etc" check >>"$w/log/pf.log" 2>&1; then
        _pf_err "pf_start: postfix check failed:"; cat "$w/log/pf.log" >&2
        return 1
    fi
    # We just checked: let `postfix start` skip its own (identical) check.
    touch "$w/queue/quick-start"

    # smtp-sink: -d writes one file per mail transaction, named by expanding
    # the template with strftime(3) and appending a random hex number.
    # Output goes to a log file, never to our stdout: a background process
    # holding the caller's stdout would hang a $(...) around pf_start.
    smtp-sink -u postfix -d "$w/sink/%Y%m%d%H%M%S." "127.0.0.1:$sink_port" 1024 \
        </dev/null >>"$w/log/sink.log" 2>&1 &
    sink=$!
    echo "$sink" >"$w/sink.pid"

    if ! postfix -c "$w/etc" start </dev/null >>"$w/log/pf.log" 2>&1; then
        _pf_err "pf_start: postfix start failed:"; cat "$w/log/pf.log" >&2
        tail -n 20 "$w/log/maillog" >&2 2>/dev/null || true
        pf_stop "$w"
        return 1
    fi

    # Wait (<= 20 s) until both the sink and smtpd answer.
    for ((i = 0; i < 200; i++)); do
        if ! _pf_alive "$sink"; then
            _pf_err "pf_start: smtp-sink died:"; cat "$w/log/sink.log" >&2
            pf_stop "$w"
            return 1
        fi
        if _pf_port_open "$sink_port"; then
            banner=$(_pf_banner "$smtpd_port") || banner=""
            if [[ "$banner" =~ ^[0-9]{3} ]]; then
                echo "$banner" >>"$w/log/pf.log"
                return 0
            fi
        fi
        sleep 0.1
    done
    _pf_err "pf_start: smtpd on 127.0.0.1:$smtpd_port or smtp-sink on 127.0.0.1:$sink_port did not answer within 20 s; last log lines:"
    tail -n 20 "$w/log/maillog" >&2 2>/dev/null || true
    pf_stop "$w"
    return 1
}

# pf_stop WORKDIR — stop this WORKDIR's Postfix and smtp-sink. Kills only
# processes of this instance (see _pf_instance_pids). Idempotent; returns 0
# unless a process survived SIGKILL, so it is safe in an EXIT trap. When it
# returns, the instance's processes are gone from /proc (it waits up to 3 s
# for the zombies left to PID 1 to be reaped).
pf_stop() {
    [ -n "${1:-}" ] || return 0
    local w pids seen sink i p alive
    w=$(_pf_abs "$1")
    seen=$(_pf_instance_pids "$w")
    sink=$(_pf_sink_pid "$w") || sink=""
    if [ -n "$seen" ] && [ -f "$w/etc/main.cf" ]; then
        timeout 15 postfix -c "$w/etc" stop </dev/null >>"$w/log/pf.log" 2>&1 || true
    fi
    if [ -n "$sink" ]; then kill -TERM "$sink" 2>/dev/null || true; fi
    # Postfix's master SIGTERMs its children and exits; wait (<= 5 s) for
    # all of them, then SIGKILL what is left.
    for ((i = 0; i < 50; i++)); do
        pids=$(_pf_instance_pids "$w")
        seen="$seen $pids"
        if [ -z "$pids" ] && ! _pf_sink_pid "$w" >/dev/null; then break; fi
        sleep 0.1
    done
    pids="$(_pf_instance_pids "$w") $(_pf_sink_pid "$w" || true)"
    if [ -n "${pids// /}" ]; then
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
        sleep 0.2
    fi
    # Reap the sink if it is a child of this shell (else this is a no-op).
    if [ -n "$sink" ]; then wait "$sink" 2>/dev/null || true; fi
    # Processes orphaned by the master are reaped by PID 1; some init
    # programs do that late, so wait (<= 3 s) until they vanish from /proc.
    for ((i = 0; i < 30; i++)); do
        alive=0
        for p in $seen $sink; do
            if [ -e "/proc/$p" ]; then alive=1; break; fi
        done
        [ "$alive" -eq 0 ] && break
        sleep 0.1
    done
    rm -f "$w/sink.pid"
    pids="$(_pf_instance_pids "$w") $(_pf_sink_pid "$w" || true)"
    if [ -n "${pids// /}" ]; then
        _pf_err "pf_stop: processes survived: $pids"
        return 1
    fi
    return 0
}

# pf_postconf WORKDIR 'name = value'... — change main.cf settings of a running
# instance and reload it. New SMTP sessions and newly started daemons use
# them; a session already open keeps the old ones.
pf_postconf() {
    local w
    w=$(_pf_abs "$1")
    shift
    local n0 i
    postconf -c "$w/etc" -e "$@" || return 1
    _pf_cool_config "$w"
    n0=$(grep -c 'postfix/master.*: reload -- ' "$w/log/maillog" 2>/dev/null) || n0=0
    postfix -c "$w/etc" reload </dev/null >>"$w/log/pf.log" 2>&1 || return 1
    # `postfix reload` only signals the master; wait (<= 5 s) until it logs
    # that it re-read the configuration, then give the old daemons (which
    # exit once idle) a moment, so the next session sees the new settings.
    for ((i = 0; i < 50; i++)); do
        [ "$(grep -c 'postfix/master.*: reload -- ' "$w/log/maillog" 2>/dev/null)" -gt "$n0" ] && break
        sleep 0.1
    done
    sleep 0.3
}

# pf_set_milter WORKDIR MILTER — point smtpd_milters and non_smtpd_milters at
# MILTER ("" = none) and reload.
pf_set_milter() {
    _pf_check_milter_socket "$2"
    pf_postconf "$1" "smtpd_milters = $2" "non_smtpd_milters = $2"
}

_pf_count_files() {
    local n=0 d
    for d in "$@"; do
        [ -d "$d" ] || continue
        n=$((n + $(find "$d" -type f 2>/dev/null | wc -l)))
    done
    echo "$n"
}

# pf_queue_count WORKDIR — messages in maildrop+incoming+active+deferred+hold.
pf_queue_count() {
    local q
    q="$(_pf_abs "$1")/queue"
    _pf_count_files "$q/maildrop" "$q/incoming" "$q/active" "$q/deferred" "$q/hold"
}

# Poll every 0.1 s until "$@" succeeds or TIMEOUT seconds have passed.
_pf_wait() {
    local timeout=$1 i
    shift
    for ((i = 0; i <= timeout * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

_pf_is_idle() { [ "$(pf_queue_count "$1")" -eq 0 ]; }
_pf_has_deferred() { [ "$(_pf_count_files "$(_pf_abs "$1")/queue/deferred")" -ge "$2" ]; }
_pf_has_sink() {
    [ "$(pf_sink_count "$1")" -ge "$2" ] &&
        [ "$(_pf_count_files "$(_pf_abs "$1")/queue/active")" -eq 0 ]
}

# pf_wait_idle WORKDIR TIMEOUT — 0 once the queue is empty, 1 on timeout.
pf_wait_idle() { _pf_wait "$2" _pf_is_idle "$1"; }

# pf_wait_deferred WORKDIR N TIMEOUT — 0 once >= N messages are deferred.
pf_wait_deferred() { _pf_wait "$3" _pf_has_deferred "$1" "$2"; }

# pf_wait_sink WORKDIR N TIMEOUT — 0 once >= N files are in the sink and no
# delivery is in progress (the active queue is empty), so every file is
# complete: smtp-sink creates a message's file at MAIL FROM and closes it
# before it answers the final "." — Postfix removes a message from its queue
# only after that answer.
pf_wait_sink() { _pf_wait "$3" _pf_has_sink "$1" "$2"; }

# pf_flush WORKDIR — ask the queue manager to retry deferred mail now.
pf_flush() { postqueue -c "$(_pf_abs "$1")/etc" -f; }

# pf_sink_count WORKDIR — number of files in the sink. A transaction in
# progress already has its (partial) file; an aborted one's file is removed.
# After pf_wait_idle or pf_wait_sink all files are complete.
pf_sink_count() { _pf_count_files "$(_pf_abs "$1")/sink"; }

# pf_sink_files WORKDIR — paths of stored messages, oldest first, one a line.
pf_sink_files() {
    find "$(_pf_abs "$1")/sink" -type f -printf '%T@ %p\n' 2>/dev/null | sort -n | cut -d' ' -f2-
}

# pf_sink_clear WORKDIR — remove all stored messages.
pf_sink_clear() {
    find "$(_pf_abs "$1")/sink" -mindepth 1 -delete 2>/dev/null || true
}

# pf_send PORT FROM TO FILE [EXTRA_SWAKS_ARGS...]
# Send the message in FILE (headers + body) over SMTP to 127.0.0.1:PORT.
# TO may list several recipients separated by commas. Prints nothing;
# returns swaks' exit code (0 = accepted; 23 MAIL, 24 RCPT, 25 DATA,
# 26 end-of-data refused, 2 connect failed, 6 connection closed). The full
# transcript is in $PF_SEND_OUT (and appended to $PF_SEND_LOG if set), the
# exit code in $PF_SEND_RC.
pf_send() {
    if [ $# -lt 4 ]; then
        _pf_err "usage: pf_send PORT FROM TO FILE [SWAKS_ARGS...]"
        return 2
    fi
    local port=$1 from=$2 to=$3 file=$4
    shift 4
    if [ ! -r "$file" ]; then _pf_err "pf_send: cannot read $file"; return 2; fi
    PF_SEND_RC=0
    PF_SEND_OUT=$(swaks --server 127.0.0.1 --port "$port" --helo localhost \
        --from "$from" --to "$to" --data "@$file" \
        --timeout "$PF_SWAKS_TIMEOUT" "$@" </dev/null 2>&1) || PF_SEND_RC=$?
    if [ -n "${PF_SEND_LOG:-}" ]; then
        printf '%s\n=== swaks exit %s\n' "$PF_SEND_OUT" "$PF_SEND_RC" >>"$PF_SEND_LOG"
    fi
    return "$PF_SEND_RC"
}

# pf_sendmail WORKDIR FROM TO FILE — inject FILE with this instance's
# sendmail (maildrop -> pickup -> cleanup, so non_smtpd_milters apply).
pf_sendmail() {
    local w
    w=$(_pf_abs "$1")
    sendmail -C "$w/etc" -i -f "$2" -- "$3" <"$4"
}
