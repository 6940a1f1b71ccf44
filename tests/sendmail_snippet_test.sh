#!/usr/bin/env bash
# sendmail_snippet_test.sh VIGIE SRCDIR - the README's sendmail.mc snippet,
# as Sendmail's own m4 macros (Debian's sendmail-cf) build it into a
# sendmail.cf: it expands with no error and no macro left unexpanded, gives
# the "O InputMailFilters=vigie" and "Xvigie, ..." lines, its socket, flags
# and timeouts are ones Sendmail's milter code reads, and the socket is the
# one the README gives vigied, in a form vigied's [milter] listen accepts.
# Sendmail itself is not installed (on Debian it replaces Postfix, which the
# other tests need), so no mail goes through it. Prints TAP.
set -uo pipefail
VIGIE=$1
SRC=$(cd "$2" && pwd)
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; return 1; fi; }

CF=/usr/share/sendmail/cf
if [ ! -f "$CF/m4/cf.m4" ] || ! command -v m4 >/dev/null 2>&1; then
	echo "1..0 # SKIP sendmail-cf and m4 are not installed (scripts/deps --test installs them)"
	exit 0
fi
T=$(mktemp -d /tmp/vigie-sendmail.XXXXXX)
trap 'rm -rf "$T"' EXIT

# the README's snippet: the block after "In `sendmail.mc`"
python3 -c '
import re, sys
m = re.search(r"^In `sendmail.mc`[^\n]*\n\n```\n(.*?)^```$", open(sys.argv[1]).read(), re.M | re.S)
sys.stdout.write(m.group(1) if m else "")' "$SRC/README.md" >"$T/snippet"
check "the README has a sendmail.mc snippet with INPUT_MAIL_FILTER" grep -q '^INPUT_MAIL_FILTER(' "$T/snippet"

# a minimal sendmail.mc around it, as Debian's sendmail.mc is laid out
{
	echo "VERSIONID(\`vigie README snippet check')dnl"
	echo "OSTYPE(\`debian')dnl"
	echo "DOMAIN(\`debian-mta')dnl"
	cat "$T/snippet"
	echo "MAILER(\`local')dnl"
	echo "MAILER(\`smtp')dnl"
} >"$T/sendmail.mc"
m4 -D_CF_DIR_="$CF/" "$CF/m4/cf.m4" "$T/sendmail.mc" >"$T/sendmail.cf" 2>"$T/m4.err"
rc=$?
check "m4 with Sendmail's cf macros builds a sendmail.cf from it (exit 0, nothing on stderr)" \
	bash -c "[ $rc -eq 0 ] && [ ! -s '$T/m4.err' ] && [ -s '$T/sendmail.cf' ]" || sed 's/^/# /' "$T/m4.err"
# a misspelt macro or wrong quotes stay as text in the output
left=$(grep -nE '^[A-Za-z_]+\(|`' "$T/sendmail.cf" | grep -v '^[0-9]*:#' | head -3)
check "no macro is left unexpanded, no stray quote" [ -z "$left" ] || echo "# $left"
check "it names the filter: O InputMailFilters=vigie" grep -qx 'O InputMailFilters=vigie' "$T/sendmail.cf"
xline=$(grep '^Xvigie, ' "$T/sendmail.cf")
check "it declares the filter: an Xvigie line" [ -n "$xline" ] || echo "# no Xvigie line"
echo "# $xline"

# the X line's fields, as Sendmail's milter setup reads them
sock=$(python3 - "$xline" <<'PY'
import re, sys
line = sys.argv[1]
if "," not in line:
    print("BAD no Xvigie line")
    sys.exit(0)
fields = dict(f.strip().split("=", 1) for f in line.split(",", 1)[1].split(",") if "=" in f)
bad = []
s = fields.get("S", "")
if not re.fullmatch(r"(unix|local):/\S+|inet6?:\d+@\S+", s):
    bad.append("S=%s: not a socket Sendmail knows" % s)
if not re.fullmatch(r"[RT4]*", fields.get("F", "")):
    bad.append("F=%s: flags are R, T or 4" % fields.get("F"))
if fields.get("F", "").find("T") < 0:
    bad.append("F=%s: no T, so a vigied that is down would not tempfail" % fields.get("F", ""))
for t in filter(None, fields.get("T", "").split(";")):
    if not re.fullmatch(r"[CSRE]:\d+[smhd]?", t):
        bad.append("T=...%s: a timeout is C, S, R or E with a time" % t)
unknown = set(fields) - {"S", "F", "T"}
if unknown:
    bad.append("unknown fields %s" % sorted(unknown))
if bad:
    print("BAD " + "; ".join(bad))
else:
    print(s)
PY
)
check "its socket, flags (F=T: tempfail when vigied is down) and timeouts are Sendmail's" \
	bash -c "[ -n '$sock' ] && [ '${sock#BAD}' = '$sock' ]" || echo "# $sock"

# what vigied reads at MAIL FROM: the queue id (i, first on every log line)
# and {auth_authen} ([milter] skip_authenticated)
envfrom=$(sed -n 's/^O Milter.macros.envfrom=//p' "$T/sendmail.cf")
check "Sendmail sends vigied the queue id and {auth_authen} at MAIL FROM" \
	bash -c "echo '$envfrom' | tr -d ' ' | tr ',' '\n' | grep -qx i && echo '$envfrom' | grep -qF '{auth_authen}'" ||
	echo "# envfrom macros: $envfrom"

# the socket is the one the README gives vigied, and vigied accepts it
readme_listen=$(grep -o '\[milter\] listen = [^`]*' "$SRC/README.md" | head -1 | sed 's/.*= //')
check "the socket is the README's [milter] listen ($readme_listen)" [ "$sock" = "$readme_listen" ]
printf '[core]\nsignatures = %s/signatures\n[av]\nsystem_database = off\n[milter]\nlisten = %s\n' \
	"$SRC" "$sock" >"$T/vigie.conf"
timeout 120 "$VIGIE" -c "$T/vigie.conf" --check-config >"$T/o" 2>&1
check "vigied's [milter] listen accepts it" [ $? -eq 0 ] || sed 's/^/# /' "$T/o"

echo "1..$n"
[ "$bad" -eq 0 ]
