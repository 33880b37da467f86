#!/bin/sh
# One VM scenario, with its own verdict: boot a copy of the suite's image,
# let the guest driver act, and check the serial console and the disk.
#   scenario.sh SRC OUT NAME
# On failure it prints why and the console log.
set -eu

src=$(cd "$1" && pwd)
out=$2
name=$3
# arm64-NAME: scenario NAME in the arm64 guest, an image of its own;
# alpine-NAME: scenario NAME in the x86_64 guest with Alpine's userland
# (musl, OpenRC 0.63), judged as NAME is
arch=x86_64
userland=debian
guest=$name
verdict=$name
case $name in
arm64-*)
	arch=aarch64 guest=${name#arm64-} out=$out/arm64 ;;
alpine-*)
	userland=alpine guest=${name#alpine-} verdict=${name#alpine-} out=$out/alpine ;;
esac
# shellcheck source-path=SCRIPTDIR source=boot.sh
. "$src/tests/vm/boot.sh"

vm_image
img=$out/$name.img
log=$out/$name.log
cp --sparse=always "$out/base.img" "$img"

case $name in
sysvinit-*)
	# PID 1 becomes sysvinit's init, with the inittab Gentoo gives it for
	# OpenRC, and its halt, reboot, poweroff and shutdown (busybox's go)
	{
		echo "rm /etc/inittab"
		echo "symlink /etc/inittab /etc/inittab.sysvinit"
		for b in init halt shutdown runlevel; do
			echo "rm /sbin/$b"
			echo "symlink /sbin/$b /lib/sysvinit/$b"
		done
		for b in reboot poweroff; do
			echo "rm /sbin/$b"
			echo "symlink /sbin/$b /lib/sysvinit/halt"
		done
		echo "symlink /sbin/telinit /lib/sysvinit/init"
	} | debugfs -w -f - "$img" >/dev/null 2>&1
	;;
esac

# (vm_boot's own variables are global: the shell has no locals)
args="vmtest=$guest"
case $name in
*openrc-init) args="$args init=/sbin/openrc-init" ;;
extlinux) args="$args BOOT_IMAGE=vmlinuz-$cloud" ;; # what syslinux passes
esac
# suspend, watchdog: runs of QEMU on the same disk, each firmware reboot
# ending one (-no-reboot); their consoles, one after the other, are the
# log, each run's end stamped there too
runs=1
limit=300
[ "$guest" != suspend ] || runs=4
[ "$guest" != ansible ] || limit=600
set --
if [ "$guest" = watchdog ]; then
	# QEMU's i6300esb, which resets the machine when it runs out, and the
	# standard kernel, which has its driver (the cloud kernel has none),
	# told to keep watchdogs running through a reboot, the jump included
	# The watchdog counts QEMU's virtual clock; under -icount that clock
	# is the guest's instructions (2 ns each) and, while the guest waits,
	# the host's: how long the jumped-into boot takes to stop it is then
	# the same on a loaded host as on an idle one (on the host's clock a
	# busy CI machine had the good jump reset). (align=on, which would
	# hold the guest to the host's clock, prints into the console.)
	runs=2
	vm_kernel=$out/vmlinuz-std vm_initrd=$out/initramfs-std
	args="$args watchdog.stop_on_reboot=0"
	set -- -device i6300esb -action watchdog=reset -icount shift=1,sleep=on
