#!/bin/sh
# kill -9 of a staging at every point it can reach, then the shutdown:
# the jump goes into the configured kernel, whole, never into what the
# killed staging left half done.
#   kill.sh KEXEC_PREP SYSFAIL FIXTURES_DIR
# In an Alpine fixture root (staging through kexec-tools) whose kexec(8)
# is a stand-in for the kernel: -l keeps the kernel's checksum and the
# command line it was given in ROOT/kexec-image (replaced in one rename,
# as the kernel swaps images) and sets /sys/kernel/kexec_loaded. First a
# whole staging of the command line "A"; then the settings say "B", and a
# staging of B is killed (strace's SIGKILL injection) at the Nth call of
# each system call that can change a file, the kernel or a process, for N
# up to the last (a kill anywhere else leaves what the kill at the next of
# these leaves). After each kill the shutdown runs: kexec-load's stop
# (unload at shutdown: the plan) and kexec-exec (exec; the reboot(2) of
# the jump refused by tests/sysfail), and the image in the "kernel" when
# reboot(2) is called must be B's. Both as `load` (by hand) and as
# `load --background` (the service: the staging in a child).
# Needs strace.
set -eu

bin=$1
sysfail=$2
fixtures=$3
command -v strace >/dev/null || {
	echo "needs strace (tools/setup installs it); skipped"
	exit 77
}
# shellcheck source-path=SCRIPTDIR source=scratch.sh
. "$(dirname "$0")/scratch.sh"
# LeakSanitizer cannot run under ptrace
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" EINFO_COLOR=NO
calls="openat openat2 open creat write pwrite64 writev sendfile fsync fdatasync
	rename renameat renameat2 unlink unlinkat mkdir mkdirat fchmod fchmodat fchown fchownat
	ftruncate flock fcntl memfd_create kexec_file_load kexec_load clone clone3 fork vfork
	execve wait4"

# shellcheck source-path=SCRIPTDIR source=standin.sh
. "$(dirname "$0")/standin.sh"

kp() { # kp ROOT ARGS...: as root runs it at shutdown, the jump refused
	r=$1
	shift
	"$sysfail" kexec_file_load=EPERM kexec_load=EPERM reboot=EPERM -- \
		/usr/bin/env RC_RUNLEVEL=shutdown RC_GOINGDOWN=YES RC_REBOOT=YES "$bin" --root "$r" "$@"
}

# the root every run starts from: A staged whole, then the settings say B
base=$tmp/base
standin_root "$fixtures" "$base"
printf 'STAGE_IN_BACKGROUND="yes"\n' >>"$base${KP_CONFD:?}"
"$sysfail" kexec_file_load=EPERM -- "$bin" --root "$base" load >"$tmp/base.out" 2>&1 ||
	no "staging A failed: $(cat "$tmp/base.out")"
grep -q 'cmdline=root=/dev/vda1 A panic=10' "$base/kexec-image" 2>/dev/null || no "A is not in the stand-in kernel"
standin_cmdline "$base" B
want="kernel=$(cksum <"$base/boot/vmlinuz-lts" | cut -d' ' -f1)"

# which of the calls a staging of B makes, unkilled (strace -c), and of
# the opens the ones that can create or write (their numbers in each
# process: the others change nothing, and a kill there leaves what the
# kill at the next call that changes something leaves)
for mode in load background; do
	set -- load
	[ $mode = load ] || set -- load --background
	R=$tmp/count-$mode
	cp -a "$base" "$R"
	strace -f -c -o "$tmp/count.$mode" "$sysfail" kexec_file_load=EPERM -- \
		/usr/bin/env RC_RUNLEVEL=default "$bin" --root "$R" "$@" >/dev/null 2>&1 || true
	strace -f -o "$tmp/opens.$mode" -e trace=open,openat,openat2,creat "$sysfail" kexec_file_load=EPERM -- \
		/usr/bin/env RC_RUNLEVEL=default "$bin" --root "$R" "$@" >/dev/null 2>&1 || true
done

points=0
cut_short=0
for mode in load background; do
	set -- load
	[ $mode = load ] || set -- load --background
	made=
	for c in $calls; do
		awk -v c="$c" '$NF == c { found = 1 } END { exit !found }' "$tmp/count.$mode" && made="$made $c"
	done
	[ -n "$made" ] || no "$mode: strace -c counted none of the calls"
	for c in $made; do
		case $c in
		open | openat | openat2 | creat)
			# "PID openat(..., O_RDWR|O_CREAT|...": the Nth of its process
			nths=$(awk -v c="$c" '$2 ~ "^" c "\\(" { n[$1]++; if ($0 ~ /O_CREAT|O_WRONLY|O_RDWR|O_TRUNC/) print n[$1] }' \
				"$tmp/opens.$mode" | sort -n -u) ;;
		*) nths=every ;;
		esac
		[ "$nths" != every ] || nths=$(seq 1 1000)
		for n in $nths; do
			R=$tmp/r
			rm -rf "$R"
			cp -a "$base" "$R"
			strace -f -o "$tmp/trace" -e trace="$c" -e inject="$c:signal=KILL:when=$n" \
				"$sysfail" kexec_file_load=EPERM -- /usr/bin/env RC_RUNLEVEL=default "$bin" --root "$R" "$@" \
				>"$tmp/killed.out" 2>&1 || true
			if ! grep -q 'killed by SIGKILL' "$tmp/trace"; then
				case $c in open | openat | openat2 | creat) ;; *) break ;; esac
				no "$mode: the kill at $c #$n was never reached"
				continue
			fi
			points=$((points + 1))
			# the shutdown: kexec-load's stop, then kexec-exec
			kp "$R" unload >"$tmp/stop.out" 2>&1 || true
			rc=0
			kp "$R" exec >"$tmp/exec.out" 2>&1 || rc=$?
			! grep -q 'A staging was cut short' "$tmp/stop.out" || cut_short=$((cut_short + 1))
			at="$mode killed at $c #$n"
			if ! grep -q 'reboot(LINUX_REBOOT_CMD_KEXEC) failed' "$tmp/exec.out"; then
				no "$at: exec did not go on to the jump (status $rc):"
				cat "$tmp/killed.out" "$tmp/stop.out" "$tmp/exec.out"
			elif [ "$(cat "$R/kexec-image" 2>/dev/null)" != "$(printf '%s\ncmdline=root=/dev/vda1 B panic=10' "$want")" ]; then
				no "$at: the jump would go into what the kernel holds, not B:"
				cat "$R/kexec-image" "$tmp/killed.out" "$tmp/stop.out" "$tmp/exec.out" 2>&1
			fi
			! grep -qE 'Sanitizer|runtime error' "$tmp/killed.out" "$tmp/stop.out" "$tmp/exec.out" ||
				no "$at: a sanitizer spoke"
			[ -s "$R/var/lib/kexec-prep/planned" ] || no "$at: the shutdown planned no jump"
		done
	done
	echo "$mode: killed at every call of$made that can change something"
done
[ "$points" -gt 50 ] || no "only $points kill points reached"
echo "killed at $points points; $cut_short left a staging cut short, which the shutdown made again; every jump went into B"
[ $fail = 0 ] && echo "kill -9 at every point: ok"
exit $fail
