#!/usr/bin/env bash
# bench/compare.sh - this tree against a baseline revision, side by side in
# one run (issue 18: figures from one session on a shared machine).
#
#   bench/compare.sh [BASE_REV]      (default: main)
#
# Builds BASE_REV (git archive, in /tmp/vigie-bench-base-REV, kept between
# runs) and this tree (build-bench), both -Dbuildtype=release, with this
# tree's bench_text.c and bench_core.c for both (only the library differs), then, with
# this tree's configuration and rules for both, alternately (base, new,
# base, new, base, new; each pinned to CPU 0):
#   - bench_text BENCH_ONLY=small: chat 100 B, 1 KB and 100 B with a link,
#     mail of 1 KB plain and HTML: scan CPU time of the thread per message;
#   - bench_core on each mail folder of the corpus (the contact-centre
#     mail's two halves as one): full scan ms/msg (thread
#     CPU time), with libclamav's clean-file cache as configured: the
#     corpus has no repeated attachment to speak of.
# and prints the median of the three runs of each, base and new, and new/base.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-main}
CORPUS=${CORPUS:-../shared/corpus}
rev=$(git rev-parse --short "$BASE")
B=/tmp/vigie-bench-base-$rev
if [ ! -f "$B/build/build.ninja" ]; then
	rm -rf "$B"
	mkdir -p "$B"
	git archive "$rev" | tar -x -C "$B"
	meson setup "$B/build" "$B" -Dbuildtype=release >/dev/null
fi
# the same measuring programs for both (they use vigie.h only): this tree's
cp bench/bench_text.c bench/bench_core.c "$B/bench/"
ninja -C "$B/build" -j2 bench/bench_text bench/bench_core >/dev/null
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench -j2 bench/bench_text bench/bench_core >/dev/null
T=$(mktemp -d /tmp/vigie-bench-compare.XXXXXX)
trap 'rm -rf "$T"' EXIT
CONF=${BENCH_CONF:-etc/vigie.conf}  # BENCH_CONF: a base older than a key of etc/vigie.conf
dirs=()
for d in phishing_pot spam_spamassassin ham_spamassassin_easy ham_spamassassin_hard; do
	[ -d "$CORPUS/$d" ] && dirs+=("$CORPUS/$d")
done
# the contact-centre mail: its two halves together, as one case
cc=$CORPUS/contact_centre_mail
[ -d "$cc/benign" ] && [ -d "$cc/malicious" ] && dirs+=("$cc/benign $cc/malicious")

# one_run WHO DIR N - every measure of the build in DIR, as "case value" lines
one_run() {
	local who=$1 dir=$2 n=$3
	BENCH_ONLY=small taskset -c 0 "$dir/bench/bench_text" "$CONF" |
		sed -E 's/^(.{14}) +([0-9.]+) us\/scan.*/\1|\2/; s/ +\|/|/' >>"$T/$who.$n"
	for d in "${dirs[@]}"; do
		local name
		name=$(basename "${d%% *}")
		case "$d" in *" "*) name=$(basename "$(dirname "${d%% *}")") ;; esac
		# shellcheck disable=SC2086 # a case of two folders is split on purpose
		taskset -c 0 "$dir/bench/bench_core" "$CONF" $d |
			awk -v n="$name" '/^full/ { for (i = 1; i <= NF; i++) if ($(i) == "ms/msg") print n " (ms/msg)|" $(i - 1) }' >>"$T/$who.$n"
	done
}
echo "base $rev, new $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo +changes); thread CPU time, medians of 3, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1 2 3; do
	one_run base "$B/build" $n
	one_run new build-bench $n
done
python3 - "$T" <<'PY'
import sys, statistics, collections
t = sys.argv[1]
vals = collections.OrderedDict()
for who in ("base", "new"):
    for n in (1, 2, 3):
        for line in open(f"{t}/{who}.{n}"):
            k, _, v = line.strip().partition("|")
            vals.setdefault(k.strip(), {}).setdefault(who, []).append(float(v))
print(f"{'case (us/scan, or ms/msg)':<36} {'base':>10} {'new':>10} {'new/base':>9}")
for k, d in vals.items():
    b = statistics.median(d.get("base", [0])); n = statistics.median(d.get("new", [0]))
    f = ".3f" if "ms/msg" in k else ".1f"
    print(f"{k:<36} {b:>10{f}} {n:>10{f}} {n / b if b else 0:>9.2f}")
PY
