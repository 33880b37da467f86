#!/bin/sh
# Build the VM suite's disk: an Alpine-like root (busybox init with Alpine's
# inittab, OpenRC, Alpine-like shutdown services, the project installed by
# meson install and enabled with rc-update) on a raw ext4 image made with
# mke2fs -d: no root or loop mounts. Debian's packages are fetched once into
# SRC/.cache/vm/debs (debs-arm64) and reused.
#   image.sh SRC OUT [ARCH [USERLAND]]  ->  OUT/base.img, OUT/vmlinuz-cloud, OUT/versions
# ARCH: x86_64 (the default), or aarch64: then everything in the guest is
# Debian's arm64 build, and the project is cross-built against a sysroot
# made from the arm64 packages (aarch64-linux-gnu-gcc, a meson cross file).
# Both guests also carry sysvinit (in /lib/sysvinit), which the sysvinit-*
# scenarios make PID 1.
# USERLAND: debian (the default: Debian's OpenRC 0.45.2, glibc, the
# suite's own Alpine-like services), or alpine (x86_64): Alpine's stack,
# musl all the way: OpenRC 0.63 with its own services and RC_LIBEXECDIR,
# kexec-tools, libkmod and the project built with musl-gcc
# (tests/stack/build.sh; exit 77 when that stack cannot be built here).
# Rebuilt only when the project or this suite changed.
set -eu

src=$(cd "$1" && pwd)
out=$2
arch=${3:-x86_64}
userland=${4:-debian}
case $arch-$userland in
*-debian | x86_64-alpine) ;;
*) echo "vm-image: no $userland guest for $arch" >&2 && exit 1 ;;
esac
case $arch in
x86_64) deb_arch=amd64 dl_suffix= ;;
aarch64) deb_arch=arm64 dl_suffix=:arm64 ;;
*) echo "vm-image: no guest for $arch" >&2 && exit 1 ;;
esac
triplet=$arch-linux-gnu
debs=$src/.cache/vm/debs
[ "$arch" = x86_64 ] || debs=$src/.cache/vm/debs-$deb_arch
mkdir -p "$debs" "$out"
out=$(cd "$out" && pwd)

log() { echo "vm-image: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- the packages ---------------------------------------------------------
kernel_pkg() { # the linux-image-<abi>-<flavor> a metapackage depends on
	apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }'
}

# What the guest runs. On x86 the libraries come from this machine; an
# arm64 guest needs its own, and the cross build their -dev packages.
guest_pkgs="busybox-static openrc kexec-tools sysvinit-core"
arm64_pkgs="libc6 librc1 libeinfo1 libkmod2 zlib1g libzstd1 liblzma5 libssl3 libselinux1
	libpcre2-8-0 libaudit1 libcap-ng0 libpam0g libcrypt1 libxenmisc4.17 libxentoollog1
	libxencall1 libxenevtchn1 libxengnttab1 libxenforeignmemory1 libxendevicemodel1
	libxentoolcore1 libc6-dev linux-libc-dev libcrypt-dev librc-dev libeinfo-dev libkmod-dev
	zlib1g-dev libzstd-dev"

fetch() {
	want=$guest_pkgs
	[ "$arch" = x86_64 ] || want="$want $arm64_pkgs"
	missing=
	for p in $want; do
		ls "$debs/${p}_"*.deb >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -z "$missing" ] && [ "$(find "$debs" -name "linux-image-*-${deb_arch}_*.deb" | wc -l)" -ge 2 ]; then
		return 0
	fi
	cloud=$(kernel_pkg "linux-image-cloud-$deb_arch$dl_suffix")
	if [ -z "$cloud" ]; then
		log "no package lists (for $deb_arch): apt-get update"
		[ "$arch" = x86_64 ] || as_root dpkg --add-architecture "$deb_arch"
		as_root apt-get update -qq
		cloud=$(kernel_pkg "linux-image-cloud-$deb_arch$dl_suffix")
	fi
	std=$(kernel_pkg "linux-image-$deb_arch$dl_suffix")
	if [ -z "$cloud" ] || [ -z "$std" ]; then
		log "cannot resolve linux-image-cloud-$deb_arch / linux-image-$deb_arch"
		exit 1
	fi
	log "fetching $cloud $std$missing into $debs"
	names=
	for p in $missing; do names="$names $p$dl_suffix"; done
	# shellcheck disable=SC2086 # a list of package names
	(cd "$debs" && apt-get download -q "${cloud%:*}$dl_suffix" "${std%:*}$dl_suffix" $names 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2) || true
	ls "$debs"/linux-image-*-cloud-"$deb_arch"_*.deb >/dev/null
}

