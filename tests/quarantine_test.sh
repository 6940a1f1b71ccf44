#!/usr/bin/env bash
# quarantine_test.sh VIGIE VIGIED SRCDIR - the review tool end to end:
# golden output of list/show on fixed items, bad ids and planted symlinks,
# then with a real Postfix (tests/postfix/pf.sh) and vigied as its milter: a
# mail quarantined through the milter, listed, shown, released, found in the
# sink with its original body, without the release token, and not
# quarantined again; a release refused by the MTA; a forged release header;
# a genuine token replayed on other mail, other content, other recipients
# and a second time; a release not honoured by the milter is not reported
# released; two concurrent releases; vigied as [daemon] user owns the
# release key; delete, purge and the audit log. Prints TAP.
set -uo pipefail
VIGIE=$1
VIGIED=$2
SRC=$3
. "$SRC/tests/postfix/pf.sh"
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi; }

W=$(mktemp -d /tmp/vigie-qt.XXXXXX)
chmod 755 "$W"
vpid= cpid=
cleanup() {
	[ -n "$vpid" ] && kill -TERM "$vpid" 2>/dev/null
	[ -n "$cpid" ] && kill -TERM "$cpid" 2>/dev/null
	pf_stop "$W" >/dev/null 2>&1
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

# --- golden output on fixed items ---------------------------------------------
mkdir -p "$W/fixed"
cp -r "$SRC"/tests/fixtures/quarantine/new "$SRC"/tests/fixtures/quarantine/released "$W/fixed/"
printf '[quarantine]\ndir = %s/fixed\n' "$W" >"$W/fixed.conf"
G=$SRC/tests/fixtures/quarantine
golden() { # golden NAME FILE ARGS...
	local name=$1 file=$2; shift 2
	if "$VIGIE" -c "$W/fixed.conf" quarantine "$@" >"$W/out" 2>"$W/err" && diff -u "$G/$file" "$W/out" >"$W/diff"; then
		ok "$name"
	else
		nok "$name" "$(head -20 "$W/diff")" "$(cat "$W/err")"
	fi
}
golden "list: newest first, aligned, counts per category" list.golden list
golden "list with filters (--channel mail --min-score 50)" list-filtered.golden list --channel mail --min-score 50
golden "show a mail item: envelope, headers, findings, defanged text" show-mail.golden show 20261120T101500Z-00000000000000a1
golden "show a chat item" show-chat.golden show 20261121T083000Z-00000000000000b2
"$VIGIE" -c "$W/fixed.conf" quarantine list --json >"$W/out"
check "list --json is a JSON array of the metadata" python3 -c '
import json, sys
items = json.load(open(sys.argv[1]))
assert [i["id"] for i in items] == ["20261121T083000Z-00000000000000b2", "20261120T101500Z-00000000000000a1"]
' "$W/out"
"$VIGIE" -c "$W/fixed.conf" quarantine list --state released >"$W/out"
check "list --state released shows released items" grep -q "20261119T090000Z-00000000000000c3" "$W/out"
"$VIGIE" -c "$W/fixed.conf" quarantine show --raw 20261120T101500Z-00000000000000a1 >"$W/out"
check "show --raw prints the original bytes exactly" cmp "$W/out" "$G/new/20261120T101500Z-00000000000000a1.eml"

# --- the release tool never makes the release key ---------------------------------
"$VIGIE" -c "$W/fixed.conf" quarantine release 20261120T101500Z-00000000000000a1 >"$W/out" 2>"$W/err"
rc=$?
check "with no release key, release refuses and says to start vigied first" \
	bash -c "[ $rc -eq 2 ] && grep -q 'start vigied first' '$W/err'"
check "and makes no key itself" [ ! -e "$W/fixed/release.key" ]
check "the item stays quarantined" [ -f "$W/fixed/new/20261120T101500Z-00000000000000a1.eml" ]

# --- bad ids, symlinks -----------------------------------------------------------
for id in "../../etc/passwd" "/etc/passwd" "20261120T101500Z-00000000000000a1/../x" "" "20261120T101500Z-00000000000000A1"; do
	"$VIGIE" -c "$W/fixed.conf" quarantine show "$id" >"$W/out" 2>"$W/err"
	rc=$?
	check "bad id '$id' is refused clearly" bash -c "[ $rc -eq 2 ] && grep -q 'not a quarantine id\|which ID' '$W/err'"
done
"$VIGIE" -c "$W/fixed.conf" quarantine show 20301231T235959Z-0123456789abcdef >"$W/out" 2>"$W/err"
check "an unknown id is a clear error" grep -q "no quarantine item 20301231T235959Z-0123456789abcdef" "$W/err"
ln -s /etc/passwd "$W/fixed/new/20261122T000000Z-00000000000000d4.json"
"$VIGIE" -c "$W/fixed.conf" quarantine show 20261122T000000Z-00000000000000d4 >"$W/out" 2>"$W/err"
check "a symlink planted in the folder is not followed" bash -c "! grep -q root: '$W/out'"
"$VIGIE" -c "$W/fixed.conf" quarantine delete ../x 20261120T101500Z-00000000000000a1 >"$W/out" 2>"$W/err"
check "delete refuses a bad id and deletes a good one" bash -c "grep -q 'not a quarantine id' '$W/err' && [ -f '$W/fixed/deleted/20261120T101500Z-00000000000000a1.eml' ]"
"$VIGIE" -c "$W/fixed.conf" quarantine purge --older-than 1d >"$W/out"
check "purge removes items past the age" bash -c "[ ! -e '$W/fixed/new/20261121T083000Z-00000000000000b2.json' ] && grep -q 'item(s) purged' '$W/out'"
check "every action is in the audit log" bash -c "grep -q '	delete	20261120T101500Z-00000000000000a1	deleted' '$W/fixed/audit.log' && grep -q '	purge	' '$W/fixed/audit.log'"

# --- with a real Postfix -----------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null; then
	echo "1..$n"
	[ "$bad" -eq 0 ]
	exit
fi
SMTPD=$(pf_free_port)
SINK=$(pf_free_port "$SMTPD")
MILTER=$(pf_free_port "$SMTPD" "$SINK")
cat >"$W/vigie.conf" <<CONF
[core]
signatures = $SRC/signatures
[daemon]
syslog = no
# root first (the old default), then [daemon] user below
user =
allow_root = yes
[milter]
listen = inet:$MILTER@127.0.0.1
temp_dir = $W
[quarantine]
dir = $W/q
release_host = 127.0.0.1
release_port = $SMTPD
CONF
"$VIGIED" -c "$W/vigie.conf" -f >"$W/vigied.log" 2>&1 &
vpid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$MILTER") 2>/dev/null && break; sleep 0.1; done
pf_start "$W" "$SMTPD" "$SINK" "inet:127.0.0.1:$MILTER" >"$W/pf.log" 2>&1 || { echo "Bail out! postfix"; cat "$W/pf.log"; exit 1; }
pf_postconf "$W" "smtpd_recipient_restrictions = check_recipient_access inline:{ { blocked@cc.example = REJECT no such agent } }, permit_mynetworks, reject" >/dev/null 2>&1

eicar_mail() { # eicar_mail FILE SUBJECT [EXTRA HEADER]
	{
		printf 'From: Billing <billing@example.net>\nTo: agent@cc.example\nSubject: %s\n%sMIME-Version: 1.0\n' "$2" "${3:+$3
}"
		printf 'Content-Type: multipart/mixed; boundary="b0"\n\n--b0\nContent-Type: text/plain\n\nOriginal body line 1.\nOriginal body line 2.\n'
		printf -- '--b0\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="f.com"\nContent-Transfer-Encoding: base64\n\n'
		base64 "$SRC/tests/fixtures/av/eicar.com"
		printf -- '--b0--\n'
	} >"$1"
}
V() { "$VIGIE" -c "$W/vigie.conf" quarantine "$@"; }

