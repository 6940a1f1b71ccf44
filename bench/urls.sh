#!/usr/bin/env bash
# bench/urls.sh - the URL analyser's figures (issue 3), next to bench/core.sh:
#  - blocklist load time, CPU and RSS for 1,000,000 synthetic entries, and
#    lookup cost (no corpus needed);
#  - URL extraction + checks throughput on the ../shared/corpus mail folders;
#  - detection: share of each folder with >= 1 URL finding, and with a score
#    >= 5 from URL findings alone (vigie scan --json).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench bench/bench_urls cli/vigie >/dev/null
dirs=()
for d in phishing_pot spam_spamassassin ham_spamassassin_easy ham_spamassassin_hard; do
	[ -d "$CORPUS/$d" ] && dirs+=("$CORPUS/$d")
done
taskset -c 0 build-bench/bench/bench_urls etc/vigie.conf "${dirs[@]}"
if [ ${#dirs[@]} -eq 0 ]; then
	echo "bench/urls.sh: no corpus at $CORPUS (set CORPUS=...); detection not measured" >&2
	exit 0
fi
for d in "${dirs[@]}"; do
	build-bench/cli/vigie scan --json "$d" 2>/dev/null | python3 -c '
import json, sys, collections
name = sys.argv[1]
n = hit = ge5 = 0
rules = collections.Counter()
for line in sys.stdin:
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    n += 1
    fs = [f for f in o["findings"] if f["rule"].startswith("url.")]
    hit += bool(fs)
    ge5 += sum(f["weight"] for f in fs) >= 5
    rules.update(set(f["rule"] for f in fs))
print("%-24s %4d msgs  >=1 URL finding %5.1f%%  URL score >= 5 %5.1f%%" %
      (name, n, 100.0 * hit / max(n, 1), 100.0 * ge5 / max(n, 1)))
print("    " + ", ".join("%s %d" % kv for kv in rules.most_common()))
' "$(basename "$d")"
done
