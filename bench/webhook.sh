#!/usr/bin/env bash
# bench/webhook.sh - the webhook benchmark (issue: webhook receiver). On
# loopback with wrk: requests/s and p50/p99 latency of POST /v1/messages
# (signed chat messages built from ../shared/corpus/sms_*, every one
# scanned: the duplicate cache and rate limits are off here), and in the
# same run a bare libmicrohttpd server answering 200 without scanning
# (bench/bare_httpd.c) as the baseline.
# Targets: >= 50% of the bare server's requests/s; p99 < 10 ms at 64
# connections.  Usage: bench/webhook.sh [SECONDS] [CONNECTIONS]
# Environment: BUILD=DIR the build directory (default build-bench);
# THREADS=N server threads (both servers); AV=no turns ClamAV off, to tell
# the scan's cost from the front end's; PERF=FILE records a perf profile
# (call graphs) of vigied during its run, PERF_OPTS its options (-g).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpus}
SECS=${1:-15}
CONNS=${2:-64}
THREADS=${THREADS:-2}
if ! ls "$CORPUS"/sms_*/*.jsonl >/dev/null 2>&1; then
	echo "bench/webhook.sh: no SMS corpus at $CORPUS/sms_* (set CORPUS=...); nothing to measure" >&2
	exit 0
fi
if ! command -v wrk >/dev/null; then
	SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get install -y -q wrk >/dev/null
fi
BUILD=${BUILD:-build-bench}
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" -Dbuildtype=release >/dev/null
ninja -C "$BUILD" daemon/vigied bench/bare_httpd >/dev/null
T=$(mktemp -d /tmp/vigie-bench-webhook.XXXXXX)
chmod 755 "$T" # vigied serves as [daemon] user nobody when root
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$T"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BARE=$(port)
HOOK=$(port)
SECRET=bench-secret-$RANDOM

# relative rule paths in the default configuration resolve through this link
mkdir -p "$T/conf"
ln -s "$PWD/signatures" "$T/signatures"
cat >"$T/conf/bench.conf" <<CONF
[av]
system_database = off
enabled = ${AV:-yes}
[daemon]
syslog = no
user = nobody
[milter]
enabled = no
[webhook]
enabled = yes
port = $HOOK
threads = $THREADS
max_connections = 1024
author_rate = 0
conversation_rate = 0
channel_rate = 0
dedup_size = 0
[webhook.bench]
platform = generic
secret = $SECRET
[quarantine]
dir = $T/q
CONF

# signed requests: python's hmac, as a platform would sign them
python3 - "$CORPUS" "$SECRET" "$T/requests.lua" <<'PY'
import glob, hashlib, hmac, json, sys, time
corpus, secret, out = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
lines = []
for f in sorted(glob.glob(corpus + "/sms_*/*.jsonl")):
    lines += [json.loads(l) for l in open(f, encoding="utf-8") if l.strip()]
lines = lines[:3000]
def lua(b):
    return '"' + "".join(chr(c) if 32 <= c < 127 and c not in (34, 92) else "\\%03d" % c for c in b) + '"'
ts = str(int(time.time()))
with open(out, "w") as o:
    o.write("return {\n")
    for i, s in enumerate(lines):
        body = json.dumps({"channel": "sms", "platform": "bench", "conversation": "c%d" % (i % 50),
                           "message_id": s["id"], "author": {"id": "a%d" % (i % 200)},
                           "text": s["text"]}, ensure_ascii=False).encode()
        sig = "v1=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        o.write("{%s,%s,%s},\n" % (lua(ts.encode()), lua(sig.encode()), lua(body)))
    o.write("}\n")
print("%d signed messages from %s/sms_*" % (len(lines), corpus), file=sys.stderr)
PY

"$BUILD/bench/bare_httpd" "$BARE" "$THREADS" &
pids+=($!)
"$BUILD/daemon/vigied" -c "$T/conf/bench.conf" -f >"$T/vigied.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$HOOK/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -sf "http://127.0.0.1:$HOOK/healthz" >/dev/null || { cat "$T/vigied.log"; exit 1; }

cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # user+system ticks of PID
TCK=$(getconf CLK_TCK)
run() { # run NAME PORT PID: the RESULT line, plus the server's CPU per request
	local c0 out c1
	c0=$(cpu "$3")
	out=$(WEBHOOK_REQUESTS=$T/requests.lua wrk -t2 -c"$CONNS" -d"${SECS}s" -s bench/webhook.lua \
		"http://127.0.0.1:$2" | grep '^RESULT' | sed "s/^RESULT/$1/")
	c1=$(cpu "$3")
	awk -v o="$out" -v c="$((c1 - c0))" -v t="$TCK" 'BEGIN {
		match(o, /requests=[0-9]+/); n = substr(o, RSTART + 9, RLENGTH - 9)
		printf "%s server_cpu_us/req=%.0f\n", o, n ? 1e6 * c / t / n : 0 }'
}
echo "== wrk, $CONNS connections, ${SECS}s each, server threads $THREADS, $(nproc) cores"
run "warmup  " "$HOOK" "${pids[1]}" >/dev/null
b=$(run "bare    " "$BARE" "${pids[0]}")
if [ -n "${PERF:-}" ]; then # PERF=FILE: perf record of vigied during its run
	perf record -q ${PERF_OPTS:--g} -o "$PERF" -p "${pids[1]}" -- sleep "$SECS" >/dev/null 2>&1 &
	perfpid=$!
fi
w=$(run "webhook " "$HOOK" "${pids[1]}")
[ -z "${PERF:-}" ] || wait "$perfpid"
echo "$b"
echo "$w"
rb=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$b")
rw=$(sed 's/.*rps=\([0-9]*\).*/\1/' <<<"$w")
p99=$(sed 's/.*p99_ms=\([0-9.]*\).*/\1/' <<<"$w")
python3 - "$rb" "$rw" "$p99" <<'PY'
import sys
rb, rw, p99 = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print("webhook/bare requests/s: %.0f%% (target >= 50%%): %s" % (100 * rw / rb, "met" if rw >= rb / 2 else "NOT met"))
print("webhook p99: %.2f ms (target < 10 ms): %s" % (p99, "met" if p99 < 10 else "NOT met"))
PY
curl -s "http://127.0.0.1:$HOOK/metrics" | awk '/^vigie_webhook_scan_seconds_sum/ {s=$2} /^vigie_webhook_scan_seconds_count/ {n=$2}
	END { if (n) printf "mean scan time (the core, inside the webhook): %.2f ms over %d messages\n", 1000*s/n, n }'
echo "verdicts: $(grep -o 'action=[a-z]*' "$T/vigied.log" | sort | uniq -c | tr '\n' ' ')"
