#!/bin/sh
# Build the VM suite's disk: an Alpine-like root (busybox init with Alpine's
# inittab, OpenRC, Alpine-like shutdown services, the project installed by
# meson install and enabled with rc-update) on a raw ext4 image made with
# mke2fs -d: no root or loop mounts. Debian's packages are fetched once into
# SRC/.cache/vm/debs and reused.
#   image.sh SRC OUT   ->  OUT/base.img, OUT/vmlinuz-cloud, OUT/versions
# Rebuilt only when the project or this suite changed.
set -eu

src=$(cd "$1" && pwd)
out=$2
debs=$src/.cache/vm/debs
mkdir -p "$debs" "$out"
out=$(cd "$out" && pwd)

log() { echo "vm-image: $*" >&2; }

# --- the packages ---------------------------------------------------------
kernel_pkg() { # the linux-image-<abi>-<flavor> a metapackage depends on
	apt-cache depends "$1" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }'
}

fetch() {
	if ls "$debs"/linux-image-*-cloud-amd64_*.deb "$debs"/busybox-static_*.deb \
		"$debs"/openrc_*.deb "$debs"/kexec-tools_*.deb >/dev/null 2>&1 &&
		[ "$(find "$debs" -name 'linux-image-*-amd64_*.deb' | wc -l)" -ge 2 ]; then
		return 0
	fi
	cloud=$(kernel_pkg linux-image-cloud-amd64)
	if [ -z "$cloud" ]; then
		log "no package lists: apt-get update"
		if [ "$(id -u)" = 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
		cloud=$(kernel_pkg linux-image-cloud-amd64)
	fi
	std=$(kernel_pkg linux-image-amd64)
	if [ -z "$cloud" ] || [ -z "$std" ]; then
		log "cannot resolve linux-image-cloud-amd64 / linux-image-amd64"
		exit 1
	fi
	log "fetching $cloud $std busybox-static openrc kexec-tools into $debs"
	(cd "$debs" && apt-get download -q "$cloud" "$std" busybox-static openrc kexec-tools 2>&1 |
		grep -v '^W: Download is performed unsandboxed' >&2) || true
	ls "$debs"/linux-image-*-cloud-amd64_*.deb >/dev/null
}

# --- freshness ----------------------------------------------------------------
inputs_hash() {
	(cd "$src" && find base helper sysctl-check init.d conf.d tests/vm tests/sysfail.c meson.build meson_options.txt \
		-type f ! -name '*.img' | sort | xargs sha256sum; ls "$debs") | sha256sum | cut -c1-16
}

fetch
hash=$(inputs_hash)
if [ -f "$out/base.img" ] && [ "$(cat "$out/base.hash" 2>/dev/null)" = "$hash" ]; then
	exit 0
fi
log "building the guest root in $out"
rm -rf "$out/root" "$out/x" "$out/build" "$out/base.img" "$out/base.hash"
root=$out/root
x=$out/x
mkdir -p "$root" "$x"

for deb in "$debs"/linux-image-*-amd64_*.deb; do
	case $deb in
	*-cloud-amd64_*) p=cloud ;;
	*) p=std ;;
	esac
	mkdir -p "$x/$p"
	dpkg-deb -x "$deb" "$x/$p"
done
cloud_ver=$(ls "$x/cloud/lib/modules")
std_ver=$(ls "$x/std/lib/modules")
log "kernels: $cloud_ver (boots first) and $std_ver (with an initramfs)"

# busybox, with a link for every applet
dpkg-deb -x "$(ls "$debs"/busybox-static_*.deb)" "$x/bb"
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin"
cp "$x/bb/bin/busybox" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list-full); do
	[ -e "$root/$a" ] || ln -s /bin/busybox "$root/$a"
done
# OpenRC and kexec-tools from Debian; kexec-tools' own sysv scripts are not ours
dpkg-deb -x "$(ls "$debs"/openrc_*.deb)" "$root"
dpkg-deb -x "$(ls "$debs"/kexec-tools_*.deb)" "$x/kt"
cp "$x/kt/sbin/kexec" "$root/sbin/kexec"

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
depmod -b "$x/std" "$std_ver"
for m in nvme ext4 crc32c_generic; do
	modprobe -d "$x/std" -S "$std_ver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	rel=${ko#"$x/std/"}
	mkdir -p "$root/$(dirname "$rel")"
	cp "$ko" "$root/$rel"
done
depmod -b "$root" "$cloud_ver"
depmod -b "$root" "$std_ver"

# the standard kernel's initramfs: busybox, nvme and ext4, switch_root
ird=$x/initramfs
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/newroot" "$ird/lib"
cp "$root/bin/busybox" "$ird/bin/"
cp -a "$root/lib/modules" "$ird/lib/"
rm -rf "${ird:?}/lib/modules/$cloud_ver"
cp "$src/tests/vm/initramfs-init" "$ird/init"
chmod 755 "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$root/boot/initramfs-vmtest"

# the suite's guest files, then the project itself
cp -a "$src/tests/vm/guest/." "$root/"
mkdir -p "$root/usr/libexec/vmtest"
cc -O2 -Wall -Werror -o "$root/usr/libexec/vmtest/runstat" "$src/tests/vm/runstat.c"
cc -O2 -Wall -Werror -o "$root/usr/libexec/vmtest/sysfail" "$src/tests/sysfail.c"
log "building and installing openrc-kexec (meson install --destdir)"
meson setup "$out/build" "$src" --prefix=/usr --sysconfdir=/etc --buildtype=debugoptimized \
	-Dman=disabled >/dev/null
meson compile -C "$out/build" >/dev/null
meson install -C "$out/build" --destdir "$root" --quiet >/dev/null
# the cloud kernel has all it needs built in (scenarios that need one set it)
printf '\n# VM suite: the cloud kernel needs no initramfs\nINITRD="none"\n' \
	>>"$root/etc/conf.d/kexec-load"

# shared libraries, from this (Debian) machine, where the guest's binaries want them
find "$root" -type f \( -perm -u+x -o -name '*.so*' \) | while read -r f; do
	ldd "$f" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
done

# The directories Debian's OpenRC reads without making them; its openrc-run
# runs lsb2rcconf on every service, which scans /etc/insserv.conf.d.
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/root" \
	"$root/var/lib" "$root/var/log" "$root/etc/runlevels" "$root/etc/local.d" \
	"$root/etc/rc.conf.d" "$root/etc/sysctl.d" "$root/lib/rc/plugins" \
	"$root/usr/local/etc/init.d" "$root/usr/local/etc/conf.d" "$root/etc/insserv.conf.d"
chmod 1777 "$root/tmp"

# enabled exactly as the README tells users, inside the guest root
rcupdate() {
	if [ "$(id -u)" = 0 ]; then
		chroot "$root" /sbin/rc-update "$@"
	else
		unshare --map-root-user chroot "$root" /sbin/rc-update "$@"
	fi
}
rcupdate add sysfs sysinit >/dev/null
for s in root localmount; do rcupdate add "$s" boot >/dev/null; done
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
