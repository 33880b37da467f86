#!/bin/sh
# meson's install step for the OpenRC services. It refuses to overwrite an
# init.d/kexec-load that is not openrc-kexec's: Debian's and Devuan's
# kexec-tools package installs a SysV script of that name (a dpkg
# conffile), and says what to do instead.
#   install.sh INITDIR FILE...  (DESTDIR as meson sets it)
set -eu

initdir=$1
shift
dir=${DESTDIR:-}$initdir
for f in "$@"; do
	t=$dir/$(basename "$f")
	if [ -e "$t" ] && ! grep -q 'kexec-prep' "$t"; then
		cat >&2 <<-MSG
			openrc-kexec: $t is not openrc-kexec's: not overwriting it.
			  Debian's and Devuan's kexec-tools install a SysV script of that name, which
			  stages and jumps by itself. To use openrc-kexec instead, turn kexec-tools'
			  reboot off and move its script aside for good (package upgrades then
			  write to the new name), then install again:
			    sed -i 's/^LOAD_KEXEC=.*/LOAD_KEXEC=false/' /etc/default/kexec
			    dpkg-divert --local --rename --divert $initdir/$(basename "$f").kexec-tools --add $initdir/$(basename "$f")
		MSG
		exit 1
	fi
done
mkdir -p "$dir"
for f in "$@"; do
	install -m 755 "$f" "$dir/"
	echo "Installing $f to $dir"
done
