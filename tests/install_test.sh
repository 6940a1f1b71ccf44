#!/usr/bin/env bash
# install_test.sh BUILDDIR SRCDIR - "meson install --destdir" of this build
# into a throwaway folder: every file in its FHS place (programs, the
# configuration with installed paths, signatures, man pages, the systemd
# unit, tmpfiles.d and sysusers.d entries); the installed programs answer
# --version and --help; the installed configuration, its paths moved into
# the folder, passes --check-config and scans a sample; a configuration
# copied away from its rules fails naming the key and the line; vigie.conf(5)
# lists every key of the sample configuration; the README's main.cf snippet
# reads as intended; the README's install section matches a build made with
# its own meson setup line (every path of its table installed, made by
# tmpfiles.d or named by the installed configuration). Prints TAP.
set -uo pipefail
BUILD=$1
SRC=$2
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; return 1; fi; }

D=$(mktemp -d /tmp/vigie-install.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$D"' EXIT

# the build's directories: absolute, or relative to the prefix
eval "$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, os, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
for k in ("prefix", "bindir", "sbindir", "sysconfdir", "datadir", "mandir", "localstatedir"):
    print("%s=%s" % (k, os.path.join(o["prefix"], o[k])))
print("default_config=%s" % (o["default_config"] or os.path.join(o["prefix"], o["sysconfdir"], "vigie", "vigie.conf")))
print("dev_default=%s" % ("no" if o["default_config"] else "yes"))
')"

# --- meson install --------------------------------------------------------
meson install -C "$BUILD" --destdir "$D" --no-rebuild --quiet >"$D.log" 2>&1
rc=$?
check "meson install --destdir succeeds" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || sed 's/^/# /' "$D.log"
rm -f "$D.log"

CONF=$D$sysconfdir/vigie/vigie.conf
SIGS=$D$datadir/vigie/signatures
check "vigie is in bindir" [ -x "$D$bindir/vigie" ]
check "vigied is in sbindir" [ -x "$D$sbindir/vigied" ]
check "nothing else is in bindir" [ "$(ls "$D$bindir")" = vigie ]
check "the configuration is sysconfdir/vigie/vigie.conf" [ -f "$CONF" ]
for d in clamav urls urls/feeds protected lexicons intent structure; do
	check "signatures/$d is in datadir/vigie" [ -d "$SIGS/$d" ]
done
check "structure weights are installed" [ -f "$SIGS/structure/weights.conf" ]
check "vigie(1) is installed" [ -f "$D$mandir/man1/vigie.1" ]
check "vigied(8) is installed" [ -f "$D$mandir/man8/vigied.8" ]
check "vigie.conf(5) is installed" [ -f "$D$mandir/man5/vigie.conf.5" ]
UNIT=$(find "$D" -name vigied.service -path '*systemd/system/*' | head -1)
check "vigied.service is in a systemd unit folder" [ -n "$UNIT" ]
TMPF=$(find "$D" -path '*tmpfiles.d/vigie.conf' | head -1)
check "a tmpfiles.d entry makes /run/vigie for user vigie" grep -q '^d /run/vigie 0750 vigie vigie' "${TMPF:-/dev/null}"
check "tmpfiles.d makes the state folder for user vigie" grep -qx "d $localstatedir/lib/vigie 0750 vigie vigie -" "${TMPF:-/dev/null}"
check "tmpfiles.d makes the feeds folder for user vigie" grep -qx "d $localstatedir/lib/vigie/feeds 0750 vigie vigie -" "${TMPF:-/dev/null}"
SYSU=$(find "$D" -path '*sysusers.d/vigie.conf' | head -1)
check "a sysusers.d entry makes the user vigie" grep -q '^u vigie ' "${SYSU:-/dev/null}"

# --- the installed configuration -------------------------------------------
check "no relative path is left in it" bash -c "! grep -Eq '^[a-z_]+ = \\.\\./' '$CONF'"
check "its signatures are datadir/vigie/signatures" grep -qx "bundled = $datadir/vigie/signatures/clamav" "$CONF"
check "its rule folders are there too" grep -qx "dir = $datadir/vigie/signatures/intent" "$CONF"
check "its quarantine is localstatedir/lib/vigie/quarantine" grep -qx "dir = $localstatedir/lib/vigie/quarantine" "$CONF"
check "its URL feeds are localstatedir/lib/vigie/feeds, which vigie update writes" \
	grep -qx "feeds = $localstatedir/lib/vigie/feeds" "$CONF"
check "its pidfile is /run/vigie/vigied.pid (vigie update finds vigied there)" grep -qx "pidfile = /run/vigie/vigied.pid" "$CONF"
check "started as root, vigied becomes the user vigie" grep -qx "user = vigie" "$CONF"
check "it says it is the installed configuration" grep -q '^# vigie.conf - the installed configuration' "$CONF"
check "its comments are the sample's" [ "$(grep -c '^#' "$CONF")" -eq "$(grep -c '^#' "$SRC/etc/vigie.conf")" ]

# --- the unit ----------------------------------------------------------------
for want in "ExecStart=$sbindir/vigied -c $default_config -f" "User=vigie" "RuntimeDirectory=vigie" \
	"StateDirectory=vigie vigie/feeds" "ExecReload=/bin/kill -HUP \$MAINPID" "NoNewPrivileges=yes" \
	"ProtectSystem=strict" "PrivateTmp=yes" "ProtectHome=yes" "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"; do
	check "the unit has $want" grep -qxF "$want" "${UNIT:-/dev/null}"
done
check "the unit's state folder is writable under ProtectSystem=strict" \
	grep -q "^ReadWritePaths=.*$localstatedir/lib/vigie" "${UNIT:-/dev/null}"
if command -v systemd-analyze >/dev/null 2>&1 && [ -n "$UNIT" ]; then
	# its programs at their DESTDIR place; Documentation= needs installed man pages
	sed -e "s|=$sbindir/|=$D$sbindir/|" -e '/^Documentation=/d' "$UNIT" >"$D/vigied.service"
	systemd-analyze verify "$D/vigied.service" >"$D/verify" 2>&1
	check "systemd-analyze verify accepts the unit" [ $? -eq 0 ] || sed 's/^/# /' "$D/verify"
else
	ok "# SKIP systemd-analyze is not installed"
fi

# --- the installed programs --------------------------------------------------
VIGIE=$D$bindir/vigie
VIGIED=$D$sbindir/vigied
VERSION=$(meson introspect "$BUILD" --projectinfo | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
check "vigie --version prints the version, exit 0" [ "$("$VIGIE" --version)" = "vigie $VERSION" ]
check "vigied --version prints the version, exit 0" [ "$("$VIGIED" --version)" = "vigied $VERSION" ]
for args in "--help" "scan --help" "eval --help" "quarantine --help" "check-config --help"; do
	# shellcheck disable=SC2086
	"$VIGIE" $args >"$D/o" 2>"$D/e"
	check "vigie $args prints its usage, exit 0" bash -c "[ $? -eq 0 ] && grep -q '^usage: vigie' '$D/o' && [ ! -s '$D/e' ]"
done
"$VIGIED" --help >"$D/o" 2>&1
check "vigied --help prints its usage, exit 0" bash -c "[ $? -eq 0 ] && grep -q '^usage: vigied' '$D/o'"
"$VIGIED" --nonsense >/dev/null 2>&1
check "vigied with a bad option exits 64" [ $? -eq 64 ]
check "the installed vigie defaults to the installed configuration" \
	grep -qF "or $default_config)" <("$VIGIE" --help)
check "the installed vigied defaults to the installed configuration" \
	grep -qF "or $default_config)" <("$VIGIED" --help)
if [ "$dev_default" = yes ]; then
	check "the build's vigie keeps the source tree's configuration" \
		grep -qF "or $SRC/etc/vigie.conf)" <("$BUILD/cli/vigie" --help)
	check "the build's vigied too" grep -qF "or $SRC/etc/vigie.conf)" <("$BUILD/daemon/vigied" --help)
fi

# the installed configuration with its paths moved under DESTDIR
sed -E "s#^([a-z_]+) = /(usr|var|etc|opt)/#\\1 = $D/\\2/#" "$CONF" >"$D/moved.conf"
sed -i "s#^dir = $localstatedir#dir = $D$localstatedir#; s#^cache_dir = $localstatedir#cache_dir = $D$localstatedir#" "$D/moved.conf"
sed -i "s#^pidfile = /run/#pidfile = $D/run/#" "$D/moved.conf"
# what systemd-tmpfiles --create makes (tmpfiles.d/vigie.conf): an empty feeds folder
mkdir -p "$D$localstatedir/lib/vigie/feeds"
timeout 120 "$VIGIE" -c "$D/moved.conf" --check-config >"$D/o" 2>"$D/e"
check "installed vigie --check-config accepts the installed configuration" \
	bash -c "[ $? -eq 0 ] && grep -q 'OK (vigie .* bundled signatures' '$D/o'" || sed 's/^/# /' "$D/e"
timeout 120 "$VIGIED" -c "$D/moved.conf" --check-config >"$D/o" 2>"$D/e"
check "installed vigied --check-config accepts it" [ $? -eq 0 ] || sed 's/^/# /' "$D/e"
timeout 120 "$VIGIE" -c "$D/moved.conf" scan "$SRC/samples/mail/02-eicar-attachment.eml" >"$D/o" 2>"$D/e"
check "installed vigie scan quarantines the EICAR sample (exit 1)" \
	bash -c "[ $? -eq 1 ] && grep -q 'quarantine' '$D/o'" || sed 's/^/# /' "$D/e"

sed "s|^listen = .*|listen = unix:$D/run-vigie/milter.sock|; s|^user = vigie|user = nobody|" "$D/moved.conf" >"$D/sock.conf"
timeout 120 "$VIGIED" -c "$D/sock.conf" -f >"$D/o" 2>"$D/e"
check "a unix socket in a missing folder stops vigied (exit 69) naming the folder" \
	bash -c "[ $? -eq 69 ] && grep -qF 'the socket'\''s folder $D/run-vigie: No such file or directory' '$D/e'" ||
	sed 's/^/# /' "$D/e"

# --- a configuration copied away from its rules -----------------------------
mkdir -p "$D/elsewhere"
cp "$SRC/etc/vigie.conf" "$D/elsewhere/vigie.conf"
line=$(grep -n '^bundled = ' "$SRC/etc/vigie.conf" | cut -d: -f1)
timeout 120 "$VIGIE" -c "$D/elsewhere/vigie.conf" --check-config >"$D/o" 2>"$D/e"
check "a copied configuration whose rules are not beside it fails (exit 2)" [ $? -eq 2 ]
check "the error names the key, the value as written and the line" \
	grep -qF "[av] bundled = ../signatures/clamav (line $line): $D/signatures/clamav: no such folder" "$D/e"
check "the error says where relative paths are looked for" grep -qF "looked for from $D/elsewhere" "$D/e"
timeout 120 "$VIGIE" -c "$D/elsewhere/vigie.conf" scan "$SRC/samples/mail" >"$D/o" 2>"$D/e"
check "scan reports it the same way" bash -c "[ $? -eq 2 ] && grep -qF '[av] bundled = ../signatures/clamav (line $line)' '$D/e'"
timeout 120 "$VIGIED" -c "$D/elsewhere/vigie.conf" --check-config >"$D/o" 2>"$D/e"
check "vigied --check-config too (exit 78)" bash -c "[ $? -eq 78 ] && grep -qF '[av] bundled = ../signatures/clamav (line $line)' '$D/e'"
printf '[core]\nsignatures = %s/nowhere\n' "$D" >"$D/base.conf"
timeout 120 "$VIGIE" -c "$D/base.conf" --check-config >"$D/o" 2>"$D/e"
check "a rule path left to [core] signatures names that key and line" \
	grep -qF "[av] bundled (not set: [core] signatures = $D/nowhere (line 2), then clamav)" "$D/e"

# --- man pages -----------------------------------------------------------------
MAN5=$D$mandir/man5/vigie.conf.5
missing=
for key in $(sed -n 's/^#\{0,1\}\([a-z_0-9]*\) *=.*/\1/p' "$SRC/etc/vigie.conf" | sort -u); do
	grep -q "^\\.BR $key " "$MAN5" 2>/dev/null || missing="$missing $key"
done
check "vigie.conf(5) lists every key of the sample configuration" [ -z "$missing" ] || echo "# missing:$missing"
if command -v man >/dev/null 2>&1; then
	for page in "$D$mandir/man1/vigie.1" "$D$mandir/man8/vigied.8" "$MAN5"; do
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$D/o" 2>"$D/e"
		check "$(basename "$page") renders without warnings" bash -c "[ -s '$D/o' ] && [ ! -s '$D/e' ]" ||
			sed 's/^/# /' "$D/e"
	done
else
	ok "# SKIP man is not installed"
fi

# --- the README's main.cf snippet, as Postfix reads it ------------------------
mkdir -p "$D/pf"
python3 -c '
import re, sys
m = re.search(r"^In `main.cf`:\n\n```\n(.*?)^```$", open(sys.argv[1]).read(), re.M | re.S)
sys.stdout.write(m.group(1) if m else "")' "$SRC/README.md" >"$D/pf/main.cf"
check "the README has a main.cf snippet" grep -q '^smtpd_milters = ' "$D/pf/main.cf"
check "no main.cf line of it has a comment after its value" bash -c "! grep -Eq '^[a-z_]+ *=.*#' '$D/pf/main.cf'"
if command -v postconf >/dev/null 2>&1; then
	check "Postfix reads milter_default_action = tempfail from it" \
		[ "$(postconf -c "$D/pf" -h milter_default_action 2>/dev/null)" = tempfail ]
else
	ok "# SKIP postconf is not installed"
fi

# --- the README's install section, as built --------------------------------------
# its meson setup line configured as written; every path of its table is
# installed there, made by that build's tmpfiles.d entry, or named by its
# installed configuration
python3 - "$SRC/README.md" "$D/readme" <<'PY' >"$D/readme.sh"
import re, shlex, sys
text = open(sys.argv[1]).read()
sec = text[text.index("## Installing"):]
block = re.search(r"```sh\n(.*?)```", sec, re.S).group(1)
setup = next(l for l in block.splitlines() if l.startswith("meson setup "))
args = shlex.split(setup)[3:]
table = "\n".join(l for l in sec[:sec.index("With the default prefix")].splitlines()
                  if l.startswith("| ") and not l.startswith("| what "))
paths = sorted(set(re.findall(r"`(/(?:usr|etc|var|lib|run)[^`\s]*)`", table)))
print("readme_args=(%s)" % " ".join(shlex.quote(a) for a in args))
print("readme_paths=(%s)" % " ".join(shlex.quote(p) for p in paths))
PY
. "$D/readme.sh"
check "the README's install section has a meson setup line and a table of paths" \
	[ "${#readme_args[@]}" -gt 0 ] && [ "${#readme_paths[@]}" -ge 8 ]
meson setup "${readme_args[@]}" "$D/readme" "$SRC" >"$D/readme.log" 2>&1
check "its meson setup line configures as written (${readme_args[*]})" [ $? -eq 0 ] || tail -5 "$D/readme.log" | sed 's/^/# /'
ninja -C "$D/readme" vigie.conf >>"$D/readme.log" 2>&1 # the installed configuration (a sed)
meson introspect "$D/readme" --installed 2>/dev/null | python3 -c 'import json, sys; print("\n".join(json.load(sys.stdin).values()))' >"$D/readme.installed"
for p in "${readme_paths[@]}"; do
	if grep -q "^$p\(/\|$\)" "$D/readme.installed"; then
		ok "README path $p: installed there"
	elif grep -qx "d $p .* vigie vigie -" "$D/readme/dist/tmpfiles-vigie.conf" 2>/dev/null; then
		ok "README path $p: made by tmpfiles.d/vigie.conf for the user vigie"
	elif grep -q "^[a-z_]* = $p\(/\|$\)" "$D/readme/vigie.conf" 2>/dev/null; then
		ok "README path $p: in the installed configuration ($(grep -m1 "^[a-z_]* = $p" "$D/readme/vigie.conf"))"
	else
		nok "README path $p is neither installed, nor made by tmpfiles.d, nor in the installed configuration"
	fi
done

echo "1..$n"
[ "$bad" -eq 0 ]
