#!/usr/bin/env bash
# bench/attach.sh - the attachment content analyser's cost (issue 15): time
# and peak memory per file by kind (bench_attach, files it makes), then the
# whole-corpus scan with [attach] enabled = yes and = no (bench_core on the
# ../shared/corpus mail folders, a copy of etc/vigie.conf with absolute
# rule paths; each mail scanned by both engines in turn, CPU time). Target: no more than +20% on the corpus mix; a typical
# inline QR image under 5 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench bench/bench_attach bench/bench_core >/dev/null
echo "== per file (one core)"
taskset -c 0 build-bench/bench/bench_attach "${SECONDS_PER_KIND:-1}"
CORPUS=${CORPUS:-../shared/corpus}
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: corpus figures skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -e "s|\.\./signatures|$PWD/signatures|g" etc/vigie.conf >"$tmp/on.conf"
awk '/^\[attach\]/{s=1} s&&/^enabled = yes/{print "enabled = no"; s=0; next} {print}' \
	"$tmp/on.conf" >"$tmp/off.conf"
dirs=()
for d in phishing_pot spam_spamassassin ham_spamassassin_easy ham_spamassassin_hard \
	contact_centre_mail/malicious contact_centre_mail/benign; do
	[ -d "$CORPUS/$d" ] && dirs+=("$CORPUS/$d")
done
echo "== corpus mix, CPU per mail, [attach] and [phone] on vs both off (interleaved)"
awk '/^\[phone\]/{s=1} s&&/^enabled = yes/{print "enabled = no"; s=0; next} {print}' \
	"$tmp/off.conf" >"$tmp/off2.conf"
taskset -c 0 build-bench/bench/bench_attach --corpus "$tmp/on.conf" "$tmp/off2.conf" "${dirs[@]}"
echo "== the same, [attach] on vs off ([phone] on in both)"
taskset -c 0 build-bench/bench/bench_attach --corpus "$tmp/on.conf" "$tmp/off.conf" "${dirs[@]}"
