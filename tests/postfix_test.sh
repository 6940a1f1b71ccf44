#!/usr/bin/env bash
# postfix_test.sh VIGIED SRCDIR - Vigie as the milter of a real Postfix.
# Starts its own throwaway Postfix instance on loopback high ports (private
# config and queue under a scratch folder), an smtp-sink behind it, and a
# vigied on loopback TCP; sends with swaks and the instance's sendmail; checks
# what arrives, what is quarantined, and that nothing is lost through scan
# failures, reloads and a stopped milter. Prints TAP.
set -uo pipefail
VIGIED=$1
SRC=$2
# shellcheck source=postfix/pf.sh
. "$SRC/tests/postfix/pf.sh"

n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi; }

if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null || ! command -v swaks >/dev/null; then
	echo "1..0 # SKIP needs root, postfix and swaks (tests/postfix/install-deps.sh)"
	exit 0
fi

W=$(mktemp -d /tmp/vigie-pf.XXXXXX)
chmod 755 "$W"
SMTPD=$(pf_free_port)
SINK=$(pf_free_port "$SMTPD")
MILTER=$(pf_free_port "$SMTPD" "$SINK")
vpid=
cleanup() {
	[ -n "$vpid" ] && kill -TERM "$vpid" 2>/dev/null
	pf_stop "$W" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

cat >"$W/vigie.conf" <<CONF
[core]
signatures = $SRC/signatures
[av]
system_database = off
[daemon]
syslog = no
# root here (its reload storm is timed; root keeps the prefilter cache):
# privileges are tests/privilege_test.sh's
user =
allow_root = yes
[milter]
listen = inet:$MILTER@127.0.0.1
temp_dir = $W
spill_size = 64K
[quarantine]
dir = $W/q
CONF
start_vigied() {
	"$VIGIED" -c "$W/vigie.conf" -f >>"$W/vigied.log" 2>&1 &
	vpid=$!
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$MILTER") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
start_vigied || { echo "Bail out! vigied did not start"; cat "$W/vigied.log"; exit 1; }
pf_start "$W" "$SMTPD" "$SINK" "inet:127.0.0.1:$MILTER" >"$W/pf_start.log" 2>&1 ||
	{ echo "Bail out! postfix did not start"; cat "$W/pf_start.log"; exit 1; }

msg() { # msg FILE SUBJECT [EXTRA-HEADER-LINES] BODY
	printf 'From: Customer <customer@example.org>\nTo: service@cc.example\nSubject: %s\nMessage-ID: <%s@example.org>\nDate: Fri, 27 Nov 2026 10:00:00 +0000\n%s\n%s\n' \
		"$2" "$RANDOM$RANDOM" "$3" "$4" >"$1"
}
attach() { # attach FILE SUBJECT NAME CONTENT-FILE
	{
		printf 'From: Billing <billing@example.net>\nTo: agent@cc.example\nSubject: %s\nMIME-Version: 1.0\n' "$2"
		printf 'Content-Type: multipart/mixed; boundary="b0"\n\n--b0\nContent-Type: text/plain\n\nSee the attachment.\n'
		printf -- '--b0\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="%s"\nContent-Transfer-Encoding: base64\n\n' "$3"
		base64 "$4"
		printf -- '--b0--\n'
	} >"$1"
}
last_sink() { pf_sink_files "$W" | tail -1; }
# body_of FILE - the message body (after the first blank line), without the
# trailing empty lines smtp-sink adds
body_of() { python3 -c 'import sys; t = open(sys.argv[1], "rb").read().replace(b"\r", b""); print(t.split(b"\n\n", 1)[1].rstrip(b"\n").decode("latin-1"))' "$1"; }

# --- clean mail arrives unchanged ---------------------------------------------
msg "$W/clean.eml" "Question sur mon contrat" "" "Bonjour, quand arrive ma commande ?
Merci."
pf_send "$SMTPD" customer@example.org service@cc.example "$W/clean.eml"
check "clean mail accepted by Postfix" [ "$PF_SEND_RC" -eq 0 ]
pf_wait_sink "$W" 1 30
f=$(last_sink)
check "clean mail delivered" [ -n "$f" ]
check "its body arrives unchanged" diff <(body_of "$W/clean.eml") <(body_of "$f")

check "its subject is unchanged" grep -q "^Subject: Question sur mon contrat" "$f"
check "it carries X-Vigie-Status: release" grep -q "^X-Vigie-Status: release score=0" "$f"

# --- suspicious mail arrives tagged --------------------------------------------
printf '<html><head><HTA:APPLICATION ID="x"></head><body>invoice</body></html>\n' >"$W/invoice.hta"
attach "$W/tag.eml" "Your invoice" invoice.hta "$W/invoice.hta"
pf_sink_clear "$W"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/tag.eml"
pf_wait_sink "$W" 1 30
f=$(last_sink)
check "tagged mail delivered" [ -n "$f" ]
check "with the subject prefix" grep -q "^Subject: \[SUSPECT\] Your invoice" "$f"
check "with X-Vigie-Status: tag" grep -q "^X-Vigie-Status: tag score=8" "$f"
check "with the rules that fired" grep -q "av.Vigie.Risky.Script.HTA=8" "$f"

# --- a forged X-Vigie header is gone ---------------------------------------------
msg "$W/forged.eml" "hello" "X-Vigie-Status: release score=0 (forged)
X-Vigie-Score: -100" "nothing to see"
pf_sink_clear "$W"
pf_send "$SMTPD" customer@example.org service@cc.example "$W/forged.eml"
pf_wait_sink "$W" 1 30
f=$(last_sink)
check "the forged X-Vigie-Status is removed" bash -c "! grep -q 'forged' '$f'"
check "the forged X-Vigie-Score is removed" bash -c "! grep -q '^X-Vigie-Score' '$f'"
check "only our own status header remains" [ "$(grep -c '^X-Vigie-Status' "$f")" -eq 1 ]

# --- EICAR mail is quarantined, not delivered ------------------------------------
attach "$W/eicar.eml" "Facture" facture.com "$SRC/tests/fixtures/av/eicar.com"
pf_sink_clear "$W"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/eicar.eml"
check "EICAR mail accepted at SMTP (then discarded)" [ "$PF_SEND_RC" -eq 0 ]
pf_wait_idle "$W" 30
sleep 1
check "EICAR mail not delivered" [ "$(pf_sink_count "$W")" -eq 0 ]
meta=$(ls "$W"/q/new/*.json 2>/dev/null | head -1)
check "quarantine metadata present" [ -n "$meta" ]
check "quarantined bytes present" [ -f "${meta%.json}.eml" ]
check "metadata names the Postfix queue id and recipient" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["envelope"]["queue_id"] not in ("", "NOQUEUE", None), m["envelope"]
assert m["envelope"]["rcpt_to"] == ["<agent@cc.example>"], m["envelope"]
assert m["verdict"]["action"] == "quarantine"
assert any(f["rule"] == "av.Vigie.Test.EICAR" for f in m["verdict"]["findings"])
' "$meta"
check "the stored message holds the attachment" grep -q 'filename="facture.com"' "${meta%.json}.eml"
qid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["envelope"]["queue_id"])' "$meta")
check "Postfix logged the discard for that queue id" grep -q "$qid: milter-discard" "$(pf_maillog "$W")"

# reload_wait - SIGHUP, then wait until vigied logs one more reload (a
# reload builds a whole engine: seconds under the sanitizers, not one)
reload_wait() {
	local before
	before=$(grep -c 'reloaded: vigie\|reload failed' "$W/vigied.log")
	kill -HUP "$vpid"
	for _ in $(seq 300); do
		[ "$(grep -c 'reloaded: vigie\|reload failed' "$W/vigied.log")" -gt "$before" ] && return 0
		sleep 0.1
	done
	return 1
}

# --- a scan error tempfails, and the mail stays in Postfix's queue ---------------
sed -i "s|^temp_dir = .*|temp_dir = $W/no-such-dir|; s|^spill_size = .*|spill_size = 1K|" "$W/vigie.conf"
reload_wait
pf_sink_clear "$W"
msg "$W/big.eml" "big" "" "$(head -c 20000 /dev/zero | tr '\0' 'x')"
pf_sendmail "$W" customer@example.org service@cc.example "$W/big.eml"
sleep 3
check "a message that cannot be scanned is not delivered" [ "$(pf_sink_count "$W")" -eq 0 ]
check "it stays in Postfix's queue" [ "$(pf_queue_count "$W")" -ge 1 ]
check "vigied logged why" grep -q "cannot spill message" "$W/vigied.log"
sed -i "s|^temp_dir = .*|temp_dir = $W|; s|^spill_size = .*|spill_size = 64K|" "$W/vigie.conf"
reload_wait
pf_flush "$W"
pf_wait_sink "$W" 1 60
check "once the cause is fixed it is delivered on retry" [ "$(pf_sink_count "$W")" -eq 1 ]

# --- a reload mid-traffic loses nothing -------------------------------------------
pf_sink_clear "$W"
(
	for i in $(seq 1 30); do
		msg "$W/r$i.eml" "reload test $i" "" "message $i"
		pf_send "$SMTPD" customer@example.org service@cc.example "$W/r$i.eml" >/dev/null 2>&1
	done
) &
sender=$!
storm_from=$(($(wc -l <"$W/vigied.log") + 1))
for _ in 1 2 3 4 5; do sleep 0.4; kill -HUP "$vpid"; done
wait "$sender"
pf_wait_sink "$W" 30 90
check "30 messages sent across 5 reloads: 30 delivered" [ "$(pf_sink_count "$W")" -eq 30 ]
# signals that arrive while a reload is being built may be served by it:
# what matters is that none failed and the storm did reload
sleep 2
storm_log=$(tail -n +"$storm_from" "$W/vigied.log")
check "every reload succeeded" bash -c "! grep -q 'reload failed' <<<\"\$1\" && grep -q 'reloaded: vigie' <<<\"\$1\"" _ "$storm_log"

# --- vigied stopped: Postfix tempfails, nothing lost --------------------------------
kill -TERM "$vpid"; wait "$vpid" 2>/dev/null; vpid=
pf_sink_clear "$W"
msg "$W/down.eml" "while down" "" "hello"
pf_send "$SMTPD" customer@example.org service@cc.example "$W/down.eml"
check "with vigied down, Postfix answers 4xx (milter_default_action = tempfail)" \
	bash -c "[ $PF_SEND_RC -ne 0 ] && grep -q '451' <<<'$(echo "$PF_SEND_OUT" | tr -d "'")'"
pf_sendmail "$W" customer@example.org service@cc.example "$W/down.eml"
sleep 2
check "mail injected while vigied is down waits in the queue" [ "$(pf_sink_count "$W")" -eq 0 ]
start_vigied
pf_flush "$W"
pf_wait_sink "$W" 1 60
check "after vigied is back it is delivered" [ "$(pf_sink_count "$W")" -eq 1 ]

echo "1..$n"
[ "$bad" -eq 0 ]