eicar_mail "$W/m1.eml" "release me"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m1.eml"
pf_wait_idle "$W" 30
id=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
check "the mail quarantined through the milter is listed" [ -n "$id" ]
V show "$id" >"$W/out"
check "show names the signature and the attachment" grep -q 'av.Vigie.Test.EICAR.*attachment f.com' "$W/out"
check "nothing was delivered yet" [ "$(pf_sink_count "$W")" -eq 0 ]
V release "$id" >"$W/out" 2>"$W/err"
check "release succeeds when the MTA accepts" [ $? -eq 0 ]
check "it prints the MTA's reply" grep -q "released (MTA: 250" "$W/out"
pf_wait_sink "$W" 1 60
f=$(pf_sink_files "$W" | tail -1)
check "the released mail reaches the sink" [ -n "$f" ]
check "the release token header is removed before delivery" bash -c "! grep -qi '^X-Vigie-Release' '$f'"
check "with its original body" bash -c "grep -q 'Original body line 1.' '$f' && grep -q 'Original body line 2.' '$f'"
check "marked released by vigied, not scanned again" grep -q "^X-Vigie-Status: released $id" "$f"
check "not quarantined again" [ "$(ls "$W"/q/new/*.json 2>/dev/null | wc -l)" -eq 0 ]
check "the item is in released/ with its state" grep -q '"state" : "released"' "$W/q/released/$id.json"
check "the release is audited with the MTA's reply" grep -q "	release	$id	released: 250" "$W/q/audit.log"
check "vigied recorded the token's use (its delivery marker)" [ "$(ls "$W"/q/tokens | wc -l)" -eq 1 ]
V release "$id" >"$W/out" 2>"$W/err"
check "releasing it twice is refused" grep -q "not in quarantine" "$W/err"

