#!/bin/bash
# The helpers below are called by the package files they source, and set
# the variables those read, each in a subshell of its own:
# shellcheck source-path=SCRIPTDIR disable=SC2317,SC2030,SC2031,SC2034,SC2154
#
# Each package, built and packaged as its distribution's tool would, as far
# as this machine allows: the package's own build and package functions
# (APKBUILD, ebuild, PKGBUILD; and the APKBUILD's check) run in a scratch directory with the
# variables and helpers abuild, portage and makepkg give them (srcdir,
# pkgdir, builddir, subpkgdir; S, D, ED, BUILD_DIR; abuild-meson,
# meson_src_*, doinitd, doconfd, arch-meson: the options that decide where
# files go, as those tools pass them), then the files each installs are
# compared with what meson itself installs (prefix /usr): the binary, the
# man pages, the services and their settings, in the right subpackage.
# Each file is linted with shellcheck as the shell that reads it.
#   packaging/test.sh SRCDIR OUTDIR
set -euo pipefail

src=$(cd "$1" && pwd)
out=$2
[ -e "$src/.git" ] || { # a git checkout's top (not a tarball unpacked inside one)
	echo "not a git checkout: the source tree is what git knows; skipped"
	exit 77
}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
fail=0
no() {
	echo "FAIL: $*"
	fail=1
}

# the source tree as a release tarball unpacks it: the files git knows
unpack() {
	mkdir -p "$1"
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$1")
}
files() { # the files and links under a directory, relative, sorted
	[ -d "$1" ] || return 0
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
}
quiet() { # run, showing the output only when it fails
	local log=$out/last.log
	"$@" >"$log" 2>&1 || {
		cat "$log"
		return 1
	}
}

echo "== lint"
shellcheck -s sh -e SC2034,SC2154 "$src/packaging/alpine/APKBUILD" || no "APKBUILD: shellcheck"
shellcheck -s bash -e SC2034,SC2154 "$src/packaging/gentoo/sys-apps/openrc-kexec/openrc-kexec-0.1.0.ebuild" ||
	no "ebuild: shellcheck"
shellcheck -s bash -e SC2034,SC2154 "$src/packaging/artix/PKGBUILD" || no "PKGBUILD: shellcheck"

echo "== meson install (prefix /usr), the reference"
unpack "$out/ref/src"
quiet meson setup "$out/ref/build" "$out/ref/src" --prefix=/usr -Dman=enabled
quiet meson compile -C "$out/ref/build"
DESTDIR=$out/ref/image quiet meson install -C "$out/ref/build" --no-rebuild
files "$out/ref/image" >"$out/ref.list"
sed 's/^/  /' "$out/ref.list"

echo "== Alpine: APKBUILD build, check, package, and the -doc and -openrc split"
set +e # for the subshell's own set -e to hold: `( ) || no` would turn it off
(
	set -e
	startdir=$src/packaging/alpine
	srcdir=$out/alpine/src
	pkgbasedir=$out/alpine/pkg
	# Alpine's abuild-meson: the directories it sets
	abuild-meson() {
		meson setup --prefix=/usr --libdir=/usr/lib --libexecdir=/usr/libexec \
			--bindir=/usr/bin --sbindir=/usr/sbin --includedir=/usr/include \
			--datadir=/usr/share --mandir=/usr/share/man --infodir=/usr/share/info \
			--localedir=/usr/share/locale --sysconfdir=/etc --localstatedir=/var \
			--sharedstatedir=/var/lib --buildtype=plain --auto-features=auto \
			--wrap-mode=nodownload "$@"
	}
	# abuild's amove, default_doc and default_openrc, for the files they move
	amove() {
		local f
		for f; do
			f=${f#/}
			[ -e "$pkgdir/$f" ] || continue
			mkdir -p "$subpkgdir/$(dirname "$f")"
			mv "$pkgdir/$f" "$subpkgdir/$f"
		done
	}
	default_doc() {
		local d
		for d in doc man info html sgml licenses; do amove "usr/share/$d"; done
		find "$subpkgdir/usr/share/man" -type f -name '*.[0-9]' -exec gzip -n -9 {} +
	}
	default_openrc() {
		amove etc/conf.d etc/init.d
	}
	# shellcheck source=alpine/APKBUILD
	. "$startdir/APKBUILD"
	unpack "$builddir"
	pkgdir=$pkgbasedir/$pkgname
	cd "$builddir" && quiet build
	# abuild runs check() between build and package: the non-VM suites, on
	# the package's own build (this packaging suite skips itself in there:
	# an unpacked tarball is no git checkout)
	cd "$builddir" && quiet check
	cd "$builddir" && quiet package
	for subpkgname in $subpackages; do
		subpkgdir=$pkgbasedir/$subpkgname
		mkdir -p "$subpkgdir"
		case $subpkgname in
		*-doc) default_doc ;;
		*-openrc) default_openrc ;;
		esac
	done
)
done_ok=$?
set -e
[ $done_ok = 0 ] || no "Alpine: the APKBUILD's functions failed"

