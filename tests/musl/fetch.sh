#!/bin/sh
# Fetch the C sources the musl build needs from Debian's own source packages
# into CACHE (git-ignored), adding deb-src entries for the archive this
# machine already uses when there is none. Run by tools/setup (as root, or
# with sudo for the apt parts); does nothing once the cache holds them.
#
# Only zlib and libzstd come from here: OpenRC's source (librc, libeinfo) is
# not on the mirror these machines reach (the openrc orig tarball answers
# 404), and libkmod is only needed to link the helper, which needs librc too.
set -eu

mkdir -p "$1/src"
cache=$(cd "$1" && pwd)
pkgs="zlib libzstd"
have() { ls "$cache"/src/"$1"_*.orig.tar.* >/dev/null 2>&1; }
missing=
for p in $pkgs; do have "$p" || missing="$missing $p"; done
[ -n "$missing" ] || exit 0

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d; then
	# the machine's own deb entries (archive, suites, keys) as deb-src
	src=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed 's/^Types: *deb$/Types: deb-src/')
	file=openrc-kexec-src.sources
	if ! printf '%s\n' "$src" | grep -q '^Types: deb-src'; then
		src=$(sed -n 's/^deb /deb-src /p' /etc/apt/sources.list 2>/dev/null)
		file=openrc-kexec-src.list
	fi
	if [ -z "$src" ]; then
		echo "musl-fetch: no Debian archive configured in /etc/apt" >&2
		exit 1
	fi
	echo "musl-fetch: adding deb-src entries for this machine's archive (/etc/apt/sources.list.d/$file)"
	printf '%s\n' "$src" | as_root tee "/etc/apt/sources.list.d/$file" >/dev/null
	as_root apt-get update -qq
fi
cd "$cache/src"
# shellcheck disable=SC2086 # a list of package names
apt-get source --download-only $missing >/dev/null 2>&1 ||
	as_root apt-get source --download-only $missing >/dev/null
for p in $pkgs; do
	have "$p" || {
		echo "musl-fetch: apt-get source $p left no tarball in $cache/src" >&2
		exit 1
	}
done
