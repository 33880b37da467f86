# Sourced by the VM scripts: boot the suite's image in QEMU and read its
# serial console. Needs $src, $out (image.sh's output) set; $arch
# (x86_64 when unset, or aarch64) and $userland (debian when unset, or
# alpine) say which guest.
# shellcheck shell=sh disable=SC2154,SC2034 # src, out are the caller's; cloud, std are for it

vm_image() { # build (or reuse) the image; one builder at a time
	mkdir -p "$out"
	(
		flock 9
		sh "$src/tests/vm/image.sh" "$src" "$out" "${arch:-x86_64}" "${userland:-debian}"
	) 9>"$out/.lock"
	cloud=$(sed -n 's/^cloud=//p' "$out/versions")
	std=$(sed -n 's/^std=//p' "$out/versions")
}

# vm_boot IMG LOG TIMEOUT CMDLINE_EXTRA [QEMU_ARGS...]: boot from the cloud
# kernel (or vm_kernel, with vm_initrd when set); every console line is
# stamped with the host's clock (the guest's restarts at every boot). Returns QEMU's status (124 when time ran out).
vm_boot() {
	img=$1 log=$2 limit=$3 extra=$4
	shift 4
	cr=$(printf '\r')
	rm -f "$log.rc"
	{
		# arm64: QEMU's virt board, its PL011 UART the console, PSCI to
		# power off and reset; the kernel booted straight, no firmware
		if [ "${arch:-x86_64}" = aarch64 ]; then
			set -- qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on "$@"
			console=ttyAMA0
		else
			set -- qemu-system-x86_64 "$@"
			console=ttyS0
		fi
		timeout --kill-after=10 "$limit" "$@" -accel tcg -m 1024 -smp 1 \
			-nodefaults -display none -serial stdio -monitor none \
			-kernel "${vm_kernel:-$out/vmlinuz-cloud}" ${vm_initrd:+-initrd "$vm_initrd"} \
			-append "root=/dev/nvme0n1 rw console=$console devtmpfs.mount=1 panic=-1 $extra" \
			-drive "file=$img,format=raw,if=none,id=d0" -device nvme,drive=d0,serial=vmtest \
			</dev/null 2>&1
		echo $? >"$log.rc"
	} | while IFS= read -r line; do
		# no filter in between: a pipe's stdio buffering would stamp lines
		# when a 4 KiB block fills, not when the console printed them
		printf '%s %s\n' "$(date +%s.%N)" "${line%"$cr"}"
	done >"$log"
	return "$(cat "$log.rc")"
}

# the stamp of the first console line holding TEXT, after the stamp AFTER
vm_when() { # vm_when LOG TEXT [AFTER]
	awk -v t="$2" -v after="${3:-0}" 'index($0, t) && $1 > after { print $1; exit }' "$1"
}