# --- freshness ----------------------------------------------------------------
inputs_hash() {
	(cd "$src" && find base helper sysctl-check init.d conf.d tests/vm tests/sysfail.c meson.build meson_options.txt \
		-type f ! -name '*.img' | sort | xargs sha256sum; ls "$debs"; echo "$arch"
		ls /usr/sbin/dropbear /usr/bin/python3.11 2>/dev/null) | sha256sum | cut -c1-16
}

fetch
if [ "$userland" = alpine ]; then
	stack=$("$src/tests/stack/build.sh" "$src" "$src/.cache/stack" musl 0.63) || exit $?
fi
hash=$( (inputs_hash; echo "$userland ${stack:-}"; cat "${stack:-/dev/null}.key" 2>/dev/null) |
	sha256sum | cut -c1-16)
if [ -f "$out/base.img" ] && [ "$(cat "$out/base.hash" 2>/dev/null)" = "$hash" ]; then
	exit 0
fi
log "building the guest root in $out"
rm -rf "$out/root" "$out/x" "$out/build" "$out/base.img" "$out/base.hash"
root=$out/root
x=$out/x
mkdir -p "$root" "$x"

for deb in "$debs"/linux-image-*-"$deb_arch"_*.deb; do
	case $deb in
	*-cloud-"$deb_arch"_*) p=cloud ;;
	*) p=std ;;
	esac
	mkdir -p "$x/$p"
	dpkg-deb -x "$deb" "$x/$p"
done
cloud_ver=$(ls "$x/cloud/lib/modules")
std_ver=$(ls "$x/std/lib/modules")
log "kernels: $cloud_ver (boots first) and $std_ver (with an initramfs)"

