#!/bin/sh
# Build one userland stack for the tests, installed with --prefix=/usr (as
# a distribution installs it) into a root of its own, and print that root:
#   build.sh SRC CACHE LIBC OPENRC
# LIBC glibc: OpenRC built with this machine's compiler, beside this
#   machine's libraries (zlib, libzstd, libkmod, kexec-tools).
# LIBC musl: Debian's musl-gcc, as Alpine builds: first zlib, libzstd,
#   libcap, libkmod (shared: kexec-prep opens it), kexec-tools and busybox
#   from Debian's source packages (tests/stack/fetch.sh put them in
#   CACHE/src), then OpenRC on top of them.
# OPENRC: a version whose release source is in the vendor directory
#   (SRC/../shared/vendor/openrc, or $OPENRC_VENDOR).
# The .pc files in the root name the root's own paths, so a meson build
# finds everything there with PKG_CONFIG_PATH. A root is reused while its
# inputs are the same; one build of each root at a time, and of what they
# share (CACHE/ROOT.lock, CACHE/stack.lock). Exit 77,
# with the reason, when a source is not there.
set -eu

src=$(cd "$1" && pwd)
mkdir -p "$2"
cache=$(cd "$2" && pwd)
libc=$3
openrc=$4
vendor=${OPENRC_VENDOR:-$src/../shared/vendor/openrc}
log() { echo "stack: $*" >&2; }
skip() {
	log "$* (skipped)"
	exit 77
}

tarball=$vendor/openrc-$openrc.tar.gz
[ -f "$tarball" ] || skip "no OpenRC $openrc source: $tarball is not there"
case $libc in
glibc)
	cc=cc
	case $(cc -dumpmachine) in *-gnu*) ;; *) skip "this machine's C library is not glibc ($(cc -dumpmachine))" ;; esac
	;;
musl)
	command -v musl-gcc >/dev/null || skip "no musl-gcc (Debian's musl-tools)"
	cc=musl-gcc
	for p in zlib libzstd libcap2 kmod kexec-tools busybox; do
		ls "$cache"/src/"$p"_*.orig.tar.* >/dev/null 2>&1 ||
			skip "no source of $p in $cache/src: tools/setup fetches it (tests/stack/fetch.sh)"
	done
	;;
*) log "unknown libc: $libc" && exit 2 ;;
esac

# musl-gcc leaves /usr/include out: the kernel's UAPI headers for
# OpenRC, libcap, kexec-tools and busybox (Alpine's linux-headers), made
# under the lock (the musl stacks' tests run at the same time)
uapi=$cache/uapi
make_uapi() {
	[ "$libc" = musl ] && [ ! -e "$uapi/mtd" ] || return 0
	rm -rf "$uapi" "$uapi.tmp"
	mkdir -p "$uapi.tmp"
	for d in linux asm-generic mtd "$(gcc -dumpmachine)/asm"; do
		ln -s "/usr/include/$d" "$uapi.tmp/"
	done
	mv "$uapi.tmp" "$uapi"
}

# The .pc files under DIR, which becomes ROOT, made to name ROOT's paths,
# so that pkg-config hands a build -I and -L inside it. OpenRC 0.55's name
# include directories it never installs (include/openrc, include/einfo;
# the headers are in include/): those become include/.
pc_into_root() { # pc_into_root DIR ROOT
	find "$1" -name '*.pc' -exec sed -i -E "s#^([A-Za-z_]+)=/#\\1=$2/#; s#-L/#-L$2/#g" {} +
	for d in openrc einfo; do
		[ -d "$1/usr/include/$d" ] ||
			find "$1" -name '*.pc' -exec sed -i "s#\${includedir}/$d\$#\${includedir}#" {} +
	done
}

# make QUIETLY, keeping what it said for a failure
run() { # run LOG COMMAND...
	l=$1
	shift
	"$@" >>"$l" 2>&1 || {
		log "failed: $* (last lines of $l:)"
		tail -n 30 "$l" >&2
		exit 1
	}
}

