#!/usr/bin/env bash
# bench/store.sh - what the state store costs a scan (issue 14): bench_core
# on the same messages with [store] off, on the embedded LMDB folder, and on
# a redis-server started here on a loopback port (and stopped), with campaign
# memory holding the contact-centre lures (vigie learn); then the store's
# size per message remembered. Single-threaded, pinned to one core.
# Target: at most +10% scan time with the embedded store.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS" ]; then
	echo "bench/store.sh: no corpus at $CORPUS (set CORPUS=...); nothing to measure" >&2
	exit 0
fi
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench bench/bench_core cli/vigie >/dev/null
B=build-bench/bench/bench_core
T=$(mktemp -d /tmp/vigie-bench-store.XXXXXX)
redis_pid=
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T" >/dev/null &
redis_pid=$!
sleep 0.5

# conf NAME ENABLED BACKEND - etc/vigie.conf with absolute paths and this [store]
conf() {
	sed -e "s|= \.\./|= $PWD/|" \
	    -e "/^\[store\]/,/^\[/ { s|^enabled = .*|enabled = $2|; s|^backend = .*|backend = $3|;"`
	    `" s|^path = .*|path = $T/$1|; s|^redis_port = .*|redis_port = $PORT|; s|^redis_prefix = .*|redis_prefix = $1:| }" \
	    etc/vigie.conf >"$T/$1.conf"
	echo "$T/$1.conf"
}
OFF=$(conf off no lmdb)
LMDB=$(conf lmdb yes lmdb)
REDIS=$(conf redis yes redis)
lures=()
[ -d "$CORPUS/contact_centre_mail/malicious" ] && lures+=("$CORPUS/contact_centre_mail/malicious")
for c in "$LMDB" "$REDIS"; do
	[ ${#lures[@]} -gt 0 ] && build-bench/cli/vigie -c "$c" learn --malicious "${lures[@]}" | sed 's/^/# learn: /'
done
dirs=()
for d in ham_spamassassin_easy phishing_pot; do
	[ -d "$CORPUS/$d" ] && dirs+=("$CORPUS/$d")
done
for c in off lmdb redis; do
	echo "== store $c"
	taskset -c 0 "$B" "$T/$c.conf" "${dirs[@]}" | grep -E '^full|^parse'
done
echo "== size (LMDB) after learning ${lures[*]:-nothing}"
build-bench/cli/vigie -c "$LMDB" store stats
n=$(find "${lures[@]}" -type f 2>/dev/null | wc -l)
bytes=$(build-bench/cli/vigie -c "$LMDB" store stats | sed -n 's/^bytes //p')
[ "$n" -gt 0 ] && echo "bytes per message remembered: $((bytes / n)) (x 100,000: $((bytes / n * 100000 / 1048576)) MB)"