echo "== Gentoo: ebuild src_configure, src_compile, src_install"
set +e # for the subshell's own set -e to hold: `( ) || no` would turn it off
(
	set -e
	P=openrc-kexec-0.1.0 PN=openrc-kexec PV=0.1.0
	WORKDIR=$out/gentoo/work
	S=$WORKDIR/$P
	D=$out/gentoo/image
	EPREFIX=
	ED=$D$EPREFIX
	BUILD_DIR=$WORKDIR/$P-build
	inherit() { :; }
	elog() { :; }
	# meson.eclass: the directories it sets (merged /usr layout)
	meson_src_configure() {
		meson setup --prefix="$EPREFIX/usr" --libdir=lib64 --localstatedir="$EPREFIX/var/lib" \
			--sharedstatedir="$EPREFIX/usr/share/$P" --buildtype=plain \
			--wrap-mode=nodownload "${emesonargs[@]}" "$BUILD_DIR" "$S"
	}
	meson_src_compile() { meson compile -C "$BUILD_DIR"; }
	meson_src_install() { DESTDIR=$D meson install -C "$BUILD_DIR" --no-rebuild; }
	# doinitd and doconfd: into /etc/init.d (0755) and /etc/conf.d (0644)
	doinitd() {
		local f
		for f; do install -D -m 0755 "$f" "$ED/etc/init.d/${f##*/}"; done
	}
	doconfd() {
		local f
		for f; do install -D -m 0644 "$f" "$ED/etc/conf.d/${f##*/}"; done
	}
	# shellcheck source=gentoo/sys-apps/openrc-kexec/openrc-kexec-0.1.0.ebuild
	. "$src/packaging/gentoo/sys-apps/openrc-kexec/$P.ebuild"
	unpack "$S"
	cd "$S" && quiet src_configure
	cd "$S" && quiet meson_src_compile # the default src_compile
	cd "$S" && quiet src_install
)
done_ok=$?
set -e
[ $done_ok = 0 ] || no "Gentoo: the ebuild's functions failed"

echo "== Artix: PKGBUILD build, package_openrc-kexec, package_openrc-kexec-openrc"
set +e # for the subshell's own set -e to hold: `( ) || no` would turn it off
(
	set -e
	startdir=$src/packaging/artix
	srcdir=$out/artix/src
	# Arch's arch-meson: the directories it sets (no /usr/sbin on Arch)
	arch-meson() {
		meson setup --prefix /usr --libexecdir lib --sbindir bin --buildtype plain \
			--auto-features enabled --wrap-mode nodownload -D b_pie=true "$@"
	}
	# shellcheck source=artix/PKGBUILD
	. "$startdir/PKGBUILD"
	unpack "$srcdir/$pkgbase-$pkgver"
	cd "$srcdir" && quiet build
	for p in "${pkgname[@]}"; do
		pkgdir=$out/artix/pkg/$p
		mkdir -p "$pkgdir"
		cd "$srcdir" && quiet "package_$p"
	done
)
done_ok=$?
set -e
[ $done_ok = 0 ] || no "Artix: the PKGBUILD's functions failed"

# What each package holds, and all of them together against meson's list
# (with what the distribution changes on purpose: Alpine's -doc gzips man
# pages, Arch has no /usr/sbin).
expect() { # WHAT=NAME expect DIR LINE...: exactly these files
	local got
	got=$(files "$1")
	shift
	[ "$got" = "$(printf '%s\n' "$@")" ] || no "$WHAT holds:
$got
expected:
$(printf '%s\n' "$@")"
}
union() { # union SED DIR...: all files, mapped back to meson's names
	local e=$1
	shift
	for d; do files "$d"; done | sed -E "$e" | sort
}
same_as_meson() { # same_as_meson NAME LIST
	diff -u "$out/ref.list" "$2" >"$out/$1.diff" || {
		cat "$out/$1.diff"
		no "$1: the packages together install other files than meson"
	}
}
services_call() { # services_call NAME INITD OPENRC_RUN KEXEC_PREP
	local f
	for f in "$2"/kexec-load "$2"/kexec-exec; do
		[ -x "$f" ] || no "$1: $f is not executable"
		[ "$(head -n 1 "$f")" = "#!$3" ] || no "$1: $f does not start #!$3"
		grep -qE "(^|[[:space:]])$4[[:space:]]" "$f" || no "$1: $f does not run $4"
	done
}

a=$out/alpine/pkg
WHAT="Alpine openrc-kexec" expect "$a/openrc-kexec" usr/sbin/kexec-prep
WHAT="Alpine openrc-kexec-doc" expect "$a/openrc-kexec-doc" \
	usr/share/man/man5/kexec-load.5.gz usr/share/man/man8/kexec-prep.8.gz
WHAT="Alpine openrc-kexec-openrc" expect "$a/openrc-kexec-openrc" \
	etc/conf.d/kexec-load etc/init.d/kexec-exec etc/init.d/kexec-load
union 's/\.gz$//' "$a"/openrc-kexec* >"$out/alpine.list"
same_as_meson alpine "$out/alpine.list"
services_call Alpine "$a/openrc-kexec-openrc/etc/init.d" /sbin/openrc-run /usr/sbin/kexec-prep

g=$out/gentoo/image
union 's/^//' "$g" >"$out/gentoo.list"
same_as_meson gentoo "$out/gentoo.list"
services_call Gentoo "$g/etc/init.d" /sbin/openrc-run /usr/sbin/kexec-prep
[ "$(stat -c %a "$g/etc/conf.d/kexec-load")" = 644 ] || no "Gentoo: conf.d/kexec-load is not 0644"

r=$out/artix/pkg
WHAT="Artix openrc-kexec" expect "$r/openrc-kexec" \
	usr/bin/kexec-prep usr/share/man/man5/kexec-load.5 usr/share/man/man8/kexec-prep.8
WHAT="Artix openrc-kexec-openrc" expect "$r/openrc-kexec-openrc" \
	etc/conf.d/kexec-load etc/init.d/kexec-exec etc/init.d/kexec-load
union 's|^usr/bin/|usr/sbin/|' "$r"/openrc-kexec* >"$out/artix.list"
same_as_meson artix "$out/artix.list"
services_call Artix "$r/openrc-kexec-openrc/etc/init.d" /usr/bin/openrc-run /usr/bin/kexec-prep

[ $fail = 0 ] && echo "packaging: the three packages install what meson installs"
exit $fail
