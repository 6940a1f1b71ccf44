#!/usr/bin/env bash
# debian/package-check.sh [--skip REASON] [SRCDIR] - the Debian package as an
# administrator meets it, on this machine (the test suite's "debian-package"
# test; it needs root, and leaves nothing installed):
#   - built from a copy of the tree with dpkg-buildpackage -b -us -uc;
#   - lintian: no error and no warning (E: or W:);
#   - its files, conffile and maintainer scripts;
#   - dpkg -i: the system user vigie, the folders it may write (state,
#     feeds, cache, /run/vigie), debian/tests/smoke (the installed
#     vigied --check-config and vigie scan);
#   - the installed vigied started on the installed configuration (in the
#     foreground: no systemd here), as root so that it becomes the user
#     vigie; a clean mail and an EICAR mail through its milter (miltertest);
#     the installed vigie quarantine list shows the held one; SIGHUP reloads;
#     SIGTERM stops it;
#   - dpkg --purge: nothing of the package left but the system user, which
#     Debian leaves (files elsewhere may still belong to it); this script
#     then removes the user if it made it.
# Runs are one at a time on a machine (a lock in /tmp); a run killed
# before its purge is cleaned up by the next one.
# --skip REASON prints a TAP skip with that reason (the sanitizer build: the
# package builds its own release binaries, so the plain build runs it once).
# Prints TAP.
set -uo pipefail
if [ "${1:-}" = --skip ]; then
	echo "1..0 # SKIP $2"
	exit 0
fi
SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; return 1; fi; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }

for tool in dpkg-buildpackage dh lintian; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (scripts/deps --test installs debhelper and lintian)"
		exit 0
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP dpkg -i needs root"
	exit 0
fi
# one at a time on a machine: several checkouts' test runs (a shared
# development machine) would install and purge the same package; the
# privilege test takes this lock too while it checks that the system user
# vigie (which this test makes and removes) is missing
exec 9>/tmp/vigie-package-check.lock
if ! flock -w 300 9; then
	echo "1..0 # SKIP another debian-package test held /tmp/vigie-package-check.lock for 300 s"
	exit 0
fi
# a run killed before its purge (a timeout) leaves its package and this mark
MARK=/var/tmp/vigie-package-check.installed
if [ -e "$MARK" ]; then
	dpkg --purge vigie >/dev/null 2>&1
	[ "$(cat "$MARK")" = made-user ] && deluser --system vigie >/dev/null 2>&1 &&
		{ getent group vigie >/dev/null && delgroup --system vigie >/dev/null 2>&1; }
	rm -f "$MARK"
	echo "# removed the package a killed run of this test left installed"
fi
if dpkg -s vigie >/dev/null 2>&1; then
	echo "1..0 # SKIP a vigie package is installed already; not touching it"
	exit 0
fi
# a cache (/var/cache/vigie) left behind is no reason
for p in /etc/vigie /usr/share/vigie /var/lib/vigie /usr/sbin/vigied; do
	if [ -e "$p" ]; then
		echo "1..0 # SKIP $p exists (a Vigie installed by hand?); not touching it"
		exit 0
	fi
done

# --- what it is built from -------------------------------------------------------
# every library scripts/deps installs to build Vigie is a Build-Depends
# (pkg-config is pkgconf's; gcc and libc6-dev come with build-essential;
# publicsuffix is a run-time Depends), so a clean build machine can build it
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$SRC/debian/control" | tr ',' '\n' | sed 's/Build-Depends://; s/(.*//; s/<.*//' | tr -d ' ' | sort -u)
wanted=$(sed -n '/^build=(/,/)/p' "$SRC/scripts/deps" | sed 's/#.*//; s/build=(//; s/)//' | tr ' ' '\n' | grep . |
	grep -vxE 'gcc|libc6-dev|publicsuffix' | sed 's/^pkg-config$/pkgconf/')
missing=$(comm -23 <(echo "$wanted" | sort -u) <(echo "$bdeps"))
check "debian/control Build-Depends has every build package of scripts/deps" [ -z "$missing" ] ||
	echo "# missing:" $missing
check "the package Depends on publicsuffix (read at run time)" grep -q '^Depends:.*publicsuffix' "$SRC/debian/control"

