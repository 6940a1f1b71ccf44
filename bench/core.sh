#!/usr/bin/env bash
# bench/core.sh - the core benchmark (issue: scan core). Builds an optimised
# tree, then prints engine build time, single-threaded messages/s and MB/s
# (parse only, as the baseline, and parse + every analyser), and peak RSS,
# on each ../shared/corpus mail folder and on all of them together.
# Targets: engine build < 0.5 s, >= 1,000 msg/s per core, peak RSS < 150 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
if [ ! -d "$CORPUS" ]; then
	echo "bench/core.sh: no corpus at $CORPUS (set CORPUS=...); nothing to measure" >&2
	exit 0
fi
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench bench/bench_core >/dev/null
B=build-bench/bench/bench_core
dirs=()
for d in phishing_pot spam_spamassassin ham_spamassassin_easy ham_spamassassin_hard; do
	[ -d "$CORPUS/$d" ] && dirs+=("$CORPUS/$d")
done
for d in "${dirs[@]}"; do
	echo "== $(basename "$d")"
	taskset -c 0 "$B" etc/vigie.conf "$d" | grep -v '^engine build'
done
echo "== text by size and kind, chat messages (scan time alone)"
ninja -C build-bench bench/bench_text >/dev/null
taskset -c 0 build-bench/bench/bench_text etc/vigie.conf "$CORPUS/ham_spamassassin_easy"
echo "== all mail folders together"
taskset -c 0 "$B" etc/vigie.conf "${dirs[@]}"
echo "== url analyser (bench/urls.sh has the detection shares too)"
ninja -C build-bench bench/bench_urls >/dev/null
taskset -c 0 build-bench/bench/bench_urls etc/vigie.conf "${dirs[@]}"
