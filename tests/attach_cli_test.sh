#!/usr/bin/env bash
# attach_cli_test.sh VIGIE ATTACH_TEST SRCDIR - the attachment analyser as
# `vigie scan` runs it on the shipped configuration: the mails attach_test
# writes (a QR code as the only payload, a PDF whose only content is a
# button, a plain PDF invoice) get the verdict and the attach.* finding
# expected, and vigie's exit status says flagged (1) or released (0).
# Prints TAP.
set -uo pipefail
VIGIE=$1
GEN=$2
SRC=$(cd "$3" && pwd)
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
T=$(mktemp -d /tmp/vigie-attach.XXXXXX)
trap 'rm -rf "$T"' EXIT

if ! "$GEN" --write-mails "$T" >"$T/list"; then
	echo "1..1"
	nok "attach_test writes the mails"
	exit 1
fi
while read -r path expect rule; do
	name=$(basename "$path" .eml)
	out=$("$VIGIE" -c "$SRC/etc/vigie.conf" scan "$path" 2>&1)
	rc=$?
	verdict=$(head -1 <<<"$out" | sed -E 's/^[^:]*: ([a-z]+).*/\1/')
	if [ "$expect" = flagged ]; then
		if [ $rc -eq 1 ] && [[ $verdict =~ ^(tag|quarantine|reject)$ ]]; then ok "$name: flagged ($verdict)"
		else nok "$name: flagged" "exit $rc" "$out"; fi
	else
		if [ $rc -eq 0 ] && [ "$verdict" = release ]; then ok "$name: released"
		else nok "$name: released" "exit $rc" "$out"; fi
	fi
	if [ "$rule" != - ]; then
		if grep -q "^  $rule " <<<"$out"; then ok "$name: $rule"
		else nok "$name: $rule" "$out"; fi
	fi
	if grep -q "scan.incomplete" <<<"$out"; then nok "$name: fully scanned" "$out"
	else ok "$name: fully scanned"; fi
done <"$T/list"
echo "1..$n"
[ $bad -eq 0 ]
