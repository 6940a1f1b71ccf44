#!/usr/bin/env bash
# bench/milter.sh - messages/s through a real Postfix with the Vigie milter
# versus the same Postfix with no milter, in the same run, on the same
# messages (smtp-source -> Postfix -> [vigied] -> smtp-sink), at 1, 8 and 32
# concurrent SMTP sessions; and vigied's peak RSS.
# Messages: a mix from ../shared/corpus (phishing, spam, ham), when present;
# otherwise the bundled samples. Loopback only. Takes a few minutes.
# Target: >= 80% of the no-milter throughput at 8 sessions; RSS < 200 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
CORPUS=${CORPUS:-../shared/corpus}
PER=${PER:-200}      # messages per concurrency level and message file
tests/postfix/install-deps.sh
[ -f build-bench/build.ninja ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench daemon/vigied >/dev/null
. tests/postfix/pf.sh

W=$(mktemp -d /tmp/vigie-mbench.XXXXXX)
chmod 755 "$W"
vpid=
trap '[ -n "$vpid" ] && kill -TERM $vpid 2>/dev/null; pf_stop "$W" >/dev/null 2>&1; rm -rf "$W"' EXIT
mkdir "$W/msgs"
if [ -d "$CORPUS" ]; then
	for d in phishing_pot spam_spamassassin ham_spamassassin_easy ham_spamassassin_hard; do
		ls "$CORPUS/$d" | head -2 | while read -r f; do
			# smtp-source sends the file as is: drop an mbox "From " line
			sed '1{/^From /d}' "$CORPUS/$d/$f" >"$W/msgs/$d-$f"
		done
	done
else
	echo "bench/milter.sh: no corpus at $CORPUS; using samples/mail" >&2
	cp samples/mail/*.eml "$W/msgs/"
fi
nmsg=$(ls "$W/msgs" | wc -l)
echo "messages: $nmsg files, mean $(( $(cat "$W"/msgs/* | wc -c) / nmsg / 1024 )) KB, $PER each per level"

SMTPD=$(pf_free_port); SINK=$(pf_free_port "$SMTPD"); MILTER=$(pf_free_port "$SMTPD" "$SINK")
cat >"$W/vigie.conf" <<CONF
[core]
signatures = $SRC/signatures
[daemon]
syslog = no
user = nobody
[milter]
listen = inet:$MILTER@127.0.0.1
temp_dir = $W
[quarantine]
dir = $W/q
CONF
pf_start "$W" "$SMTPD" "$SINK" "" >/dev/null
pf_postconf "$W" "smtpd_client_connection_count_limit = 0" "default_process_limit = 200" >/dev/null

run() { # run SESSIONS -> prints msg/s
	local s=$1 total start end
	pf_sink_clear "$W"
	total=$((nmsg * PER))
	start=$(date +%s.%N)
	for f in "$W"/msgs/*; do
		smtp-source -s "$s" -m "$PER" -f bench@example.org -t agent@cc.example -F "$f" "127.0.0.1:$SMTPD" &
	done
	wait
	# quarantined messages are discarded, so wait for an empty queue, not
	# for every message in the sink
	pf_wait_idle "$W" 600 || true
	end=$(date +%s.%N)
	echo "scale=1; $total / ($end - $start)" | bc -l
}

declare -A base vig
for s in 1 8 32; do base[$s]=$(run "$s"); done
"build-bench/daemon/vigied" -c "$W/vigie.conf" -f >"$W/vigied.log" 2>&1 &
vpid=$!
sleep 1
pf_set_milter "$W" "inet:127.0.0.1:$MILTER" >/dev/null
for s in 1 8 32; do vig[$s]=$(run "$s"); done
rss=$(awk '/VmHWM/ {print $2/1024}' /proc/$vpid/status)
printf '%-10s %14s %14s %8s\n' sessions "no milter" "vigie milter" ratio
for s in 1 8 32; do
	printf '%-10s %10s msg/s %8s msg/s %8s\n' "$s" "${base[$s]}" "${vig[$s]}" \
		"$(echo "scale=2; ${vig[$s]} / ${base[$s]}" | bc -l)"
done
echo "vigied peak RSS: ${rss} MB; verdicts: $(grep -o 'action=[a-z]*' "$W/vigied.log" | sort | uniq -c | tr '\n' ' ')"
