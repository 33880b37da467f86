#!/bin/sh
# What was checked is what kexec-tools loads: run kexec-prep load for real
# with this machine's kexec(8) in a fixture root, under strace, with every
# staging call refused by tests/sysfail (nothing reaches this kernel). The
# kexec child must open the kernel and the initramfs only as
# /proc/self/fd/N, never by a path under /boot.
#   tools-fds.sh KEXEC_PREP SYSFAIL FIXTURES_DIR
# KEXEC, when set, is the kexec(8) to use (the musl stack's: tests/stack).
set -eu

bin=$1
sysfail=$2
fixtures=$3
kexec=${KEXEC:-$(command -v kexec || true)}
for k in /usr/sbin/kexec /sbin/kexec; do
	[ -n "$kexec" ] || { [ -x "$k" ] && kexec=$k; }
done
if [ -z "$kexec" ] || ! command -v strace >/dev/null; then
	echo "needs kexec-tools and strace; skipped"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$fixtures/load-alpine/setup" "$tmp/root" >/dev/null 2>&1
cp "$kexec" "$tmp/root/usr/sbin/kexec"
set +e
# LeakSanitizer cannot run under ptrace
ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$tmp/trace" -e trace=execve,open,openat,openat2 \
	"$sysfail" kexec_file_load=EPERM kexec_load=EPERM reboot=EPERM -- \
	"$bin" --root "$tmp/root" load >"$tmp/out" 2>&1
set -e
pid=$(awk '/execve\(".*\/usr\/sbin\/kexec"/ { print $1; exit }' "$tmp/trace")
fail=0
if [ -z "$pid" ]; then
	echo "FAIL: kexec-prep never ran kexec"
	cat "$tmp/out"
	exit 1
fi
awk -v p="$pid" '$1 == p' "$tmp/trace" >"$tmp/kexec"
fds=$(grep -c 'open[a-z0-9]*(.*"/proc/self/fd/[0-9]*"' "$tmp/kexec" || true)
echo "$kexec (pid $pid) opened $fds /proc/self/fd/N names"
[ "$fds" -ge 2 ] || { echo "FAIL: kexec did not open the kernel and the initramfs as /proc/self/fd/N"; fail=1; }
if grep -E 'open[a-z0-9]*\(.*"[^"]*/boot/' "$tmp/kexec"; then
	echo "FAIL: kexec opened a file under /boot by its name"
	fail=1
fi
if ! grep -q 'kexec_load failed' "$tmp/out"; then
	echo "FAIL: kexec did not get as far as kexec_load:"
	cat "$tmp/out"
	fail=1
fi
exit $fail
