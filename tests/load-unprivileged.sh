#!/bin/sh
# kexec-prep load on this machine, for real (no --dry-run), as an
# unprivileged user: it must fail cleanly (exit 1, no sanitizer report) and
# say that CAP_SYS_BOOT is missing, whatever else this kernel lacks.
#   load-unprivileged.sh KEXEC_PREP MKKERNEL
set -eu

bin=$1
mkbz=$2
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "needs root and setpriv to drop to nobody; skipped"
	exit 77
fi
# a directory only root may write, as kexec-prep wants every one on the
# way to a kernel (/tmp is not)
tmp=$(mktemp -d -p /run kexec-prep-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
# a kernel with no version string: no module tree to look for on this machine
"$mkbz" "$tmp/vmlinuz" ""
cp "$bin" "$tmp/kexec-prep"
chmod 755 "$tmp/kexec-prep"
set +e
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$tmp/kexec-prep" --kernel "$tmp/vmlinuz" --initrd none load 2>&1)
rc=$?
set -e
printf '%s\n' "$out"
fail=0
[ "$rc" = 1 ] || { echo "FAIL: exit status $rc, expected 1"; fail=1; }
case $out in
*"lacks CAP_SYS_BOOT"*) ;;
*) echo "FAIL: no word that CAP_SYS_BOOT is missing"; fail=1 ;;
esac
case $out in
*Sanitizer* | *"runtime error"*) echo "FAIL: a sanitizer spoke"; fail=1 ;;
esac
exit $fail
