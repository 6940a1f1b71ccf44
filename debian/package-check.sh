#!/usr/bin/env bash
# debian/package-check.sh [SRCDIR] - build the Debian package from a copy of
# the tree (dpkg-buildpackage -b -us -uc), check it with lintian (no error),
# list its files and conffiles, install it on this machine with dpkg -i, run
# debian/tests/smoke (the installed vigied --check-config, vigie scan), then
# purge it and remove the user vigie if this run created it. Prints TAP.
# Skips, with the reason, where dpkg-buildpackage or debhelper is missing.
# Needs root (dpkg -i); nothing is left installed.
set -uo pipefail
SRC=$(cd "${1:-$(dirname "$0")/..}" && pwd)
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else nok "$name" "failed: $*"; return 1; fi; }

for tool in dpkg-buildpackage dh lintian; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed (apt-get install debhelper lintian)"
		exit 0
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP dpkg -i needs root"
	exit 0
fi
if dpkg -s vigie >/dev/null 2>&1; then
	echo "1..0 # SKIP a vigie package is installed already; not touching it"
	exit 0
fi

T=$(mktemp -d /tmp/vigie-pkg.XXXXXX)
had_user=no
getent passwd vigie >/dev/null && had_user=yes
cleanup() {
	dpkg --purge vigie >/dev/null 2>&1
	if [ "$had_user" = no ] && getent passwd vigie >/dev/null; then
		deluser --system vigie >/dev/null 2>&1
		getent group vigie >/dev/null && delgroup --system vigie >/dev/null 2>&1
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
tree=$T/vigie-$version
mkdir -p "$tree"
tar -C "$SRC" --exclude=./.git --exclude='./build*' --exclude=./var -cf - . | tar -C "$tree" -xf -
(cd "$tree" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1
check "dpkg-buildpackage -b -us -uc builds the package" [ $? -eq 0 ] || tail -30 "$T/build.log" | sed 's/^/# /'
deb=$(ls "$T"/vigie_"$version"_*.deb 2>/dev/null | head -1)
check "it made vigie_${version}_ARCH.deb" [ -n "$deb" ]
[ -n "$deb" ] || { echo "1..$n"; exit 1; }

lintian --fail-on error "$deb" >"$T/lintian" 2>&1
check "lintian reports no error" [ $? -eq 0 ] || sed 's/^/# /' "$T/lintian"
sed 's/^/# lintian: /' "$T/lintian" | grep -v 'root privileges'

dpkg-deb -c "$deb" | awk '{print $6}' >"$T/files"
for f in ./usr/bin/vigie ./usr/sbin/vigied ./etc/vigie/vigie.conf ./lib/systemd/system/vigied.service \
	./usr/lib/tmpfiles.d/vigie.conf ./usr/lib/sysusers.d/vigie.conf ./usr/share/vigie/signatures/clamav/ \
	./usr/share/man/man1/vigie.1.gz ./usr/share/man/man5/vigie.conf.5.gz ./usr/share/man/man8/vigied.8.gz \
	./usr/share/doc/vigie/README.md.gz ./usr/share/doc/vigie/copyright; do
	check "the package holds $f" grep -qxF "$f" "$T/files"
done
check "the configuration is a conffile" bash -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/vigie/vigie.conf"

dpkg -i "$deb" >"$T/install.log" 2>&1
check "dpkg -i installs it" [ $? -eq 0 ] || sed 's/^/# /' "$T/install.log"
check "its postinst made the system user vigie" bash -c "getent passwd vigie >/dev/null"
sh "$SRC/debian/tests/smoke" >"$T/smoke.log" 2>&1
check "debian/tests/smoke passes on the installed package" [ $? -eq 0 ] || sed 's/^/# /' "$T/smoke.log"
dpkg --purge vigie >"$T/purge.log" 2>&1
check "dpkg --purge removes it, configuration included" bash -c "[ $? -eq 0 ] && [ ! -e /etc/vigie/vigie.conf ] && [ ! -e /usr/sbin/vigied ]"

echo "1..$n"
[ "$bad" -eq 0 ]
