# Sourced by the shell tests: a stand-in for kexec(8) in a fixture root,
# whose "kernel" is ROOT/kexec-image: -l keeps the kernel's checksum and
# the command line it was given there (replaced in one rename, as the
# kernel swaps images) and sets /sys/kernel/kexec_loaded; -u empties it.
# With ROOT/kexec-slow there, -l first sleeps the seconds it holds.
# Needs KP_CONFD, where this build reads its settings.
# shellcheck shell=sh
stand_in() { # stand_in ROOT
	cat >"$1/usr/sbin/kexec" <<'EOF'
#!/bin/sh
set -e
R=${0%/usr/sbin/kexec}
case $1 in
-l)
	# ROOT/kexec-slow: seconds it takes
	[ ! -f "$R/kexec-slow" ] || sleep "$(cat "$R/kexec-slow")"
	cmdline= kernel=
	for a; do
		case $a in
		--command-line=*) cmdline=${a#--command-line=} ;;
		-*) ;;
		*) kernel=$a ;;
		esac
	done
	sum=$(cksum <"$kernel") || exit 1
	printf 'kernel=%s\ncmdline=%s\n' "${sum%% *}" "$cmdline" >"$R/kexec-image.new"
	mv "$R/kexec-image.new" "$R/kexec-image"
	echo 1 >"$R/sys/kernel/kexec_loaded" ;;
-u)
	rm -f "$R/kexec-image"
	echo 0 >"$R/sys/kernel/kexec_loaded" ;;
esac
EOF
	chmod 755 "$1/usr/sbin/kexec"
}

# standin_root FIXTURES ROOT: the Alpine fixture root (load-alpine, staging
# through kexec(8)) with the stand-in, kexec-exec in its shutdown
# runlevel, REQUIRE_READONLY=no and the command line "root=/dev/vda1 A"
standin_root() {
	"$1/load-alpine/setup" "$2" >/dev/null 2>&1
	stand_in "$2"
	mkdir -p "$(dirname "$2${KP_CONFD:?}")" "$2/etc/runlevels/shutdown" "$2/etc/init.d" "$2/var/lib"
	touch "$2/etc/init.d/kexec-exec"
	ln -s /etc/init.d/kexec-exec "$2/etc/runlevels/shutdown/kexec-exec"
	printf 'REQUIRE_READONLY="no"\nCMDLINE="root=/dev/vda1 A"\n' >>"$2$KP_CONFD"
}

# standin_cmdline ROOT WORD: the settings' command line "root=/dev/vda1 WORD"
standin_cmdline() {
	sed -i "s|^CMDLINE=.*|CMDLINE=\"root=/dev/vda1 $2\"|" "$1${KP_CONFD:?}"
}
