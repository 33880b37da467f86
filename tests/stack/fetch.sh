#!/bin/sh
# Fetch the sources of the musl stack (tests/stack/build.sh) from Debian's
# own source packages into CACHE/src (git-ignored), adding deb-src entries
# for the archive this machine already uses when there is none. Run by
# tools/setup (as root, or with sudo for the apt parts); does nothing once
# the cache holds them. Each package is asked for as the machine's sources
# list names it first, then at the release's version (PKG/CODENAME): the
# security pocket can list a version whose files it answers 404 for.
# What could not be had is named, and the tests that need it skip.
#   fetch.sh CACHE
set -eu

mkdir -p "$1/src"
cache=$(cd "$1" && pwd)
pkgs="zlib libzstd libcap2 kmod kexec-tools busybox"
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
		echo "stack-fetch: no Debian archive configured in /etc/apt" >&2
		exit 1
	fi
	echo "stack-fetch: adding deb-src entries for this machine's archive (/etc/apt/sources.list.d/$file)"
	printf '%s\n' "$src" | as_root tee "/etc/apt/sources.list.d/$file" >/dev/null
	as_root apt-get update -qq
fi
codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null)
cd "$cache/src"
source_of() { # apt-get source, as the user first (apt warns as root), then as root
	apt-get source --download-only "$1" >"$cache/src/$p.log" 2>&1 ||
		as_root apt-get source --download-only "$1" >>"$cache/src/$p.log" 2>&1
}
status=0
for p in $missing; do
	if source_of "$p" || { [ -n "$codename" ] && source_of "$p/$codename"; }; then
		rm -f "$cache/src/$p.log"
	fi
	have "$p" || {
		echo "stack-fetch: no source of $p from the archive (apt-get source $p, $p/$codename): $(grep -m1 '^E:' "$cache/src/$p.log" || true)" >&2
		status=1
	}
done
exit $status
