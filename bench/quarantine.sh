#!/usr/bin/env bash
# bench/quarantine.sh [N] - "vigie quarantine list" and "show" with N items
# (default 100,000) in the folder. Creates the items (metadata shaped like
# vigied's, ids spread over 30 days), then times, side by side in one run:
#   baseline: ls of new/ sorted newest first, first 50 (the directory floor)
#   list:     vigie quarantine list (newest 50)
#   list -f:  vigie quarantine list --category phishing (a filter that must
#             read metadata until 50 match)
#   show:     vigie quarantine show of one item
# Target: list of the newest 50 under 0.5 s at 100,000 items.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench cli/vigie >/dev/null
W=$(mktemp -d /tmp/vigie-qbench.XXXXXX)
trap 'rm -rf "$W"' EXIT
python3 - "$W/q" "$N" <<'PY'
import json, os, random, sys, time
q, n = sys.argv[1], int(sys.argv[2])
for d in ("tmp", "new", "released", "deleted"):
    os.makedirs(os.path.join(q, d), mode=0o700, exist_ok=True)
now = int(time.time())
cats = ["malware", "phishing", "credential", "payment-change", "risky-attachment"]
for i in range(n):
    t = now - random.randint(0, 30 * 86400)
    id_ = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t)) + "-%016x" % random.getrandbits(64)
    cat = cats[i % len(cats)]
    meta = {"id": id_, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), "unix_time": t,
            "state": "quarantined", "channel": "mail", "size": 2000,
            "envelope": {"queue_id": "Q%d" % i, "mail_from": "<s%d@example.net>" % i, "rcpt_to": ["<agent@cc.example>"]},
            "headers": {"From": "Sender %d <s%d@example.net>" % (i, i), "Subject": "Message %d" % i},
            "verdict": {"action": "quarantine", "score": 12, "findings": [
                {"rule": "test.%s" % cat, "category": cat, "weight": 12, "decisive": False, "evidence": "x", "where": "text"}]}}
    with open(os.path.join(q, "new", id_ + ".json"), "w") as f:
        json.dump(meta, f)
    with open(os.path.join(q, "new", id_ + ".eml"), "w") as f:
        f.write("From: s%d@example.net\nSubject: Message %d\n\nbody\n" % (i, i))
PY
printf '[quarantine]\ndir = %s/q\n' "$W" >"$W/q.conf"
V="build-bench/cli/vigie -c $W/q.conf quarantine"
id=$($V list --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
t() { # t NAME CMD... - best of 5 wall times
	local name=$1 best=999 s e d
	shift
	for _ in 1 2 3 4 5; do
		s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
		d=$(echo "$e - $s" | bc -l); (( $(echo "$d < $best" | bc -l) )) && best=$d
	done
	printf '%-44s %7.3f s\n' "$name" "$best"
}
echo "items: $N in $W/q/new"
t "baseline: ls new/ | sort -r | head -50" bash -c "ls $W/q/new | sort -r | head -100 >/dev/null"
t "vigie quarantine list (newest 50)" $V list
t "vigie quarantine list --category phishing" $V list --category phishing
t "vigie quarantine list --json (newest 50)" $V list --json
t "vigie quarantine show ID" $V show "$id"
