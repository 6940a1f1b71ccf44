#!/usr/bin/env bash
# install-deps.sh — installs (if missing) the Debian packages the Postfix
# integration tests need: postfix (postfix, smtp-sink, postqueue, ...),
# swaks (SMTP client) and miltertest (libmilter test driver).
# Non-interactive, starts no service, quiet when everything is present.
# Must run as root (Debian 12). Does not configure the system's Postfix.
set -euo pipefail

PKGS=(postfix swaks miltertest)

is_installed() {
    dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

missing=()
for p in "${PKGS[@]}"; do
    is_installed "$p" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps.sh: need root to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps.sh: installing ${missing[*]}" >&2

# Keep maintainer scripts from starting services (only if no policy exists;
# an existing one, e.g. Docker's, is left alone).
POLICY=/usr/sbin/policy-rc.d
created_policy=0
cleanup() {
    if [ "$created_policy" -eq 1 ]; then rm -f "$POLICY"; fi
}
trap cleanup EXIT
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# temporary, from vigie tests/postfix/install-deps.sh\nexit 101\n' >"$POLICY"
    chmod 0755 "$POLICY"
    created_policy=1
fi

# Postfix asks a question on install; answer "No configuration" so that
# /etc/postfix/main.cf is not generated and nothing is set up system-wide.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'cleanup; rm -f "$log"' EXIT
run() {
    if ! "$@" >>"$log" 2>&1; then
        echo "install-deps.sh: failed: $*" >&2
        tail -n 30 "$log" >&2
        exit 1
    fi
}
run apt-get update -q
run apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"

for p in "${missing[@]}"; do
    if ! is_installed "$p"; then
        echo "install-deps.sh: $p failed to install" >&2
        exit 1
    fi
done