fi
if [ "$guest" = ansible ]; then
	# contrib/ansible's playbook, run here against the guest over SSH (QEMU's
	# user network, a port of this machine's loopback forwarded to its 22)
	for c in ansible-playbook ssh ssh-keygen; do
		command -v "$c" >/dev/null || { echo "scenario ansible: SKIP: no $c here (tools/setup installs ansible-core and openssh-client)"; exit 77; }
	done
	if [ ! -x /usr/sbin/dropbear ] || [ ! -x /usr/bin/python3.11 ]; then
		echo "scenario ansible: SKIP: the guest gets dropbear and python3.11 from this machine, which lacks one (tools/setup installs dropbear-bin)"
		exit 77
	fi
	work=$out/ansible
	rm -rf "$work"
	mkdir -p "$work"
	ssh-keygen -q -t ed25519 -N '' -f "$work/key"
	{
		echo "mkdir /root/.ssh"
		echo "sif /root/.ssh mode 040700"
		echo "write $work/key.pub /root/.ssh/authorized_keys"
		echo "sif /root/.ssh/authorized_keys mode 0100600"
	} | debugfs -w -f - "$img" >/dev/null 2>&1
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	echo "vm ansible_host=127.0.0.1 ansible_port=$port ansible_user=root ansible_ssh_private_key_file=$work/key ansible_python_interpreter=/usr/bin/python3 kexec_reboot_command=reboot" >"$work/inventory"
	set -- -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0
	ssh_opts="-o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i $work/key -p $port"
	# the driver: once the guest's sshd answers, the playbook; then off
	# (unstaged first: busybox's poweroff would jump)
	(
		i=0
		# shellcheck disable=SC2086 # options
		until ssh $ssh_opts root@127.0.0.1 true 2>/dev/null; do
			i=$((i + 1))
			[ "$i" -lt 120 ] || exit 1
			sleep 2
		done
		rc=0
		HOME=$work ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_PIPELINING=True ANSIBLE_NOCOLOR=1 \
			ANSIBLE_LOCAL_TEMP=$work/tmp ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no" \
			ansible-playbook -i "$work/inventory" "$src/contrib/ansible/kexec-reboot.yml" >"$work/playbook.log" 2>&1 || rc=$?
		echo "$rc" >"$work/playbook.rc"
		# shellcheck disable=SC2086
		ssh $ssh_opts root@127.0.0.1 'rc-service kexec-load stop >/dev/null 2>&1; poweroff' </dev/null >/dev/null 2>&1
	) &
fi
status=0
run=1
all=$log
: >"$all"
while [ "$run" -le "$runs" ] && [ "$status" = 0 ]; do
	vm_boot "$img" "$all.$run" "$limit" "$args" -no-reboot "$@" || status=$?
	cat "$all.$run" >>"$all"
	echo "$(date +%s.%N) VMHOST run $run ended: QEMU exit status $status" >>"$all"
	rm -f "$all.$run" "$all.$run.rc"
	run=$((run + 1))
done
log=$all

failed=0
fail() {
	echo "scenario $name: FAIL: $*"
	failed=1
}
has() { grep -qF -- "$1" "$log"; }
boots() { grep -c 'Linux version' "$log" || true; }

expect_console() {
	has "$1" || fail "the console never showed: $1"
}
# a kexec jump: QEMU (with -no-reboot) kept running into a second boot of
# the given kernel, which reached the default runlevel and powered off
expect_jump() {
	[ "$(boots)" = 2 ] || fail "expected 2 kernel boots in one QEMU run, saw $(boots)"
	expect_console "VMTEST boot=2 kernel=$1 scenario=$guest"
	expect_console "reboot: Power down"
	# the jumped-into boot knows it came through the jump, from which
	# kernel, and that it runs what was staged; staged by hand with
	# kexec-load stopped (enosys), no jump was planned, and both said so
	case $verdict in
	enosys)
		expect_console "kexec-load is not started: the next reboot jumps into what this stages, but no jump is planned"
		expect_console "VMTEST status: This boot: through a kexec jump kexec-prep did not plan" ;;
	*)
		expect_console "VMTEST status: This boot: a kexec jump from kernel $cloud (boot "
		expect_console "VMTEST status: it runs the kernel and command line that were staged" ;;
	esac
}
# an ordinary reboot: QEMU left under -no-reboot after one boot
expect_firmware_reboot() {
	[ "$(boots)" = 1 ] || fail "expected 1 kernel boot, saw $(boots)"
	expect_console "VMTEST reboot now"
	expect_console "reboot: Restarting system"
}
expect_check() {
	expect_console "VMTEST check $1 ok"
	! has "VMTEST check $1 FAIL" || fail "the guest's check '$1' failed"
}

[ "$status" != 124 ] || fail "timed out after $limit s: something hung"
case $verdict in *suspend) ;; *) ! has "Kernel panic" || fail "the kernel panicked" ;; esac
if [ "$userland" = alpine ]; then
	# the userland was the musl stack's, on every boot
	# (but the one that panicked before its init)
	userlands=$(boots)
	case $verdict in *suspend) userlands=$((userlands - 1)) ;; esac
	[ "$(grep -c 'VMTEST userland OpenRC 0.63 musl' "$log")" = "$userlands" ] ||
		fail "not every boot ran OpenRC 0.63 on musl"
fi
case $name in
sysvinit-*)
	# sysvinit was PID 1 on every boot, the jumped-into one too
	[ "$(grep -c 'VMTEST init /lib/sysvinit/init' "$log")" = "$(boots)" ] ||
		fail "sysvinit was not PID 1 on every boot" ;;
