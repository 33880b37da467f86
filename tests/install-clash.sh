#!/bin/sh
# meson's install step for the services (init.d/install.sh) next to
# kexec-tools' SysV /etc/init.d/kexec-load (Debian, Devuan): it refuses,
# says what to do, and leaves every file as it was; over our own script it
# installs both.
#   install-clash.sh INSTALL_SH KEXEC_LOAD KEXEC_EXEC
set -eu

install_sh=$1
load=$2
exec_=$3
# shellcheck source-path=SCRIPTDIR source=scratch.sh
. "$(dirname "$0")/scratch.sh"
d=$tmp/dest/etc/init.d
mkdir -p "$d"
# kexec-tools' script, its first lines as the package ships them
printf '#! /bin/sh\n### BEGIN INIT INFO\n# Provides:\t\tkexec-load\n### END INIT INFO\n' >"$d/kexec-load"
cp "$d/kexec-load" "$tmp/theirs"
set +e
DESTDIR=$tmp/dest "$install_sh" /etc/init.d "$load" "$exec_" >"$tmp/out" 2>&1
rc=$?
set -e
cat "$tmp/out"
[ $rc != 0 ] || no "installed over kexec-tools' /etc/init.d/kexec-load"
cmp -s "$d/kexec-load" "$tmp/theirs" || no "kexec-tools' script was changed"
[ ! -e "$d/kexec-exec" ] || no "installed part of the services before refusing"
grep -q "$d/kexec-load is not openrc-kexec's" "$tmp/out" || no "no word of which file"
grep -q "dpkg-divert --local --rename --divert /etc/init.d/kexec-load.kexec-tools --add /etc/init.d/kexec-load" "$tmp/out" ||
	no "no dpkg-divert fix"
grep -q "LOAD_KEXEC=false" "$tmp/out" || no "no word of LOAD_KEXEC"

# after the fix (theirs moved aside), and again over our own
mv "$d/kexec-load" "$d/kexec-load.kexec-tools"
for round in 1 2; do
	DESTDIR=$tmp/dest "$install_sh" /etc/init.d "$load" "$exec_" >/dev/null ||
		no "install round $round failed"
	cmp -s "$d/kexec-load" "$load" || no "round $round: kexec-load is not ours"
	cmp -s "$d/kexec-exec" "$exec_" || no "round $round: kexec-exec is not ours"
	[ -x "$d/kexec-load" ] || no "round $round: kexec-load is not executable"
done
cmp -s "$d/kexec-load.kexec-tools" "$tmp/theirs" || no "the diverted script was changed"
exit $fail
