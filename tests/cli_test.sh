#!/usr/bin/env bash
# cli_test.sh VIGIE SRCDIR - the vigie command end to end, with the bundled
# configuration and the real libclamav engine on the bundled signatures.
# Prints TAP. Table-driven where the cases are data.
set -uo pipefail
VIGIE=$1
SRC=$2
T=$(mktemp -d /tmp/vigie-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
CONF=$SRC/etc/vigie.conf
n=0 bad=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check NAME COND... : pass when the command in COND succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; fi; }

# run_vigie OUT ERR ARGS... -> sets rc; never lets a crash pass as an exit code
run_vigie() {
	local out=$1 err=$2; shift 2
	timeout 120 "$VIGIE" "$@" >"$out" 2>"$err"
	rc=$?
}
crashed() { [ "$rc" -ge 124 ] || grep -q "Sanitizer\|runtime error" "$1"; }

# mail_with FILE NAME -> a mail carrying FILE as a base64 attachment NAME
mail_with() {
	printf 'From: sender@example.org\nTo: agent@cc.example\nSubject: document\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="sep"\n\n--sep\nContent-Type: text/plain\n\nPlease see the attached file.\n'
	printf -- '--sep\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="%s"\n' "$2"
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$1"
	printf -- '--sep--\n'
}

# --- configuration ---------------------------------------------------------
run_vigie "$T/o" "$T/e" -c "$CONF" --check-config
check "check-config accepts the bundled configuration" [ "$rc" -eq 0 ]
check "check-config reports signatures loaded" grep -q "OK (vigie .*bundled signatures" "$T/o"
# the lexicon rules the one-pass prefilter cannot take are listed by
# file:line (a -Dlexicon_prefilter=false build says it has none)
check "check-config reports the lexicon prefilter and the rules it cannot take" \
	grep -Eq "^  .*/lexicons/[a-z]+\.txt:[0-9]+: .* \(category [a-z-]+\): no literal|^lexicon prefilter: none" "$T/o"

printf '[core]\nmax_message_size = 1M\nsignatures = %s/signatures\n[av]\nsystem_database = off\nheuristic_macros = perhaps\n' "$SRC" >"$T/bad.conf"
run_vigie "$T/o" "$T/e" -c "$T/bad.conf" --check-config
check "check-config rejects a bad value (exit 2)" [ "$rc" -eq 2 ]
check "the error names file, line and key" grep -q "bad.conf:6: \[av\] heuristic_macros: 'perhaps' is not a boolean" "$T/e"

