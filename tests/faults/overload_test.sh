#!/usr/bin/env bash
# overload_test.sh VIGIED SRCDIR - [milter] on_overload: more mail at once
# than [milter] max_concurrent_scans, with real milter clients (miltertest):
# eight 256 KB messages ask for a scan at the same moment against one slot.
# With scan_wait = 0 the ones that find no free slot get on_overload
# (tempfail, so the MTA keeps them; then reject), the others are scanned;
# every message gets an answer, and each overload is logged with its queue
# id. With a scan_wait long enough all eight wait their turn and are
# scanned. Prints TAP.
set -uo pipefail
VIGIED=$1
SRC=$2
T=$(mktemp -d /tmp/vigie-overload.XXXXXX)
chmod 1777 "$T" # vigied serves as nobody when root: its socket goes here
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; sleep 0.2; [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi; }
if ! command -v miltertest >/dev/null; then
	echo "1..0 # SKIP no miltertest"
	exit 0
fi
export VIGIE_LUA_LIB=$SRC/tests/milter/lib.lua
export VIGIE_SOCK=unix:$T/milter.sock
CLIENTS=8

run() { # run NAME ON_OVERLOAD SCAN_WAIT - vigied with one scan slot, CLIENTS at once
	cat >"$T/$1.conf" <<CONF
[core]
signatures = $SRC/signatures
[av]
system_database = off
[daemon]
syslog = no
user = nobody
shutdown_timeout = 10
[milter]
listen = unix:$T/milter.sock
temp_dir = $T
max_concurrent_scans = 1
scan_wait = $3
on_overload = $2
[quarantine]
dir = $T/q
CONF
	chmod 644 "$T/$1.conf"
	rm -f "$T/milter.sock" "$T/go" "$T"/*.waiting
	"$VIGIED" -c "$T/$1.conf" -f >"$T/$1.log" 2>&1 &
	pid=$!
	for _ in $(seq 600); do [ -S "$T/milter.sock" ] && break; sleep 0.1; done
	local pids=()
	for i in $(seq "$CLIENTS"); do
		VIGIE_QID="OVL$i" VIGIE_GO="$T/go" timeout 120 miltertest -s "$SRC/tests/milter/overload.lua" \
			>"$T/$1.$i.out" 2>&1 &
		pids+=($!)
	done
	# every client sends its message up to the end, then waits for go:
	# wait until each has (its body in vigied's buffer), then all end at once
	for _ in $(seq 300); do
		[ "$(ls "$T"/*.waiting 2>/dev/null | wc -l)" -ge "$CLIENTS" ] && break
		sleep 0.1
	done
	touch "$T/go"
	for p in "${pids[@]}"; do wait "$p"; done
	accepted=$(cat "$T/$1".*.out | grep -c "^RESULT accept")
	refused=$(cat "$T/$1".*.out | grep -c "^RESULT replycode")
	kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=
}

run tempfail tempfail 0
check "one slot, no wait, $CLIENTS at once: some are scanned, some get on_overload ($accepted scanned, $refused refused)" \
	bash -c "[ $accepted -ge 1 ] && [ $refused -ge 1 ]"
check "every message got an answer (nothing dropped)" [ $((accepted + refused)) -eq "$CLIENTS" ]
logged=$(grep -c "OVL[0-9]*: no free scan slot (\[milter\] max_concurrent_scans, scan_wait): tempfail" "$T/tempfail.log")
check "each overload is logged with its queue id and the mode: tempfail ($logged)" [ "$logged" -eq "$refused" ]
scanned=$(grep -c "OVL[0-9]*: from=.* action=" "$T/tempfail.log")
check "the others were scanned ($scanned)" [ "$scanned" -eq "$accepted" ]

run reject reject 0
check "on_overload = reject: the ones without a slot are refused ($refused), the rest scanned ($accepted)" \
	bash -c "[ $refused -ge 1 ] && [ $((accepted + refused)) -eq $CLIENTS ]"
check "and logged as reject" grep -q "OVL[0-9]*: no free scan slot (\[milter\] max_concurrent_scans, scan_wait): reject" "$T/reject.log"

run wait tempfail 60
check "scan_wait = 60: all $CLIENTS wait for the one slot and are scanned ($accepted)" [ "$accepted" -eq "$CLIENTS" ]
check "none is refused" bash -c "[ $refused -eq 0 ] && ! grep -q 'no free scan slot' '$T/wait.log'"

echo "1..$n"
[ "$bad" -eq 0 ]