# busybox: Debian's static one, or the musl stack's (Alpine's has fsck,
# which OpenRC 0.63's localmount needs); the initramfs gets the static one.
# Its applet links come last, once every other file is in place.
dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb)" "$x/bb"
bb=$x/bb/bin/busybox
[ "$userland" != alpine ] || bb=$stack/bin/busybox
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
cp "$bb" "$root/bin/busybox"
if [ "$userland" = alpine ]; then
	# the musl stack's OpenRC (programs, libraries, RC_LIBEXECDIR, its own
	# services and rc.conf) and kexec-tools; the guest's files come later,
	# and OpenRC's services are put back over the suite's Alpine-like ones
	for d in bin sbin lib etc usr/lib usr/libexec; do
		[ ! -d "$stack/$d" ] || cp -a "$stack/$d/." "$root/$d/"
	done
	rm -rf "$root/usr/lib/pkgconfig" "$root"/usr/lib/*.a "$root/usr/sbin/kexec" "$root/etc/runlevels"
	cp "$stack/usr/sbin/kexec" "$root/sbin/kexec"
	# musl's loader, which is its libc too
	mkdir -p "$root/lib"
	cp -L "/lib/ld-musl-$arch.so.1" "$root/lib/"
else
	# OpenRC and kexec-tools from Debian; kexec-tools' own sysv scripts are not ours
	dpkg-deb -x "$(ls "$debs"/openrc_*.deb)" "$root"
	dpkg-deb -x "$(ls "$debs"/kexec-tools_*.deb)" "$x/kt"
	cp "$x/kt/sbin/kexec" "$root/sbin/kexec"
fi
# sysvinit, kept aside: the sysvinit-* scenarios make it PID 1 (in the
# Debian guests: Alpine has none)
if [ "$userland" = debian ]; then
	dpkg-deb -x "$(ls "$debs"/sysvinit-core_*.deb)" "$x/sv"
	mkdir -p "$root/lib/sysvinit"
	cp "$x/sv/sbin/init" "$x/sv/sbin/halt" "$x/sv/sbin/shutdown" "$x/sv/sbin/runlevel" \
		"$root/lib/sysvinit/"
fi

# kernels, configs, module trees with real indexes
mkdir -p "$root/boot"
for p in cloud std; do
	if [ $p = cloud ]; then ver=$cloud_ver; else ver=$std_ver; fi
	cp "$x/$p/boot/vmlinuz-$ver" "$x/$p/boot/config-$ver" "$root/boot/"
	mkdir -p "$root/lib/modules/$ver"
	cp "$x/$p/lib/modules/$ver"/modules.builtin* "$x/$p/lib/modules/$ver/modules.order" \
		"$root/lib/modules/$ver/"
done
echo "$std_ver" >"$root/boot/vmtest-std-version"
cp "$x/cloud/boot/vmlinuz-$cloud_ver" "$out/vmlinuz-cloud"
# the standard kernel, for the scenarios QEMU boots it in (with the
# initramfs, made below): the cloud kernel has no watchdog drivers
cp "$x/std/boot/vmlinuz-$std_ver" "$out/vmlinuz-std"
if [ "$arch" = aarch64 ]; then
	# as Alpine installs its arm64 kernels (make zinstall): a gzip-compressed Image
	gzip -9n <"$x/std/boot/vmlinuz-$std_ver" >"$root/boot/vmlinuz-$std_ver"
fi
copy_modules() { # copy_modules cloud|std VERSION MODULE...: with what they depend on
	p=$1 ver=$2
	shift 2
	depmod -b "$x/$p" "$ver"
	for m; do
		modprobe -d "$x/$p" -S "$ver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | sort -u | while read -r ko; do
		rel=${ko#"$x/$p/"}
		mkdir -p "$root/$(dirname "$rel")"
		cp "$ko" "$root/$rel"
	done
}
# the root's (the watchdog scenario's i6300esb, the watchdog core with it)
copy_modules std "$std_ver" nvme ext4 crc32c_generic i6300esb
# the ansible scenario's network card (virtio-net over PCI)
copy_modules cloud "$cloud_ver" virtio_pci virtio_net
depmod -b "$root" "$cloud_ver"
depmod -b "$root" "$std_ver"

# the standard kernel's initramfs: busybox, nvme and ext4, switch_root
ird=$x/initramfs
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot" "$ird/lib"
cp "$x/bb/bin/busybox" "$ird/bin/"
cp -a "$root/lib/modules" "$ird/lib/"
rm -rf "${ird:?}/lib/modules/$cloud_ver"
cp "$src/tests/vm/initramfs-init" "$ird/init"
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$root/boot/initramfs-vmtest"
cp "$root/boot/initramfs-vmtest" "$out/initramfs-std"

# the suite's guest files, then the project itself
cp -a "$src/tests/vm/guest/." "$root/"
[ "$userland" != alpine ] || cp -a "$stack/etc/init.d/." "$root/etc/init.d/"
# the project and the suite's helpers, built for the guest
mkdir -p "$root/usr/libexec/vmtest"
if [ "$userland" = alpine ]; then
	# musl-gcc leaves out /usr/include: the kernel's headers from the stack's cache
	uapi=$src/.cache/stack/uapi
	cc="musl-gcc -isystem $uapi" sysroot=$stack
	cross=$x/musl.ini
	cat >"$cross" <<-EOF
		[binaries]
		c = 'musl-gcc'
		pkgconfig = 'pkg-config'
		[built-in options]
		c_args = ['-isystem', '$uapi']
		[properties]
		pkg_config_libdir = ['$stack/usr/lib/pkgconfig']
	EOF
elif [ "$arch" = x86_64 ]; then
	cc=cc sysroot=/
	cross=
else
	# a sysroot from the arm64 packages; their absolute symlinks made to
	# point inside it
	sysroot=$x/sysroot
	mkdir -p "$sysroot"
	for p in $arm64_pkgs; do dpkg-deb -x "$(ls "$debs/${p}_"*.deb)" "$sysroot"; done
	find "$sysroot" -type l -lname '/*' | while read -r l; do
		ln -sfn "$sysroot$(readlink "$l")" "$l"
	done
	cc="$triplet-gcc --sysroot=$sysroot"
	cross=$x/cross.ini
	libdirs="'$sysroot/usr/lib/$triplet/pkgconfig', '$sysroot/usr/share/pkgconfig'"
	cat >"$cross" <<-EOF
		[binaries]
		c = '$triplet-gcc'
		ar = '$triplet-ar'
		strip = '$triplet-strip'
		pkgconfig = 'pkg-config'
		[built-in options]
		c_args = ['--sysroot=$sysroot']
		c_link_args = ['--sysroot=$sysroot', '-Wl,-rpath-link=$sysroot/lib/$triplet:$sysroot/usr/lib/$triplet']
		[properties]
		sys_root = '$sysroot'
		pkg_config_libdir = [$libdirs]
		[host_machine]
		system = 'linux'
		cpu_family = '$arch'
		cpu = '$arch'
		endian = 'little'
	EOF
fi
$cc -O2 -Wall -Werror -o "$root/usr/libexec/vmtest/runstat" "$src/tests/vm/runstat.c"
$cc -O2 -Wall -Werror -o "$root/usr/libexec/vmtest/sysfail" "$src/tests/sysfail.c"
log "building and installing openrc-kexec for $arch (meson install --destdir)"
case $userland in
alpine) cross_kind=native ;; # the same machine, another libc
*) cross_kind=cross ;;
esac
meson setup "$out/build" "$src" --prefix=/usr --sysconfdir=/etc --buildtype=debugoptimized \
	-Dman=disabled ${cross:+--$cross_kind-file "$cross"} >/dev/null
meson compile -C "$out/build" >/dev/null
meson install -C "$out/build" --destdir "$root" --quiet >/dev/null
# the cloud kernel has all it needs built in (scenarios that need one set it)
printf '\n# VM suite: the cloud kernel needs no initramfs\nINITRD="none"\n' \
	>>"$root/etc/conf.d/kexec-load"
[ "$arch" = x86_64 ] || sed -i 's/ttyS0/ttyAMA0/g' "$root/etc/inittab" "$root/etc/inittab.sysvinit"

# The ansible scenario's remote end, in the x86_64 Debian guest when this
# machine has them (else that scenario skips): dropbear, and python3 with
# its standard library (not its tests, Tk or IDLE), as Ansible's modules
# need it; their libraries come with everyone's, below.
if [ "$arch-$userland" = x86_64-debian ] && [ -x /usr/sbin/dropbear ] && [ -x /usr/bin/python3.11 ]; then
	cp /usr/sbin/dropbear "$root/usr/sbin/dropbear"
	cp /usr/bin/python3.11 "$root/usr/bin/python3.11"
	ln -s python3.11 "$root/usr/bin/python3"
	mkdir -p "$root/usr/lib" "$root/etc/dropbear"
	tar -C /usr/lib -cf - --exclude=python3.11/test --exclude=python3.11/idlelib \
		--exclude=python3.11/tkinter --exclude=python3.11/turtledemo --exclude=python3.11/lib2to3 \
		--exclude=python3.11/ensurepip --exclude=python3.11/pydoc_data \
		--exclude='python3.11/config-3.11-*' --exclude=python3.11/site-packages \
		--exclude=python3.11/dist-packages python3.11 | tar -C "$root/usr/lib" -xf -
fi

# shared libraries: every NEEDED of every binary, from the sysroot, where
# the guest's loader looks for them
lib_path() { # lib_path SONAME: where the sysroot has it, inside the guest
	for d in /lib/$triplet /usr/lib/$triplet /lib /usr/lib; do
		[ -e "$sysroot$d/$1" ] && echo "$d/$1" && return 0
	done
	log "no $1 for $arch under $sysroot: add its package to arm64_pkgs"
	return 1
}
todo=$(find "$root" -type f \( -perm -u+x -o -name '*.so*' \))
# and libkmod, which kexec-prep opens when it checks a module tree
lib=$(lib_path libkmod.so.2)
mkdir -p "$root$(dirname "$lib")"
cp -L "$sysroot$lib" "$root$lib"
todo="$todo $root$lib"
while [ -n "$todo" ]; do
	next=
	for f in $todo; do
		for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') \
			$(readelf -l "$f" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)\]/\1/p'); do
			case $userland-$n in
			alpine-libc.so) continue ;; # musl's loader is its libc
			*-/*) lib=$n ;;
			*) lib=$(lib_path "$n") ;;
			esac
			[ ! -e "$root$lib" ] || continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$sysroot$lib" "$root$lib"
			next="$next $root$lib"
		done
	done
	todo=$next
done

# A link for every busybox applet where no program of that name is: made
# after every copy into the root, and relative, so that no copy can follow
# one out of the root (a link to /bin/busybox that cp -a writes through is
# this machine's busybox). The applet list is this machine's busybox's
# when the guest's cannot run here.
for a in $("$bb" --list-full 2>/dev/null || /bin/busybox --list-full); do
	case $a in
	*/*/*) to=../../bin/busybox ;; # usr/bin/x, usr/sbin/x
	bin/*) to=busybox ;;
	*/*) to=../bin/busybox ;; # sbin/x
	*) to=bin/busybox ;;
	esac
	[ -e "$root/$a" ] || [ -L "$root/$a" ] || ln -s "$to" "$root/$a"