# --- a release refused by the MTA leaves the item quarantined ------------------------
eicar_mail "$W/m2.eml" "refused"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m2.eml"
pf_wait_idle "$W" 30
id2=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
pf_sink_clear "$W"
V release "$id2" --to blocked@cc.example >"$W/out" 2>"$W/err"
rc=$?
check "a refused release fails (exit 2)" [ "$rc" -eq 2 ]
check "and says why, with the MTA's reply" grep -q "refused, item stays quarantined: 554.*no such agent" "$W/err"
check "the item is still quarantined" [ -f "$W/q/new/$id2.eml" ] 
check "nothing was delivered" [ "$(pf_sink_count "$W")" -eq 0 ]
V release "$id2" --to analyst@cc.example >"$W/out" 2>"$W/err"
pf_wait_sink "$W" 1 60
check "--to releases to another address (the analyst)" grep -q "X-Rcpt-Args: <analyst@cc.example>" "$(pf_sink_files "$W" | tail -1)"

# --- a forged release header does not bypass scanning ---------------------------------
now=$(date +%s)
eicar_mail "$W/m3.eml" "forged release" "X-Vigie-Release: $id; t=$now; mac=$(printf '0%.0s' $(seq 64))"
pf_sink_clear "$W"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m3.eml"
pf_wait_idle "$W" 30
sleep 1
check "a forged X-Vigie-Release is not honoured: quarantined" [ "$(ls "$W"/q/new/*.json | wc -l)" -eq 1 ]
check "and not delivered" [ "$(pf_sink_count "$W")" -eq 0 ]

# --- a genuine token: not replayable --------------------------------------------------------
# Release once to a capturing smtp-sink instead of Postfix: no milter sees it, so
# the release must be reported failed; the captured mail holds a genuine token.
id3=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
eicar_mail "$W/m4.eml" "replay source"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m4.eml"
pf_wait_idle "$W" 30
id4=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
CAP=$(pf_free_port "$SMTPD" "$SINK" "$MILTER")
mkdir -p "$W/cap" && chown postfix "$W/cap"
smtp-sink -u postfix -d "$W/cap/%Y%m%d%H%M%S." "127.0.0.1:$CAP" 10 >"$W/cap.log" 2>&1 &
cpid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$CAP") 2>/dev/null && break; sleep 0.1; done
sed "s/^release_port = .*/release_port = $CAP/" "$W/vigie.conf" >"$W/cap.conf"
"$VIGIE" -c "$W/cap.conf" quarantine release "$id4" >"$W/out" 2>"$W/err"
rc=$?
check "a release the milter did not honour is not reported released, even after 250" \
	bash -c "[ $rc -eq 2 ] && grep -q 'did not honour the release token' '$W/err' && ! grep -q ': released' '$W/out'"
