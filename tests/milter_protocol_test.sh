#!/usr/bin/env bash
# milter_protocol_test.sh VIGIED SRCDIR - the milter protocol end to end with
# miltertest (a real milter client) against a vigied started here on a unix
# socket and a loopback TCP port: every callback, aborts, several messages
# per connection, spilling, fail modes, reload, hostile bytes at the socket.
# Prints TAP.
set -uo pipefail
VIGIED=$1
SRC=$2
T=$(mktemp -d /tmp/vigie-milter.XXXXXX)
chmod 1777 "$T" # vigied serves as nobody when root: its socket and spill files go here
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; sleep 0.2; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi; }

export VIGIE_LUA_LIB=$SRC/tests/milter/lib.lua
export VIGIE_SOCK=unix:$T/milter.sock
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# the rules as nobody reads them on reload: a copy, since the checkout may
# sit in a folder only root can enter (a CI clone in a 0700 temp folder)
cp -r "$SRC/signatures" "$T/signatures"
chmod -R a+rX "$T/signatures"
# write_conf NAME EXTRA - a configuration for this test
write_conf() {
	cat >"$T/$1.conf" <<CONF
[core]
signatures = $T/signatures
${CORE:-}
[av]
system_database = off
[daemon]
syslog = no
user = nobody
shutdown_timeout = 10
[milter]
listen = ${LISTEN:-unix:$T/milter.sock}
spill_size = ${SPILL:-64K}
temp_dir = ${TEMPDIR:-$T}
$2
[quarantine]
dir = $T/q
CONF
}