T=$(mktemp -d /tmp/vigie-pkg.XXXXXX)
chmod 755 "$T"
had_user=no
getent passwd vigie >/dev/null && had_user=yes
pid=
cleanup() {
	[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && sleep 0.5
	if [ -z "${KEEP:-}" ]; then
		dpkg --purge vigie >/dev/null 2>&1
		if [ "$had_user" = no ] && getent passwd vigie >/dev/null; then
			deluser --system vigie >/dev/null 2>&1
			getent group vigie >/dev/null && delgroup --system vigie >/dev/null 2>&1
		fi
		rm -rf "$T" "$MARK"
	fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# --- build ---------------------------------------------------------------------
version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
tree=$T/vigie-$version
mkdir -p "$tree"
tar -C "$SRC" --exclude=./.git --exclude='./build*' --exclude=./var -cf - . | tar -C "$tree" -xf -
t0=$SECONDS
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1
rc=$?
check "dpkg-buildpackage -b -us -uc builds the package ($((SECONDS - t0)) s)" [ "$rc" -eq 0 ] ||
	tail -30 "$T/build.log" | sed 's/^/# /'
deb=$(ls "$T"/vigie_"$version"_*.deb 2>/dev/null | head -1)
check "it made vigie_${version}_ARCH.deb" [ -n "$deb" ]
[ -n "$deb" ] || { echo "1..$n"; exit 1; }

t0=$SECONDS
lintian --fail-on error,warning --display-info "$deb" >"$T/lintian" 2>&1
rc=$?
check "lintian reports no error and no warning ($((SECONDS - t0)) s)" \
	bash -c "[ $rc -eq 0 ] && ! grep -q '^[EW]: ' '$T/lintian'" || sed 's/^/# /' "$T/lintian"
sed 's/^/# lintian: /' "$T/lintian" | grep -v 'root privileges'

# --- what it holds ---------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' >"$T/files"
# its file list, for the record (the rule files counted, not listed)
grep -v -e '/$' -e '^\./usr/share/vigie/signatures/' "$T/files" | sed 's/^/# file: /'
echo "# file: ./usr/share/vigie/signatures/... ($(grep -c '^\./usr/share/vigie/signatures/.*[^/]$' "$T/files") rule files)"
for f in ./usr/bin/vigie ./usr/sbin/vigied ./etc/vigie/vigie.conf ./lib/systemd/system/vigied.service \
	./lib/systemd/system/vigie-update.service ./lib/systemd/system/vigie-update.timer \
	./usr/lib/tmpfiles.d/vigie.conf ./usr/lib/sysusers.d/vigie.conf ./usr/share/vigie/signatures/clamav/ \
	./usr/share/vigie/signatures/urls/feeds/ \
	./usr/share/man/man1/vigie.1.gz ./usr/share/man/man5/vigie.conf.5.gz ./usr/share/man/man8/vigied.8.gz \
	./usr/share/doc/vigie/README.md.gz ./usr/share/doc/vigie/copyright; do
	check "the package holds $f" grep -qxF "$f" "$T/files"
done
check "nothing under /var or /run is shipped (made at install)" bash -c "! grep -Eq '^\\./(var|run)/' '$T/files'"
check "the configuration is a conffile" bash -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/vigie/vigie.conf"
dpkg-deb -e "$deb" "$T/control"
check "it has postinst and postrm" bash -c "[ -x '$T/control/postinst' ] && [ -x '$T/control/postrm' ]"

# --- dpkg -i -------------------------------------------------------------------------
if [ "$had_user" = no ]; then echo made-user >"$MARK"; else echo had-user >"$MARK"; fi
dpkg -i "$deb" >"$T/install.log" 2>&1
check "dpkg -i installs it" [ $? -eq 0 ] || sed 's/^/# /' "$T/install.log"
check "dpkg -V: the installed files are the package's" bash -c "[ -z \"\$(dpkg -V vigie)\" ]"
IFS=: read -r _ _ uid gid _ home shell <<<"$(getent passwd vigie)"
check "its postinst made the system user vigie" [ -n "${uid:-}" ] && [ "$uid" -lt 1000 ]
check "the user vigie has the group vigie, home /var/lib/vigie, no login shell" \
	bash -c "[ '$(getent group vigie | cut -d: -f3)' = '${gid:-x}' ] && [ '${home:-}' = /var/lib/vigie ] &&
		case '${shell:-}' in */nologin|*/false) true;; *) false;; esac"
check "dpkg knows /etc/vigie/vigie.conf as a conffile" \
	bash -c "dpkg-query -W -f='\${Conffiles}' vigie | grep -q '^ /etc/vigie/vigie.conf '"
for d in /var/lib/vigie /var/lib/vigie/feeds /var/cache/vigie /run/vigie; do
	check "$d is a folder of the user vigie" bash -c "[ -d $d ] && [ \"\$(stat -c %U:%G $d)\" = vigie:vigie ]"
done
check "the state folder is private (0750)" [ "$(stat -c %a /var/lib/vigie)" = 750 ]

sh "$SRC/debian/tests/smoke" >"$T/smoke.log" 2>&1
check "debian/tests/smoke passes on the installed package" [ $? -eq 0 ] || sed 's/^/# /' "$T/smoke.log"
# the sample on standard input: the checkout need not be readable by vigie
runuser -u vigie -- vigie scan - <"$SRC/samples/mail/01-customer-question.eml" >"$T/o" 2>&1
check "the user vigie reads the configuration and rules (vigie scan as vigie, exit 0)" [ $? -eq 0 ] ||
	sed 's/^/# /' "$T/o"
