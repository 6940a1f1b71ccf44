#!/usr/bin/env bash
# bench/reload.sh - what reloads cost vigied's memory (issue 18), with and
# without the engine's malloc_trim, side by side in one run.
#
#   bench/reload.sh [RELOADS]      (default 20)
#
# Runs bench_reload (1,000,000-entry URL blocklist) from an optimised tree
# (build-bench), once with the reloads on the main thread and once on a
# thread of their own beside a scanning thread (as vigied's SIGHUP thread),
# each as built and then with malloc_trim made a no-op (an LD_PRELOAD shim
# compiled here into a temporary folder: the "before" of the trim).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench bench/bench_reload >/dev/null
T=$(mktemp -d /tmp/vigie-bench-reload.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/notrim.c" <<'C'
/* malloc_trim that hands nothing back: the process as before the trim */
int malloc_trim(unsigned long pad) { (void)pad; return 0; }
C
cc -shared -fPIC -O2 -o "$T/notrim.so" "$T/notrim.c"
for mode in main own; do
	arg=$([ "$mode" = own ] && echo thread || true)
	echo "== reloads on the $mode thread, malloc_trim off (LD_PRELOAD no-op)"
	LD_PRELOAD="$T/notrim.so" build-bench/bench/bench_reload etc/vigie.conf "$N" $arg
	echo "== reloads on the $mode thread, as built (malloc_trim after the old engine)"
	build-bench/bench/bench_reload etc/vigie.conf "$N" $arg
done
