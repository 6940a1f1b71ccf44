#!/usr/bin/env bash
# cleanup_test.sh VIGIED SRCDIR - crash leftovers removed by vigied at
# start (the same housekeeping runs hourly): quarantine tmp/ entries older
# than [quarantine] tmp_max_age go, fresh ones (a write in progress) and
# folders stay; /dev/shm/vigie-clamav-PID-* folders of a process that is
# gone go, those of a live process, of another user, or of the old unnamed
# form stay; the running engine's own folder carries its pid. Prints TAP.
set -uo pipefail
VIGIED=$1
SRC=$2
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi; }
T=$(mktemp -d /tmp/vigie-cleanup.XXXXXX)
chmod 1777 "$T"
pid=
live=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
	[ -n "$live" ] && kill "$live" 2>/dev/null
	sleep 0.2
	rm -rf "$T" /dev/shm/vigie-clamav-"$dead"-test* /dev/shm/vigie-clamav-"$live"-test* /dev/shm/vigie-clamav-testold*
}
trap cleanup EXIT
# who vigied serves as: nobody when we are root, else ourselves
if [ "$(id -u)" -eq 0 ]; then USER_LINE="user = nobody"; OWNER=nobody; else USER_LINE=""; OWNER=$(id -un); fi

# a pid that is gone, and one that lives
sh -c 'exit 0' & dead=$!
wait "$dead"
sleep 300 & live=$!

# the quarantine as a crash leaves it
mkdir -p "$T/q/tmp" "$T/q/new" "$T/q/tmp/sub"
echo old >"$T/q/tmp/20261201T000000Z-00000000000000aa.eml"
echo old >"$T/q/tmp/20261201T000000Z-00000000000000aa.json"
touch -d '2 hours ago' "$T/q/tmp/20261201T000000Z-00000000000000aa.eml" "$T/q/tmp/20261201T000000Z-00000000000000aa.json" "$T/q/tmp/sub"
echo fresh >"$T/q/tmp/20261202T000000Z-00000000000000bb.eml"
chown -R "$OWNER" "$T/q"
# engines' folders: a dead one's (with a file, as libclamav leaves them), a live one's, an old unnamed one
for d in "vigie-clamav-$dead-testAA" "vigie-clamav-$live-testBB" "vigie-clamav-testold"; do
	mkdir -p "/dev/shm/$d" && echo x >"/dev/shm/$d/clamav-tmp" && chmod 700 "/dev/shm/$d"
	chown -R "$OWNER" "/dev/shm/$d"
done
if [ "$(id -u)" -eq 0 ]; then # a dead pid's folder of another user: not ours to remove
	mkdir -p "/dev/shm/vigie-clamav-$dead-testCC" && chown daemon "/dev/shm/vigie-clamav-$dead-testCC"
fi

cat >"$T/vigie.conf" <<CONF
[core]
signatures = $SRC/signatures
[av]
system_database = off
[daemon]
syslog = no
$USER_LINE
[milter]
listen = unix:$T/milter.sock
temp_dir = $T
[quarantine]
dir = $T/q
tmp_max_age = 3600
CONF
chmod 644 "$T/vigie.conf"
"$VIGIED" -c "$T/vigie.conf" -f >"$T/vigied.log" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q "listening on" "$T/vigied.log" && break; sleep 0.1; done
for _ in $(seq 50); do grep -q "removed .* unfinished" "$T/vigied.log" && break; sleep 0.1; done

check "tmp/ entries older than tmp_max_age are removed" \
	bash -c "[ ! -e '$T/q/tmp/20261201T000000Z-00000000000000aa.eml' ] && [ ! -e '$T/q/tmp/20261201T000000Z-00000000000000aa.json' ]"
check "a fresh tmp/ entry (a write in progress) stays" [ -e "$T/q/tmp/20261202T000000Z-00000000000000bb.eml" ]
check "a folder in tmp/ stays" [ -d "$T/q/tmp/sub" ]
check "the removal is logged with the bound" grep -q "quarantine: removed 2 unfinished write(s) from tmp/ older than 3600 s" "$T/vigied.log"
check "the folder of an engine whose process is gone is removed" [ ! -e "/dev/shm/vigie-clamav-$dead-testAA" ]
check "the folder of a live process stays" [ -e "/dev/shm/vigie-clamav-$live-testBB/clamav-tmp" ]
check "an old unnamed folder stays (no pid to judge by)" [ -d /dev/shm/vigie-clamav-testold ]
if [ "$(id -u)" -eq 0 ]; then
	check "a gone process's folder of another user stays" [ -d "/dev/shm/vigie-clamav-$dead-testCC" ]
fi
check "the removal of engines' folders is logged" grep -q "removed 1 temporary folder(s) of engines whose process is gone" "$T/vigied.log"
check "the running engine's own folder carries vigied's pid" bash -c "ls -d /dev/shm/vigie-clamav-$pid-* >/dev/null 2>&1"
vp=$pid
kill -TERM "$pid"; wait "$pid" 2>/dev/null; pid=
check "and is removed when vigied stops" bash -c "! ls -d /dev/shm/vigie-clamav-$vp-* >/dev/null 2>&1"
echo "1..$n"
[ "$bad" -eq 0 ]