mkdir -p "$T/sigs"
cp "$SRC"/signatures/clamav/* "$T/sigs/"
printf 'Vigie.Test.Good:0:*:414243444546\nVigie.Test.Bad:0:*:4142zz\n' >"$T/sigs/zz-broken.ndb"
printf '[core]\nsignatures = %s/signatures\n[av]\nbundled = sigs\nsystem_database = off\n' "$SRC" >"$T/brokensigs.conf"
run_vigie "$T/o" "$T/e" -c "$T/brokensigs.conf" --check-config
check "a broken signature file fails the load" [ "$rc" -eq 2 ]
check "the error names the signature file and line" grep -q "zz-broken.ndb.*line 2" "$T/e"

run_vigie "$T/o" "$T/e" -c /nonexistent/vigie.conf --check-config
check "a missing configuration is a clear error" grep -q "/nonexistent/vigie.conf: cannot read" "$T/e"

# the feeds folder ([urls] feeds): the state folder vigie update fills
printf '[core]\nsignatures = %s/signatures\n[av]\nsystem_database = off\n[urls]\nfeeds = %s/feeds\n' "$SRC" "$T" >"$T/feeds.conf"
for cmd in --check-config "scan $T/nosuch.eml"; do
	# shellcheck disable=SC2086
	run_vigie "$T/o" "$T/e" -c "$T/feeds.conf" $cmd
	crashed "$T/e" && rc=crash
	check "a missing feeds folder: ${cmd%% *} stops (exit 2) naming the key, the line and what to do" \
		bash -c "[ $rc = 2 ] && grep -qF '[urls] feeds = $T/feeds (line 6): $T/feeds: no such folder (the folder \"vigie update\" downloads the URL feeds into' '$T/e'"
done
mkdir "$T/feeds"
run_vigie "$T/o" "$T/e" -c "$T/feeds.conf" --check-config
check "an empty feeds folder is valid, with a note that vigie update fills it" \
	bash -c "[ $rc -eq 0 ] && grep -qF 'note: [urls] feeds = $T/feeds holds no feed yet' '$T/o'"
run_vigie "$T/o" "$T/e" -c "$T/feeds.conf" scan "$SRC/samples/mail/01-customer-question.eml"
check "and scanning works without any blocklist (exit 0)" [ "$rc" -eq 0 ]
printf 'https://phish.example/x\n' >"$T/feeds/mirror.urls"
run_vigie "$T/o" "$T/e" -c "$T/feeds.conf" --check-config
check "no note once the folder holds a feed" bash -c "[ $rc -eq 0 ] && ! grep -q '^note: ' '$T/o'"
rm -r "$T/feeds"

# --- scanning: verdicts and exit codes --------------------------------------
printf 'From: client@example.org\nTo: service@cc.example\nSubject: question\n\nBonjour, quand arrive ma commande ?\n' >"$T/clean.eml"
run_vigie "$T/o" "$T/e" -c "$CONF" scan "$T/clean.eml"
check "a clean mail is released (exit 0)" [ "$rc" -eq 0 ]
check "human output names the action and score" grep -qE "clean.eml: release \(score -?[0-9]+\)" "$T/o"

mail_with "$SRC/tests/fixtures/av/eicar.com" "eicar.com" >"$T/eicar.eml"
run_vigie "$T/o" "$T/e" -c "$CONF" scan "$T/eicar.eml"
check "an EICAR attachment is quarantined (exit 1)" [ "$rc" -eq 1 ]
check "the finding names the signature and the attachment" \
	grep -q 'av.Vigie.Test.EICAR .*malware .*decisive.*in attachment eicar.com (part 1.2)' "$T/o"

run_vigie "$T/o" "$T/e" -c "$CONF" scan --json "$T/eicar.eml" "$T/clean.eml"
check "--json prints one valid JSON object per input" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["action"] for r in rows] == ["quarantine", "release"], rows
assert rows[0]["findings"][0]["rule"] == "av.Vigie.Test.EICAR"
assert rows[0]["findings"][0]["decisive"] is True
' "$T/o"

mkdir -p "$T/dir/sub"
cp "$T/clean.eml" "$T/dir/a.eml"
cp "$T/eicar.eml" "$T/dir/sub/b.eml"
run_vigie "$T/o" "$T/e" -c "$CONF" scan "$T/dir"
check "a folder is scanned recursively with a summary line" \
	grep -q "^2 scanned: 1 released, 0 tagged, 1 quarantined, 0 rejected, 0 errors" "$T/o"

timeout 60 "$VIGIE" -c "$CONF" scan - <"$T/eicar.eml" >"$T/o" 2>"$T/e"
check "standard input is scanned" grep -q "^-: quarantine" "$T/o"

# --- bad input: a verdict or a clear error, never a crash --------------------
: >"$T/empty.eml"
run_vigie "$T/o" "$T/e" -c "$CONF" scan "$T/empty.eml"
check "an empty file is a clear error (exit 2)" [ "$rc" -eq 2 ]
check "the error says empty" grep -q "empty.eml: empty message" "$T/e"

run_vigie "$T/o" "$T/e" -c "$CONF" scan "$T/nosuch.eml"
check "a missing input is an error naming it" grep -q "nosuch.eml" "$T/e"

printf '[core]\nmax_message_size = 1K\nsignatures = %s/signatures\n' "$SRC" >"$T/small.conf"
head -c 5000 /dev/zero | tr '\0' 'a' | sed 's/^/Subject: x\n\n/' >"$T/big.eml"
run_vigie "$T/o" "$T/e" -c "$T/small.conf" scan "$T/big.eml"
check "an oversized input is refused by name" grep -q "big.eml: larger than \[core\] max_message_size" "$T/e"

printf '{"text": "hi", "author": "not an object"}' >"$T/bad.json"
run_vigie "$T/o" "$T/e" -c "$CONF" scan --channel chat "$T/bad.json"
check "invalid chat JSON names the field" grep -q "field 'author' must be" "$T/e"
printf '{"text": "Bonjour", "platform": "whatsapp", "author": {"id": "1", "name": "Client"}}' >"$T/good.json"
run_vigie "$T/o" "$T/e" -c "$CONF" scan --channel chat --json "$T/good.json"
check "a chat message is scanned on the chat channel" grep -q '"channel":"chat","action":"release"' "$T/o"

# verdicts of one "vigie scan --json" over many inputs, one line per input:
# INPUT<TAB>verdict ACTION | INPUT<TAB>error MESSAGE | INPUT<TAB>bad ROW
rows_by_input() {
	python3 -c '
import json, sys
for line in open(sys.argv[1], errors="replace"):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    name = r.get("input", "?")
    if "action" in r and r.get("error") is None:
        print("%s\tverdict %s" % (name, r["action"]))
    elif "action" not in r and r.get("error"):
        print("%s\terror %s" % (name, r["error"].splitlines()[0]))
    else:
        print("%s\tbad %s" % (name, line.strip()[:200]))
' "$1"
}

# every hostile input in one process (one engine build: the sanitizer build
# pays seconds for each); each input still gets its own verdict or error,
# and a crash is retried one input at a time to name the input
python3 "$SRC/tests/make_bad_inputs.py" "$T/bad"
run_vigie "$T/o" "$T/e" -c "$CONF" scan --json "$T/bad"
batch_crashed=no
crashed "$T/e" && batch_crashed=yes
rows_by_input "$T/o" >"$T/rows"
for f in "$T"/bad/*; do
	name=$(basename "$f")
	if [ "$batch_crashed" = yes ]; then
		run_vigie "$T/o1" "$T/e1" -c "$CONF" scan --json "$f"
		if crashed "$T/e1"; then
			nok "bad input $name: no crash, no hang" "exit $rc" "$(head -5 "$T/e1")"
			continue
		fi
		rows_by_input "$T/o1" >"$T/row1"
		row=$(cut -f2- "$T/row1" | head -1)
	else
		row=$(awk -F'\t' -v f="$f" '$1 == f { sub(/^[^\t]*\t/, ""); print; exit }' "$T/rows")
	fi
	case "$row" in
	"verdict "*) ok "bad input $name: verdict ${row#verdict }" ;;
	"error "?*) ok "bad input $name: clear error: ${row#error }" ;;
	*) nok "bad input $name" "row: ${row:-none}" "$(head -3 "$T/e")" ;;
	esac
done
[ "$batch_crashed" = yes ] && nok "the hostile inputs in one run: no crash" "exit $rc" "$(head -5 "$T/e")"

# --- every bundled signature: its sample fires, its near-miss does not -------
# each fixture in its own mail, all scanned by one process
FIX=$SRC/tests/fixtures/av
mkdir -p "$T/fx"
while IFS=$'\t' read -r file expect; do
	case "$file" in ''|'#'*) continue ;; esac
	[ -s "$FIX/$file" ] && mail_with "$FIX/$file" "$file" >"$T/fx/$file.eml"
done <"$FIX/EXPECTED"
run_vigie "$T/o" "$T/e" -c "$CONF" scan --json "$T/fx"
crashed "$T/e" && nok "the signature fixtures in one run: no crash" "exit $rc" "$(head -5 "$T/e")"
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    names = sorted({f["evidence"] for f in r.get("findings", []) if f["rule"].startswith("av.")
                    and (f["evidence"].startswith("Vigie") or f["evidence"].startswith("Heuristics")
                         or "Vigie" in f["evidence"])})
    got = "error: " + r["error"] if "action" not in r else ",".join(names) if names else "clean"
    print("%s\t%s" % (r["input"].rsplit("/", 1)[-1][:-len(".eml")], got))
' "$T/o" >"$T/fxrows" 2>"$T/fxerr" || nok "the signature fixtures' verdicts are JSON" "$(head -3 "$T/fxerr")"
while IFS=$'\t' read -r file expect; do
	case "$file" in ''|'#'*) continue ;; esac
	# a fixture listed but absent would send a mail with no attachment
	if [ ! -s "$FIX/$file" ]; then
		nok "signature fixture $file" "missing: $FIX/$file"
		continue
	fi
	got=$(awk -F'\t' -v f="$file" '$1 == f { print $2; exit }' "$T/fxrows")
	want=$(echo "$expect" | tr ',' '\n' | sed 's/\.UNOFFICIAL$//' | sort | paste -sd, -)
	if [ "$got" = "$want" ]; then
		ok "signature fixture $file -> $want"
	else
		nok "signature fixture $file" "want: $want" "got:  ${got:-no verdict}"
	fi
done <"$FIX/EXPECTED"

echo "1..$n"
[ "$bad" -eq 0 ]