start() { # start CONF
	rm -f "$T/milter.sock"
	"$VIGIED" -c "$T/$1.conf" -f >>"$T/vigied.log" 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		[ -S "$T/milter.sock" ] && return 0
		[ -n "${LISTEN:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return 0
		sleep 0.1
	done
	echo "# vigied did not start:"; sed 's/^/# /' "$T/vigied.log"
	return 1
}
stop() {
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid" 2>/dev/null
	local rc=$?
	pid=
	return $rc
}
mt() { timeout 60 miltertest -s "$SRC/tests/milter/$1" >"$T/mt.out" 2>&1; }
mt_check() { # mt_check SCRIPT DESCRIPTION
	if mt "$1"; then ok "$2"; else nok "$2" "$(cat "$T/mt.out")" "$(tail -5 "$T/vigied.log")"; fi
}

# --- defaults: discard on quarantine ---------------------------------------
write_conf main ""
start main || exit 1
mt_check clean.lua "every callback; a clean message is accepted with X-Vigie-Status"
mt_check eicar.lua "an EICAR attachment is quarantined and discarded"
mt_check tag.lua "a risky attachment is tagged: X-Vigie headers and subject prefix"
mt_check forged.lua "incoming X-Vigie-* headers are deleted, every copy, any case"
mt_check abort_multi.lua "abort, then three messages on one connection"
mt_check big.lua "a 3 MB message spills to a file and is scanned"

items=$(ls "$T"/q/new/*.json 2>/dev/null | wc -l)
check "three quarantined items on disk (EICAR1, MULTI1, MULTI3)" [ "$items" -eq 3 ]
check "each item keeps its bytes beside its metadata" \
	[ "$(ls "$T"/q/new/*.eml | wc -l)" -eq 3 ]
check "metadata carries queue id, envelope and verdict" python3 -c '
import json, sys, glob
items = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/q/new/*.json")]
e = [i for i in items if i["envelope"]["queue_id"] == "EICAR1"][0]
assert e["channel"] == "mail" and e["state"] == "quarantined"
assert e["envelope"]["mail_from"] == "<sender@example.org>", e["envelope"]
assert e["envelope"]["rcpt_to"] == ["<agent@cc.example>", "<supervisor@cc.example>"]
assert e["envelope"]["client_addr"] == "192.0.2.10"
assert e["verdict"]["action"] == "quarantine"
assert e["verdict"]["findings"][0]["rule"] == "av.Vigie.Test.EICAR"
assert e["headers"]["Subject"] == "Your document"
' "$T"
check "quarantine files are private (0600) in a 0700 folder" \
	[ "$(stat -c %a "$T"/q/new "$(ls "$T"/q/new/*.eml | head -1)" | paste -sd,)" = "700,600" ]
eml=$(grep -l '"queue_id" : "EICAR1"' "$T"/q/new/*.json | sed 's/json$/eml/')
check "the stored bytes are the message as the MTA passed it" \
	grep -q 'Content-Disposition: attachment; filename="eicar.com"' "$eml"
check "the audit log records each store" [ "$(grep -c "	store	" "$T/q/audit.log")" -eq 3 ]
check "log lines carry the queue id" grep -q "EICAR1: quarantined as" "$T/vigied.log"

# --- hostile bytes at the socket: logged, closed, others still served --------
python3 - "$T/milter.sock" <<'PY'
import os, socket, struct, sys, time
path = sys.argv[1]
def send(data, close_early=False):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.settimeout(5)
    try:
        s.sendall(data)
        if not close_early:
            s.recv(100)
    except Exception:
        pass
    s.close()
send(os.urandom(4096))                                   # random bytes
send(struct.pack(">I", 0x7fffffff) + b"O")               # oversize length prefix
send(struct.pack(">I", 13) + b"O\x00\x00", close_early=True)   # EOF mid-command
send(b"", close_early=True)                              # connect and close
send(struct.pack(">I", 1) + b"Z")                        # unknown command
PY
mt_check clean.lua "after garbage, truncated and oversize commands the daemon still serves"
check "the daemon survived the hostile connections" kill -0 "$pid"

# --- reload while serving ----------------------------------------------------
# log_wait PATTERN - until vigied's log has one more line matching PATTERN
# than it had when asked (a reload builds a whole engine: seconds under
# the sanitizers); log_mark first, then the signal
log_mark() { mark=$(grep -c "$1" "$T/vigied.log"); }
log_wait() { for _ in $(seq 300); do [ "$(grep -c "$1" "$T/vigied.log")" -gt "$mark" ] && return 0; sleep 0.1; done; return 1; }
log_mark "reloaded: vigie"
kill -HUP "$pid"
log_wait "reloaded: vigie"
mt_check clean.lua "a message right after SIGHUP is served"
check "the reload is logged" grep -q "reloaded: vigie" "$T/vigied.log"
printf 'Broken.Sig:0:*:zz\n' >"$T/broken.ndb"
cp -r "$SRC/signatures/clamav" "$T/sigs"
sed -i "s|^\[av\]$|[av]\nbundled = $T/sigs|" "$T/main.conf"
cp "$T/broken.ndb" "$T/sigs/"
log_mark "reload failed"
kill -HUP "$pid"
log_wait "reload failed"
check "a failed reload is logged with file and line" grep -q "reload failed, keeping the current engine: .*broken.ndb.*line 1" "$T/vigied.log"
mt_check eicar.lua "after a failed reload the old engine still quarantines EICAR"
stop
check "SIGTERM stops the daemon cleanly" [ $? -eq 0 ]
check "the socket is removed on exit" [ ! -e "$T/milter.sock" ]

# --- engine unavailable at start: tempfail until a reload succeeds ----------
start main || exit 1
mt_check tempfail.lua "rules broken at start: messages are tempfailed, not lost"
check "the reason is logged" grep -q "no engine loaded" "$T/vigied.log"
rm "$T/sigs/broken.ndb"
before=$(grep -c "reloaded: vigie" "$T/vigied.log")
kill -HUP "$pid"
# as [daemon] user nobody, root's prefilter cache is out of reach: the
# first good engine may take a compile (seconds on a busy machine)
for _ in $(seq 300); do [ "$(grep -c "reloaded: vigie" "$T/vigied.log")" -gt "$before" ] && break; sleep 0.1; done
mt_check clean.lua "after the rules are fixed and SIGHUP, messages are accepted"
stop

# --- a scan failure follows on_scan_error = tempfail -------------------------
TEMPDIR=$T/no-such-dir SPILL=1K write_conf failing ""
start failing || exit 1
mt_check tempfail.lua "a message that cannot be buffered is tempfailed (451)"
check "the failure is logged with the queue id" grep -q "TEMP1: cannot spill message" "$T/vigied.log"
stop

# --- [core] max_message_size bounds headers too ----------------------------------
# spill_size above the limit and no temp_dir: a message buffered past the
# limit would try to spill and fail, so the log shows whether it was
CORE="max_message_size = 64K" SPILL=128K TEMPDIR=$T/no-such-dir write_conf small ""
start small || exit 1
mt_check oversize_headers.lua "400 KB of headers past max_message_size (64K) are tempfailed, not accepted"
check "the oversize is logged with the queue id" grep -q "HDRBIG1: larger than \[core\] max_message_size: tempfail" "$T/vigied.log"
check "nothing past the limit was buffered (no spill of the headers)" bash -c "! grep -q 'HDRBIG1: cannot spill' '$T/vigied.log'"
mt_check clean.lua "a message under the limit is still accepted"
stop

# --- quarantine_action = reject ----------------------------------------------
write_conf rejecting "quarantine_action = reject"
start rejecting || exit 1
mt_check reject.lua "quarantine_action = reject: stored, then 550"
check "the rejected message is in the quarantine too" grep -q '"queue_id" : "REJ1"' "$T"/q/new/*.json
stop

# --- TCP listener: a health-check connection is harmless ---------------------
LISTEN="inet:$PORT@127.0.0.1" write_conf tcp ""
LISTEN="inet:$PORT@127.0.0.1" start tcp || exit 1
(exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null
VIGIE_SOCK="inet:$PORT@127.0.0.1" mt_check clean.lua "over TCP, after a health-check connection, a message is served"
stop

echo "1..$n"
[ "$bad" -eq 0 ]