musl_base() { # zlib, libzstd, libcap, libkmod, kexec-tools into $1
	base_root=$1
	w=$cache/work-musl
	rm -rf "$w" "$base_root"
	mkdir -p "$w" "$base_root"
	for t in "$cache"/src/*.orig.tar.*; do
		case $t in *.asc) ;; *) tar -xf "$t" -C "$w" ;; esac
	done
	l=$w/build.log
	log "musl: zlib, libzstd, libcap, libkmod, kexec-tools, busybox (a few minutes, once)"
	cflags="-O2 -fPIC -isystem $uapi"
	(cd "$w"/zlib-* && run "$l" env CC=musl-gcc CFLAGS="$cflags" ./configure --static --prefix=/usr &&
		run "$l" make -j2 libz.a && run "$l" make install DESTDIR="$base_root")
	(cd "$w"/zstd-*/lib && run "$l" make -j2 CC=musl-gcc CFLAGS="$cflags" PREFIX=/usr libzstd.a libzstd.pc &&
		run "$l" make install-static install-includes install-pc DESTDIR="$base_root" PREFIX=/usr)
	(cd "$w"/libcap-*/libcap && run "$l" make CC=musl-gcc BUILD_CC=gcc lib=lib prefix=/usr \
		CFLAGS="$cflags" DESTDIR="$base_root" install-static-cap)
	# libkmod alone: no tools, no compressed modules (its index is all
	# kexec-prep reads)
	(cd "$w"/kmod-* && run "$l" ./autogen.sh &&
		run "$l" env CC=musl-gcc CFLAGS="-O2 -isystem $uapi" ./configure --prefix=/usr --libdir=/usr/lib \
			--disable-manpages --disable-test-modules --disable-tools --disable-logging \
			--without-zstd --without-xz --without-zlib --without-openssl &&
		run "$l" make -j2 && run "$l" make install DESTDIR="$base_root")
	rm -f "$base_root"/usr/lib/*.la
	# kexec-tools as Alpine ships it (Alpine's stock kernels stage through it)
	(cd "$w"/kexec-tools-* && run "$l" env CC=musl-gcc CFLAGS="-O2 -isystem $uapi -I$base_root/usr/include" \
		LDFLAGS="-L$base_root/usr/lib" ./configure --prefix=/usr --sbindir=/usr/sbin \
		--without-lzma --without-xen --with-zlib &&
		run "$l" make -j2 && run "$l" make install DESTDIR="$base_root")
	# busybox with its default applets (fsck, killall5, mountpoint, mdev
	# among them, as in Alpine's), but tc, which does not build on musl
	(cd "$w"/busybox-* && run "$l" make defconfig &&
		sed -i 's/^CONFIG_TC=y$/# CONFIG_TC is not set/' .config &&
		run "$l" make -j2 CC=musl-gcc EXTRA_CFLAGS="-isystem $uapi" busybox &&
		mkdir -p "$base_root/bin" && cp busybox "$base_root/bin/busybox")
	rm -rf "$w"
}

key=$( (cat "$0"; sha256sum "$tarball"; echo "$libc"; [ "$libc" = glibc ] || ls "$cache/src") |
	sha256sum | cut -c1-16)
root=$cache/$libc-openrc-$openrc
mkdir -p "$cache"
built() {
	if [ "$(cat "$root.key" 2>/dev/null)" = "$key" ] && [ -d "$root" ] &&
		{ [ "$libc" != musl ] || [ -e "$uapi/mtd" ]; }; then
		echo "$root"
		exit 0
	fi
}
built
# this stack's root, one builder at a time (fd 8); then what the stacks
# share, the headers and musl's base, one builder at a time (fd 9, always
# taken second), held only as long as that takes: the stacks' own OpenRC
# builds run side by side
exec 8>"$root.lock"
flock 8
exec 9>"$cache/stack.lock"
flock 9
make_uapi
built # by whoever held the locks
rm -rf "$root" "$root.key" "$root.tmp"
if [ "$libc" = musl ]; then
	base=$cache/musl-base
	bkey=$( (sed -n '/^musl_base()/,/^}/p' "$0"; ls "$cache/src") | sha256sum | cut -c1-16)
	if [ "$(cat "$base.key" 2>/dev/null)" != "$bkey" ]; then
		musl_base "$base.tmp"
		rm -rf "$base"
		mv "$base.tmp" "$base"
		echo "$bkey" >"$base.key"
	fi
	cp -a "$base" "$root.tmp"
	# the base's own .pc files, as pkg-config reads them from its root
	export PKG_CONFIG_SYSROOT_DIR="$root.tmp" PKG_CONFIG_LIBDIR="$root.tmp/usr/lib/pkgconfig"
	cargs="-isystem $uapi"
else
	mkdir -p "$root.tmp"
	cargs=
fi
flock -u 9
log "OpenRC $openrc for $libc, into $root"
w=$cache/work-openrc-$libc-$openrc
rm -rf "$w"
mkdir -p "$w"
tar -xzf "$tarball" -C "$w"
l=$w/build.log
# 0.55 wants -Dcapabilities (on by default when libcap is found); 0.63
# needs libcap on Linux; PAM, SELinux and audit as a minimal Alpine has them
(cd "$w"/openrc-* && run "$l" env CC="$cc" meson setup "$w/build" --prefix=/usr --libdir=lib \
	--buildtype=debugoptimized -Dc_args="$cargs" -Dpam=false -Dselinux=disabled -Daudit=disabled \
	-Dbash-completions=false -Dzsh-completions=false -Dpkgconfig=true)
run "$l" ninja -C "$w/build"
run "$l" env DESTDIR="$root.tmp" meson install -C "$w/build" --quiet
rm -rf "$w"
pc_into_root "$root.tmp" "$root"
mv "$root.tmp" "$root"
echo "$key" >"$root.key"
echo "$root"