done

# The directories Debian's OpenRC reads without making them; its openrc-run
# runs lsb2rcconf on every service, which scans /etc/insserv.conf.d.
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/root" \
	"$root/var/lib" "$root/var/log" "$root/etc/runlevels" "$root/etc/local.d" \
	"$root/etc/rc.conf.d" "$root/etc/sysctl.d" \
	"$root/usr/local/etc/init.d" "$root/usr/local/etc/conf.d" "$root/etc/insserv.conf.d"
[ "$userland" != debian ] || mkdir -p "$root/lib/rc/plugins"
# OpenRC 0.63's rc-update adds to a runlevel only when its directory is there
for l in sysinit boot default shutdown; do mkdir -p "$root/etc/runlevels/$l"; done
chmod 1777 "$root/tmp"

# enabled exactly as the README tells users, inside the guest root (an
# arm64 rc-update cannot run here: it is done as rc-update does it)
rcupdate() { # rcupdate add SERVICE RUNLEVEL
	if [ "$arch" != x86_64 ]; then
		mkdir -p "$root/etc/runlevels/$3"
		ln -sfn "/etc/init.d/$2" "$root/etc/runlevels/$3/$2"
		echo " * service $2 added to runlevel $3"
	elif [ "$(id -u)" = 0 ]; then
		chroot "$root" /sbin/rc-update "$@"
	else
		unshare --map-root-user chroot "$root" /sbin/rc-update "$@"
	fi
}
rcupdate add sysfs sysinit >/dev/null
for s in root localmount; do rcupdate add "$s" boot >/dev/null; done
[ "$userland" != alpine ] || rcupdate add devfs sysinit >/dev/null
for s in vmtest-early vmtest; do rcupdate add "$s" default >/dev/null; done
for s in killprocs savecache mount-ro; do rcupdate add "$s" shutdown >/dev/null; done
rcupdate add kexec-load default >&2
rcupdate add kexec-exec shutdown >&2

rm -f "$out/base.img.tmp"
truncate -s 768M "$out/base.img.tmp"
mke2fs -q -F -t ext4 -L vmroot -d "$root" "$out/base.img.tmp"
mv "$out/base.img.tmp" "$out/base.img"
printf 'cloud=%s\nstd=%s\n' "$cloud_ver" "$std_ver" >"$out/versions"
echo "$hash" >"$out/base.hash"
rm -rf "$x"
log "ready: $out/base.img"