check "the item stays quarantined" [ -f "$W/q/new/$id4.eml" ]
check "and the failure is audited" grep -q "	release	$id4	refused: the MTA answered 250.*did not honour" "$W/q/audit.log"
kill -TERM "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null; cpid=
capf=$(ls "$W"/cap/* | head -1)
sed -n '/^X-Vigie-Release:/,$p' "$capf" >"$W/captured.eml"
token=$(sed -n 's/^X-Vigie-Release: //p' "$W/captured.eml")
check "the captured mail carries a token" [ -n "$token" ]
# an item being released sits in released/ while its token travels
mv "$W/q/new/$id4.eml" "$W/q/released/$id4.eml"
nq() { ls "$W"/q/new/*.json 2>/dev/null | wc -l; }
not_honoured() { # not_honoured NAME FILE RCPTS
	local before; before=$(nq)
	pf_sink_clear "$W"
	pf_send "$SMTPD" billing@example.net "$3" "$2"
	pf_wait_idle "$W" 30
	sleep 1
	check "$1: not delivered" [ "$(pf_sink_count "$W")" -eq 0 ]
	check "$1: scanned and quarantined" [ "$(nq)" -eq $((before + 1)) ]
}
eicar_mail "$W/m5.eml" "new malicious mail" "X-Vigie-Release: $token"
sed -i 's|^Original body line 1\.$|Your mailbox is full: log in at http://mail-verify.example/login|' "$W/m5.eml"
not_honoured "the token replayed on a new mail" "$W/m5.eml" agent@cc.example
{ cat "$W/captured.eml"; printf 'Appended line.\n'; } >"$W/m6.eml"
not_honoured "the token on other content" "$W/m6.eml" agent@cc.example
not_honoured "the token to other recipients" "$W/captured.eml" agent@cc.example,other@cc.example
check "vigied logged why it refused them" \
	[ "$(grep -c 'X-Vigie-Release not honoured (release token not made for' "$W/vigied.log")" -ge 3 ]
pf_sink_clear "$W"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/captured.eml"
pf_wait_sink "$W" 1 60
f=$(pf_sink_files "$W" | tail -1)
check "the token on its own content and recipients is honoured once" grep -q "^X-Vigie-Status: released $id4" "$f"
check "and the header is absent in what the sink receives" bash -c "! grep -qi '^X-Vigie-Release' '$f'"
not_honoured "a second use of the token" "$W/captured.eml" agent@cc.example
check "vigied logged the second use" grep -q "X-Vigie-Release not honoured (release token already used)" "$W/vigied.log"
rm -f "$W"/q/new/*

# --- two concurrent releases deliver once ------------------------------------------------
eicar_mail "$W/m7.eml" "concurrent"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m7.eml"
pf_wait_idle "$W" 30
pf_sink_clear "$W"
id3=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
V release "$id3" >"$W/r1" 2>&1 &
p1=$!
V release "$id3" >"$W/r2" 2>&1 &
p2=$!
wait "$p1" "$p2"
pf_wait_sink "$W" 1 60
sleep 2
check "two concurrent releases: one succeeds" [ "$(cat "$W/r1" "$W/r2" | grep -c ': released')" -eq 1 ]
check "the other is told the item is already taken" grep -q "not in quarantine" "$W/r1" "$W/r2"
check "the message is delivered exactly once" [ "$(pf_sink_count "$W")" -eq 1 ]

# --- vigied as [daemon] user: the release key is its own ---------------------------------
kill -TERM "$vpid"; wait "$vpid" 2>/dev/null; vpid=
rm -rf "$W/q"
sed -i 's/^user =$/user = nobody/; s/^allow_root = yes$/allow_root = no/' "$W/vigie.conf"
"$VIGIED" -c "$W/vigie.conf" -f >"$W/vigied.log" 2>&1 &
vpid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$MILTER") 2>/dev/null && break; sleep 0.1; done
check "vigied runs as nobody" grep -q "running as nobody" "$W/vigied.log"
check "vigied made the release key at start, owned by its user, 0600" \
	[ "$(stat -c %U:%a "$W/q/release.key" 2>/dev/null)" = "nobody:600" ]
eicar_mail "$W/m8.eml" "release as root"
pf_sink_clear "$W"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m8.eml"
pf_wait_idle "$W" 30
id8=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
V release "$id8" >"$W/out" 2>"$W/err"
check "a release run as root succeeds" bash -c "[ $? -eq 0 ] && grep -q 'released (MTA: 250' '$W/out'"
pf_wait_sink "$W" 1 60
check "and the mail is delivered, not quarantined again" \
	bash -c "[ \"\$(ls '$W'/q/new/*.json 2>/dev/null | wc -l)\" -eq 0 ] && grep -q '^X-Vigie-Status: released $id8' \"\$(ls '$W'/sink/* | tail -1)\""
chown root:root "$W/q/release.key"
eicar_mail "$W/m9.eml" "root key"
pf_send "$SMTPD" billing@example.net agent@cc.example "$W/m9.eml"
pf_wait_idle "$W" 30
id9=$(V list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
V release "$id9" >"$W/out" 2>"$W/err"
rc=$?
check "a key vigied's user cannot read is refused with a clear message" \
	bash -c "[ $rc -eq 2 ] && grep -q 'cannot read it' '$W/err'"
check "and the item stays quarantined" [ -f "$W/q/new/$id9.eml" ]

echo "1..$n"
[ "$bad" -eq 0 ]
