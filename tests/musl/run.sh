#!/bin/sh
# The musl build (Alpine's libc) with Debian's musl-gcc: zlib and libzstd
# built from Debian's source packages (tests/musl/fetch.sh put them in
# CACHE) into a static prefix under CACHE, then every library of this
# project built against musl with the same warnings as the main build and
# -Werror, the unit tests linked statically and run, and the helper's and
# the checks' sources compiled against musl with OpenRC's and kmod's headers.
#
# What is left out, and why: linking kexec-prep (and so the fixture and
# hostile suites) needs librc and libeinfo built for musl, and OpenRC's
# source is not on the archive these machines reach (its orig tarball
# answers 404). Compiling every source catches a glibc-only function or
# header; only the link would catch a glibc-only symbol in librc itself.
set -eu

src=$1 # the project
cache=$2
out=$3 # a scratch build directory

[ -d "$cache/src" ] || {
	echo "musl: no sources in $cache/src: run tools/setup (tests/musl/fetch.sh)" >&2
	exit 1
}
prefix=$cache/prefix
if [ ! -f "$prefix/lib/libz.a" ] || [ ! -f "$prefix/lib/libzstd.a" ]; then
	echo "musl: building zlib and libzstd into $prefix"
	w=$cache/work
	rm -rf "$w" "$prefix"
	mkdir -p "$w" "$prefix/lib" "$prefix/include"
	for t in "$cache"/src/*.orig.tar.*; do
		case $t in *.asc) ;; *) tar -xf "$t" -C "$w" ;; esac
	done
	(cd "$w"/zlib-* && CC=musl-gcc CFLAGS=-O2 ./configure --static --prefix="$prefix" >/dev/null &&
		make -s -j2 libz.a >/dev/null && make -s install >/dev/null)
	(cd "$w"/zstd-*/lib && make -s -j2 CC=musl-gcc libzstd.a >/dev/null 2>&1 &&
		cp libzstd.a "$prefix/lib/" && cp zstd.h zstd_errors.h zdict.h "$prefix/include/")
	rm -rf "$w"
fi

# OpenRC's and kmod's headers from this machine's -dev packages (plain
# declarations, the same for either libc), and the kernel's UAPI headers
# (linux-libc-dev; Alpine's linux-headers): musl-gcc leaves out /usr/include
rm -rf "$out/include"
mkdir -p "$out/include"
for d in /usr/include/linux /usr/include/asm-generic "/usr/include/$(gcc -dumpmachine)/asm"; do
	ln -s "$d" "$out/include/"
done
for h in rc.h einfo.h libkmod.h; do
	f=$(find /usr/include -maxdepth 2 -name "$h" | head -1)
	[ -n "$f" ] || {
		echo "musl: $h not found under /usr/include (librc-dev, libeinfo-dev, libkmod-dev)" >&2
		exit 1
	}
	cp "$f" "$out/include/"
done

cflags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Wpedantic -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow
	-Wformat=2 -Wno-unused-parameter -Wundef -Wvla -O1"
inc="-I$src/base -I$src/sysctl-check -I$src/helper -isystem $out/include -isystem $prefix/include"
# shellcheck disable=SC2086 # lists of flags
cc() { musl-gcc $cflags $inc -DKP_VERSION='"musl"' -DKP_CONFD='"/etc/conf.d/kexec-load"' -DKP_LIBKMOD='"libkmod.so.2"' "$@"; }

status=0
echo "musl: compiling every source of base/, sysctl-check/, helper/ and tests/"
for f in "$src"/base/*.c "$src"/sysctl-check/*.c "$src"/helper/*.c \
	"$src"/tests/mkkernel.c "$src"/tests/sysfail.c "$src"/tests/vm/runstat.c; do
	o=$out/$(basename "$(dirname "$f")")-$(basename "$f" .c).o
	cc -c "$f" -o "$o" || {
		echo "musl: FAIL: $f does not build against musl"
		status=1
	}
done
[ $status = 0 ] || exit 1

echo "musl: linking and running the unit tests (static, musl)"
base_objs=
for f in "$src"/base/*.c; do base_objs="$base_objs $out/base-$(basename "$f" .c).o"; done
for t in "$src"/tests/unit/test-*.c; do
	n=$(basename "$t" .c)
	# shellcheck disable=SC2086
	cc -static "$t" $base_objs -L"$prefix/lib" -lzstd -lz -o "$out/$n"
	! readelf -l "$out/$n" | grep -q INTERP || {
		echo "musl: $n is not a static binary" >&2
		exit 1
	}
	if "$out/$n" >"$out/$n.log" 2>&1; then
		echo "musl: ok   $n"
	else
		echo "musl: FAIL $n"
		cat "$out/$n.log"
		status=1
	fi
done
exit $status
