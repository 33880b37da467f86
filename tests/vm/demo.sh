#!/bin/sh
# The demo: a VM (busybox init, OpenRC, openrc-kexec enabled as the README
# says) where `reboot` skips the firmware. It reboots twice: once with the
# kexec jump, once the ordinary way (SeaBIOS), and shows the time from
# `reboot` to the login prompt for each.
#   demo.sh SRC OUT
set -eu

src=$(cd "$1" && pwd)
out=$2
# shellcheck source-path=SCRIPTDIR source=boot.sh
. "$src/tests/vm/boot.sh"

echo "Building the VM image (cached after the first run)..."
vm_image
img=$out/demo.img
log=$out/demo.log
cp --sparse=always "$out/base.img" "$img"
: >"$log"
echo "Booting: reboot #1 is a kexec jump, reboot #2 goes through the firmware."
echo "---------------------------------------------------------------------------"
# no -no-reboot here: the ordinary reboot comes back through SeaBIOS
vm_boot "$img" "$log" 600 vmtest=demo &
pid=$!
tail -n +1 -f "$log" --pid "$pid" 2>/dev/null |
	grep --line-buffered -E 'OpenRC [0-9.]+ is starting|Staged |kexec jump|Jumping|VMTEST (boot=|(reboot|poweroff) now)|reboot: |SeaBIOS' |
	sed -u 's/^[^ ]* //; s/^VMTEST reboot now/# reboot/; s/^VMTEST poweroff now/# poweroff/'
wait "$pid" || {
	echo "demo: the VM did not finish cleanly; console log: $log" >&2
	exit 1
}
echo "---------------------------------------------------------------------------"
# From `reboot` to the default runlevel done (the login prompt comes right
# after; it has no newline to time it by).
k0=$(vm_when "$log" "VMTEST reboot now")
k1=$(vm_when "$log" "VMTEST boot=2" "$k0")
f0=$(vm_when "$log" "VMTEST reboot now" "$k1")
f1=$(vm_when "$log" "VMTEST boot=3" "$f0")
if [ -z "$k1" ] || [ -z "$f1" ]; then
	echo "demo: a boot is missing; console log: $log" >&2
	exit 1
fi
awk -v k0="$k0" -v k1="$k1" -v f0="$f0" -v f1="$f1" 'BEGIN {
	k = k1 - k0; f = f1 - f0
	printf "reboot -> login prompt, kexec jump:        %5.1f s\n", k
	printf "reboot -> login prompt, through firmware:  %5.1f s\n", f
	printf "the kexec reboot took %.2fx the time of the ordinary one\n", k / f
}'
echo "In this VM the firmware path is almost free (QEMU's SeaBIOS hands over to"
echo "the kernel in well under a second) and an emulated kernel boot is slow, so"
echo "the two are close. What the jump skips is the firmware: on a real server,"
echo "POST, option ROMs and the bootloader take tens of seconds to minutes."
rm -f "$img"
