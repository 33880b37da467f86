#!/bin/sh
# The project built against another userland stack (tests/stack/build.sh:
# OpenRC OPENRC for LIBC), and every suite that runs without a VM, the
# packages or the linters run with that build: unit tests, fixture roots,
# hostile roots, the shell tests (kexec-tools descriptors with the stack's
# own kexec(8) where it has one).
#   suites.sh SRC CACHE OUT LIBC OPENRC
# Exit 77 (skipped), with the reason, when the stack cannot be built here.
set -eu

src=$(cd "$1" && pwd)
mkdir -p "$2"
cache=$(cd "$2" && pwd)
out=$3
libc=$4
openrc=$5

root=$("$src/tests/stack/build.sh" "$src" "$cache" "$libc" "$openrc") || exit $?
export PKG_CONFIG_PATH="$root/usr/lib/pkgconfig"
# OpenRC 0.55 installs its libraries in /lib, 0.63 in /usr/lib
opts="-Dman=disabled -Dfuzz=disabled -Dc_link_args=-Wl,-rpath,$root/usr/lib:$root/lib"
if [ "$libc" = musl ]; then
	# everything from the root: no library of this machine's glibc
	export CC=musl-gcc PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig"
	export KEXEC="$root/usr/sbin/kexec"
	opts="$opts -Dc_args=-isystem$cache/uapi"
fi
# no sanitizers: the main test build runs every suite with them against
# Debian's OpenRC; these builds are about another OpenRC and another libc
# (musl has no ASan), and CI's minutes
if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.root" 2>/dev/null)" != "$root" ]; then
	rm -rf "$out"
	# shellcheck disable=SC2086 # a list of options
	meson setup "$out" "$src" $opts >"$out.setup.log" 2>&1 || {
		cat "$out.setup.log"
		exit 1
	}
	echo "$root" >"$out/.root"
fi
grep -E '^ *(Run-time dependency|Found pkg-config|C compiler for the host)' "$out.setup.log" || true
ninja -C "$out" >"$out.build.log" 2>&1 || {
	grep -B2 -A10 -m5 'error' "$out.build.log"
	exit 1
}
kp=$out/helper/kexec-prep
# what the loader really gives it: the stack's own libraries, never this
# machine's (Debian's OpenRC 0.45.2 is installed here too)
if [ "$libc" = musl ]; then
	loaded=$("/lib/ld-musl-$(uname -m).so.1" --list "$kp" 2>&1)
else
	loaded=$(ldd "$kp")
fi
echo "stack: $("$kp" --version) ($libc), its libraries as loaded:"
echo "$loaded"
for l in librc.so libeinfo.so; do
	echo "$loaded" | grep "$l" | grep -q "=> $root/" || {
		echo "stack: FAIL: $kp does not load $l from $root"
		exit 1
	}
done
meson test -C "$out" --no-suite lint --no-suite packaging --no-suite vm --no-suite stack \
	--print-errorlogs --num-processes 1
