#!/usr/bin/env bash
# selftest.sh — proves the Postfix test harness (pf.sh) works, with NO milter:
# a private instance on free loopback ports relays mail to smtp-sink intact;
# a dead milter makes Postfix tempfail at SMTP time; mail injected with the
# instance's sendmail goes through non_smtpd_milters; deferred mail is
# retried on pf_flush; stop/restart on the same ports leaves nothing behind.
# Output is TAP; exit status is non-zero if any check failed. Needs root and
# the packages from install-deps.sh. Takes ~15 s.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=pf.sh
source "$HERE/pf.sh"

T0=$SECONDS
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
    N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N - $1"
    shift
    local line
    for line in "$@"; do printf '#   %s\n' "$line"; done
}
# check DESCRIPTION COMMAND... — one TAP line from a command's status.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}
bail() { echo "Bail out! $*"; exit 1; }

if [ "$(id -u)" -ne 0 ]; then bail "must run as root"; fi
for cmd in postfix smtp-sink swaks; do
    command -v "$cmd" >/dev/null || bail "$cmd missing: run tests/postfix/install-deps.sh"
done

W=$(mktemp -d /tmp/vigie-pf-selftest.XXXXXX)
DONE=0
cleanup() {
    local rc=0
    pf_stop "$W" || rc=1
    if [ "$DONE" -ne 1 ] || [ "$FAILED" -ne 0 ] || [ "$rc" -ne 0 ]; then
        echo "# keeping $W for inspection (log: $W/log/maillog)"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT   # bash runs it on SIGINT/SIGTERM too

SMTPD_PORT=$(pf_free_port)
SINK_PORT=$(pf_free_port "$SMTPD_PORT")
DEAD_PORT=$(pf_free_port "$SMTPD_PORT" "$SINK_PORT")
PF_SEND_LOG="$W/log/swaks.log"
echo "# workdir $W, smtpd 127.0.0.1:$SMTPD_PORT, sink 127.0.0.1:$SINK_PORT, dead port $DEAD_PORT"

# A message file with the given Subject and a unique body token.
mkmsg() { # FILE SUBJECT TOKEN
    printf '%s\n' \
        "From: Sender <sender@example.com>" \
        "To: Rcpt <rcpt@example.org>" \
        "Subject: $2" \
        "Message-ID: <$3@selftest.example.com>" \
        "Date: Thu, 01 Jan 2026 00:00:00 +0000" \
        "MIME-Version: 1.0" \
        "Content-Type: text/plain; charset=us-ascii" \
        "" \
        "Body of $3." \
        ".a line starting with a dot" \
        "last line" >"$1"
}

# Is there a sink file holding this exact Subject line and body token?
sink_has() { # SUBJECT TOKEN
    local f
    while IFS= read -r f; do
        if grep -qxF "Subject: $1" "$f" && grep -qxF "Body of $2." "$f" &&
            grep -qxF ".a line starting with a dot" "$f"; then
            return 0
        fi
    done < <(pf_sink_files "$W")
    return 1
}

# Nothing of this instance runs and both ports are closed.
all_gone() {
    [ -z "$(_pf_instance_pids "$W")" ] && ! _pf_sink_pid "$W" >/dev/null &&
        ! _pf_port_open "$SMTPD_PORT" && ! _pf_port_open "$SINK_PORT"
}

# --- start without milter -------------------------------------------------
if pf_start "$W" "$SMTPD_PORT" "$SINK_PORT" ""; then
    ok "pf_start brings up postfix + smtp-sink without milter"
else
    not_ok "pf_start brings up postfix + smtp-sink without milter"
    bail "cannot start the instance"
fi
second_start_refused() {
    local p1 p2
    p1=$(pf_free_port "$SMTPD_PORT" "$SINK_PORT" "$DEAD_PORT")
    p2=$(pf_free_port "$SMTPD_PORT" "$SINK_PORT" "$DEAD_PORT" "$p1")
    ! pf_start "$W" "$p1" "$p2" "" 2>/dev/null
}
check "pf_start refuses a second start in the same workdir" second_start_refused

# --- three messages relayed intact ----------------------------------------
for i in 1 2 3; do
    mkmsg "$W/msg$i.eml" "harness selftest message $i" "token-$i-$RANDOM"
    if pf_send "$SMTPD_PORT" sender@example.com rcpt@example.org "$W/msg$i.eml"; then
        ok "swaks sends message $i (exit 0)"
    else
        not_ok "swaks sends message $i (exit 0)" "swaks exit $PF_SEND_RC" "$(tail -n 5 <<<"$PF_SEND_OUT")"
    fi
done
check "queue drains (pf_wait_idle)" pf_wait_idle "$W" 15
n=$(pf_sink_count "$W")
check "3 files arrived in the sink (got $n)" test "$n" -eq 3
for i in 1 2 3; do
    token=$(sed -n 's/^Message-ID: <\(.*\)@selftest.example.com>$/\1/p' "$W/msg$i.eml")
    check "message $i arrived with Subject, body and dot line intact" \
        sink_has "harness selftest message $i" "$token"
done
first=$(pf_sink_files "$W" | head -n 1)
check "sink file carries smtp-sink's envelope headers" \
    grep -qxF "X-Rcpt-Args: <rcpt@example.org> ORCPT=rfc822;rcpt@example.org" "$first"

# --- dead milter: tempfail at SMTP time -----------------------------------
# Observed with Postfix 3.7.11, milter_default_action = tempfail and nothing
# listening on the milter port: smtpd still answers the banner (220) and EHLO
# (250) — it logs "milter-reject: CONNECT ... 451 4.7.1" and "EHLO ... 451"
# but applies the verdict only at MAIL FROM, which gets
# "451 4.7.1 Service unavailable - try again later"; swaks exits 23 (error
# in MAIL transaction). Nothing is queued.
check "pf_set_milter points smtpd at a dead milter and reloads" \
    pf_set_milter "$W" "inet:127.0.0.1:$DEAD_PORT"
mkmsg "$W/dead.eml" "harness selftest dead milter" "token-dead-$RANDOM"
rc=0
pf_send "$SMTPD_PORT" sender@example.com rcpt@example.org "$W/dead.eml" || rc=$?
check "swaks is refused while the milter is dead (exit $rc, want 23)" test "$rc" -eq 23
if grep -qE '^ *-> MAIL FROM:' <<<"$PF_SEND_OUT" &&
    grep -A1 -E '^ *-> MAIL FROM:' <<<"$PF_SEND_OUT" | grep -qF '451 4.7.1 Service unavailable - try again later'; then
    ok "MAIL FROM is answered 451 4.7.1 (tempfail at SMTP time)"
else
    not_ok "MAIL FROM is answered 451 4.7.1 (tempfail at SMTP time)" "$(grep -E '^(<|\*\*|<\*\*)' <<<"$PF_SEND_OUT" | tail -n 4)"
fi
check "maillog records milter-reject with the dead milter" \
    grep -qE 'milter-reject: MAIL from .*451 4\.7\.1' "$(pf_maillog "$W")"
check "refused message was not queued" test "$(pf_queue_count "$W")" -eq 0

# Local submission goes through non_smtpd_milters: with the milter dead the
# message is tempfailed by cleanup and stays in maildrop (pickup retries).
mkmsg "$W/local.eml" "harness selftest local submission" "token-local-$RANDOM"
check "pf_sendmail accepts a local submission" \
    pf_sendmail "$W" sender@example.com rcpt@example.org "$W/local.eml"
check "cleanup logs the dead non_smtpd milter" \
    _pf_wait 10 grep -qE 'cleanup.*milter-reject: CONNECT .*4\.7\.1' "$(pf_maillog "$W")"
n=$(pf_queue_count "$W"); s=$(pf_sink_count "$W")
check "local submission held back (queue $n, want 1; sink $s, want 3)" \
    test "$n" -eq 1 -a "$s" -eq 3
check "pf_set_milter '' removes the milter" pf_set_milter "$W" ""
pf_flush "$W"
check "after pf_flush the held message is delivered" pf_wait_sink "$W" 4 15
check "... and the queue is idle" pf_wait_idle "$W" 10
check "local submission arrived intact" \
    sink_has "harness selftest local submission" \
    "$(sed -n 's/^Message-ID: <\(.*\)@selftest.example.com>$/\1/p' "$W/local.eml")"

# --- deferred mail and pf_flush -------------------------------------------
check "relayhost pointed at a closed port" \
    pf_postconf "$W" "relayhost = [127.0.0.1]:$DEAD_PORT"
mkmsg "$W/defer.eml" "harness selftest deferred" "token-defer-$RANDOM"
check "swaks sends a message while the relay is down" \
    pf_send "$SMTPD_PORT" sender@example.com rcpt@example.org "$W/defer.eml"
check "message lands in deferred (pf_wait_deferred)" pf_wait_deferred "$W" 1 15
check "relayhost restored" pf_postconf "$W" "relayhost = [127.0.0.1]:$SINK_PORT"
pf_flush "$W"
check "after pf_flush the deferred message is delivered" pf_wait_sink "$W" 5 15
check "... and the queue is idle" pf_wait_idle "$W" 10
pf_sink_clear "$W"
check "pf_sink_clear empties the sink" test "$(pf_sink_count "$W")" -eq 0

# --- stop, idempotent stop, restart on the same ports ---------------------
check "pf_stop succeeds" pf_stop "$W"
check "nothing of the instance is left and the ports are closed" all_gone
check "pf_stop again is a no-op" pf_stop "$W"
check "restart on the same ports" pf_start "$W" "$SMTPD_PORT" "$SINK_PORT" ""
mkmsg "$W/again.eml" "harness selftest after restart" "token-again-$RANDOM"
check "swaks sends after restart" \
    pf_send "$SMTPD_PORT" sender@example.com rcpt@example.org "$W/again.eml"
check "message delivered after restart" pf_wait_sink "$W" 1 15
check "pf_stop after restart" pf_stop "$W"
check "nothing left after the final stop" all_gone

DONE=1
echo "1..$N"
echo "# took $((SECONDS - T0)) s"
echo "postfix-selftest: $((N - FAILED)) passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