check "the user vigie may write the feeds folder that [urls] feeds names" \
	bash -c "grep -qx 'feeds = /var/lib/vigie/feeds' /etc/vigie/vigie.conf &&
		runuser -u vigie -- touch /var/lib/vigie/feeds/.probe && rm /var/lib/vigie/feeds/.probe"

# --- the installed vigied, on the installed configuration ------------------------------
CONF=/etc/vigie/vigie.conf
port=$(sed -n 's/^listen = inet:\([0-9]*\)@127.0.0.1$/\1/p' "$CONF")
args=()
if [ -n "$port" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	# something here already listens there: the same file with another port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	sed "s/^listen = inet:[0-9]*@/listen = inet:$port@/" "$CONF" >"$T/port.conf"
	args=(-c "$T/port.conf")
	echo "# 127.0.0.1:$(sed -n 's/^listen = inet:\([0-9]*\)@.*/\1/p' "$CONF") is taken here: the installed configuration with port $port"
fi
check "the installed configuration's milter listens on loopback TCP" [ -n "$port" ]
/usr/sbin/vigied "${args[@]}" -f >"$T/vigied.log" 2>&1 9>&- &
pid=$!
up=no
# the engine load takes a second on a quiet machine, more on a busy one
for _ in $(seq 600); do
	(exec 3<>"/dev/tcp/127.0.0.1/${port:-0}") 2>/dev/null && { up=yes; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
check "the installed vigied starts and listens on 127.0.0.1:$port" [ "$up" = yes ] || sed 's/^/# /' "$T/vigied.log"
check "it runs as the user vigie" [ "$(ps -o user= -p "$pid" 2>/dev/null)" = vigie ]
check "it wrote its pidfile /run/vigie/vigied.pid" [ "$(cat /run/vigie/vigied.pid 2>/dev/null)" = "$pid" ]
if command -v miltertest >/dev/null 2>&1; then
	export VIGIE_LUA_LIB=$SRC/tests/milter/lib.lua VIGIE_SOCK=inet:$port@127.0.0.1
	timeout 60 miltertest -s "$SRC/tests/milter/clean.lua" >"$T/mt" 2>&1
	check "a clean mail through its milter is accepted with X-Vigie-Status" [ $? -eq 0 ] || sed 's/^/# /' "$T/mt"
	timeout 60 miltertest -s "$SRC/tests/milter/eicar.lua" >"$T/mt" 2>&1
	check "an EICAR mail through its milter is discarded" [ $? -eq 0 ] || sed 's/^/# /' "$T/mt"
	vigie quarantine list >"$T/o" 2>&1
	check "the installed vigie quarantine list shows it held in /var/lib/vigie/quarantine" \
		bash -c "[ \$(grep -c 'quarantine' '$T/o') -ge 1 ] && [ -n \"\$(ls /var/lib/vigie/quarantine/new/*.eml 2>/dev/null)\" ]" ||
		sed 's/^/# /' "$T/o"
else
	skip "miltertest is not installed (tests/postfix/install-deps.sh): no mail through the milter"
fi
kill -HUP "$pid" 2>/dev/null
for _ in $(seq 600); do grep -q 'reloaded: ' "$T/vigied.log" && break; sleep 0.1; done
check "SIGHUP reloads its rules" grep -q 'reloaded: ' "$T/vigied.log" || sed 's/^/# /' "$T/vigied.log"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
check "SIGTERM stops it, exit 0" [ "$rc" -eq 0 ] || sed 's/^/# /' "$T/vigied.log"

# --- dpkg --purge --------------------------------------------------------------------
dpkg --purge vigie >"$T/purge.log" 2>&1
check "dpkg --purge removes it" [ $? -eq 0 ] || sed 's/^/# /' "$T/purge.log"
check "dpkg no longer knows it" bash -c "! dpkg -s vigie >/dev/null 2>&1"
left=
for p in /etc/vigie /usr/bin/vigie /usr/sbin/vigied /usr/share/vigie /usr/share/doc/vigie /var/lib/vigie \
	/var/cache/vigie /run/vigie /lib/systemd/system/vigied.service /usr/lib/tmpfiles.d/vigie.conf \
	/usr/lib/sysusers.d/vigie.conf /usr/share/man/man1/vigie.1.gz /var/lib/dpkg/info/vigie.list; do
	[ -e "$p" ] && left="$left $p"
done
check "nothing of it is left: configuration, programs, rules, state, quarantine, cache, /run/vigie" \
	[ -z "$left" ] || echo "# left:$left"
check "the system user vigie stays (Debian leaves system users)" bash -c "getent passwd vigie >/dev/null"

echo "1..$n"
[ "$bad" -eq 0 ]