esac
case $verdict in
jump | no-kexec-tools | poweroff-busybox | reboot-openrc-init | poweroff-yes-openrc-init | \
	sysvinit-reboot | sysvinit-poweroff-yes)
	expect_jump "$cloud" ;;
arm64-jump)
	expect_jump "$cloud"
	expect_console "via kexec-tools" ;;
arm64-gz)
	expect_jump "$std"
	expect_check gzip-kernel
	expect_check kernel
	expect_check modules ;;
reboot-at-once)
	# the reboot overtook the staging in the background: the shutdown
	# waited for it, and the jump went into the whole of it
	expect_console "Staging the next kernel for kexec in the background (pid"
	expect_console "The shutdown waits for the staging in progress"
	expect_jump "$std"
	expect_check kernel ;;
reboot-at-once-timeout)
	# it did not finish within EXEC_TIMEOUT: cut short, no jump into any
	# part of it, and the reboot through the firmware says so
	expect_console "The shutdown waits for the staging in progress"
	expect_console "the staging in the background did not finish within EXEC_TIMEOUT (4 s)"
	expect_firmware_reboot ;;
other-kernel | upgrade)
	expect_jump "$std"
	expect_check kernel
	expect_check modules ;;
extlinux)
	expect_jump "$std"
	expect_console "Kernel: /boot/vmlinuz-$std (syslinux default entry 'std' (MENU DEFAULT) in /boot/extlinux.conf)"
	expect_check kernel
	expect_check modules
	expect_check cmdline ;;
data | arm64-data)
	expect_jump "$cloud"
	expect_check blob
	expect_check records ;;
kexec-tools)
	expect_jump "$cloud"
	expect_console "via kexec-tools" ;;
enosys)
	expect_jump "$cloud"
	expect_console "kexec_file_load: Function not implemented; staging through /sbin/kexec instead"
	expect_console "via kexec-tools" ;;
suspend | arm64-suspend)
	# 1: the jumped-into kernel panicked and, with the panic=10 kexec-prep
	# added, rebooted through the firmware after 10 s: QEMU left
	[ "$(boots)" = 6 ] || fail "expected 6 kernel boots in 4 QEMU runs, saw $(boots)"
	expect_console "Kernel command line: root=/dev/nvme0n1 ro console="
	expect_console " devtmpfs.mount=1 vmtest=suspend init=/sbin/no-such-init panic=10"
	expect_console "Kernel panic - not syncing"
	expect_console "Rebooting in 10 seconds"
	# 2: through the firmware, the failed jump found, kexec suspended; the
	# reboot goes through the firmware
	expect_console "did not come up (1 in a row): this boot came through the firmware"
	expect_console "kexec is suspended since"
	for c in suspended-status suspended-json suspended-metrics suspended-check still-suspended; do
		expect_check "$c"
	done
	expect_console "kexec-prep: nothing is staged: not jumping"
	# 3: resumed, and the next reboot jumped into 4, which says so
	expect_console "Resumed: kexec jumps again"
	expect_console "VMTEST boot=4 kernel=$cloud scenario=suspend"
	for c in record-jump record-json metrics-jump; do
		expect_check "$c"
	done
	# 5: unstaged, through the firmware, and said so
	expect_console "VMTEST boot=5 kernel=$cloud scenario=suspend"
	for c in record-firmware record-firmware-json metrics-firmware; do
		expect_check "$c"
	done
	expect_console "reboot: Power down" ;;
ansible)
	# contrib/ansible's playbook passed: the gate, the reboot module, the
	# post-check that the boot came through the jump into what was staged
	expect_jump "$cloud"
	wait
	if [ "$(cat "$work/playbook.rc" 2>/dev/null)" != 0 ] ||
		! grep -qE '^vm +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0' "$work/playbook.log"; then
		fail "ansible-playbook did not pass (status $(cat "$work/playbook.rc" 2>/dev/null || echo none)):"
		cat "$work/playbook.log" 2>/dev/null
	fi
	grep -q "vm jumped into $cloud in " "$work/playbook.log" || fail "the playbook's post-check did not see the jump into $cloud" ;;
watchdog)
	# 1: booted through the firmware with i6300esb's driver loaded, kexec
	# stages the standard kernel; the reboot arms the watchdog and jumps
	# into 2, whose kexec-load stops it once the runlevel is reached; 2 is
	# still up when its clock reaches twice the timeout, stages a kernel
	# whose init hangs, and jumps into 3 with the watchdog armed again; 3
	# hangs until the watchdog resets the machine (QEMU left: -no-reboot);
	# 4 came through the firmware: the failed jump found, kexec suspended
	[ "$(boots)" = 4 ] || fail "expected 4 kernel boots in 2 QEMU runs, saw $(boots)"
	for c in watchdog-kept watchdog-check watchdog-stopped watchdog-status watchdog-json \
		watchdog-inactive watchdog-still-up watchdog-suspended watchdog-suspended-json; do
		expect_check "$c"
	done
	[ "$(grep -c "Watchdog /dev/watchdog0 (i6300ESB timer) armed for 30 s" "$log")" = 2 ] ||
		fail "the watchdog was not armed at both jumps"
	expect_console "The watchdog armed across the jump (/dev/watchdog0, i6300ESB timer) is stopped once OpenRC had reached the runlevel"
	expect_console "VMTEST boot=2 kernel=$std scenario=watchdog"
	expect_console "VMTEST hang: init sleeps for good"
	expect_console "VMHOST run 1 ended: QEMU exit status 0"
	# the hung boot ended when the watchdog ran out: the machine reset
	# (QEMU left with status 0) with nothing said after init hung (a
	# panic's or a reboot's restart says so), 30 s of the guest's clock
	# after it was armed: on the host's, not much sooner (the guest's
	# clock runs slower than this host's when busy, with it when idle),
	# and not at the test's time limit
	armed=$(vm_when "$log" "armed for 30 s" "$(vm_when "$log" "VMTEST hang-next now")")
	hung=$(vm_when "$log" "VMTEST hang: init sleeps for good")
	ended=$(vm_when "$log" "VMHOST run 1 ended")
	awk -v a="${armed:-0}" -v e="${ended:-0}" 'BEGIN { exit !(a > 0 && e - a >= 20 && e - a < 120) }' ||
		fail "the hung boot did not end about 30 s after the watchdog was armed (armed at ${armed:-never}, ended at ${ended:-never})"
	awk -v h="${hung:-0}" -v e="${ended:-0}" '$1 > h && $1 < e' "$log" | grep -E 'Kernel panic|reboot: |Restarting|Rebooting' &&
		fail "the hung boot was not reset by the watchdog: its kernel restarted the machine itself (above)"
	expect_console "did not come up (1 in a row): this boot came through the firmware"
	expect_console "reboot: Power down" ;;
stop-first | arm64-stop-first)
	expect_firmware_reboot
	expect_console "Unloaded: the next reboot goes through the firmware"
	expect_console "kexec-prep: nothing is staged: not jumping" ;;
refuse-disabled)
	expect_firmware_reboot
	expect_console "FAIL  kexec-load-disabled: kernel.kexec_load_disabled = 1" ;;
refuse-missing)
	expect_firmware_reboot
	expect_console "kexec-prep: kernel /boot/vmlinuz-missing: No such file or directory" ;;
refuse-corrupt)
	expect_firmware_reboot
	expect_console "kexec-prep: kernel /boot/vmlinuz-corrupt is truncated" ;;
refuse-writable)
	expect_firmware_reboot
	expect_console "kexec-prep: kernel /boot/vmlinuz-open is writable by everyone" ;;
poweroff-openrc-init | sysvinit-poweroff)
	[ "$(boots)" = 1 ] || fail "expected 1 kernel boot, saw $(boots)"
	expect_console "Powering off: not jumping (KEXEC_ON_POWEROFF=no)"
	expect_console "reboot: Power down"
	# it says what really happens: no word of a reboot
	! has "reboot goes on" || fail "a poweroff was announced as a reboot" ;;
*)
	fail "unknown scenario" ;;
esac
case $name in
refuse-*)
	# the failed load is on the console, with its fix, and nothing hung
	expect_console "Not staged: the next reboot goes through the firmware" ;;
esac

if ! fsck=$(e2fsck -fn "$img" 2>&1); then
	fail "e2fsck -fn found the filesystem unclean:"
	echo "$fsck"
fi
if [ "$failed" != 0 ]; then
	echo "--- console log of $name ($log) ---"
	cut -d' ' -f2- "$log"
	exit 1
fi
t0=$(vm_when "$log" "VMTEST reboot now")
t0=${t0:-$(vm_when "$log" "VMTEST poweroff now")}
t0=${t0:-$(vm_when "$log" "VMTEST sshd up")} # ansible: the playbook reboots
echo "scenario $name: ok ($(boots) boot(s); console from the first action to the end: $(awk -v t="$t0" 'END { printf "%.1f s", $1 - t }' "$log"))"
rm -f "$img"
