#!/bin/sh
# Stagings, jumps and unloads at the same time, and signals during the
# shutdown's wait, for real in fixture roots (an Alpine root staging
# through a stand-in kexec(8): tests/standin.sh; every kernel call refused
# by tests/sysfail):
# - two loads at once: one waits for the other; what is staged is what is
#   recorded;
# - load --background racing exec: the jump waits for the staging and goes
#   into the whole of it; racing unload: the unload waits, then unloads;
# - a lock file holding the pid of another process (the staging that wrote
#   it is gone, the pid reused): nobody waits for it, that process is not
#   reniced or named;
# - SIGTERM and SIGINT while exec waits (EXEC_TIMEOUT's window): it gives
#   up and says so, and the shutdown goes on; SIGTERM at the jump with the
#   watchdog armed: the watchdog is stopped (magic close) first.
#   race.sh KEXEC_PREP SYSFAIL FIXTURES_DIR HOSTILE_DIR
# Needs flock(1) and strace.
set -eu

bin=$1
sysfail=$2
fixtures=$3
hostile=$4
for c in flock strace; do
	command -v $c >/dev/null || {
		echo "needs $c (tools/setup installs util-linux and strace); skipped"
		exit 77
	}
done
# shellcheck source-path=SCRIPTDIR source=scratch.sh
. "$(dirname "$0")/scratch.sh"
# shellcheck source-path=SCRIPTDIR source=standin.sh
. "$(dirname "$0")/standin.sh"
# LeakSanitizer cannot run under ptrace (strace, below)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" EINFO_COLOR=NO

kp() { # kp ROOT RUNLEVEL ARGS...: kexec-prep in that runlevel (shutdown: going down to reboot)
	r=$1 rl=$2
	shift 2
	if [ "$rl" = shutdown ]; then
		set -- RC_GOINGDOWN=YES RC_REBOOT=YES "$bin" --root "$r" "$@"
	else
		set -- "$bin" --root "$r" "$@"
	fi
	# a kernel without kexec_file_load: kexec(8) stages and unloads
	"$sysfail" kexec_file_load=ENOSYS kexec_load=EPERM reboot=EPERM -- /usr/bin/env RC_RUNLEVEL="$rl" "$@"
}
says() { # says TEXT FILE
	grep -qF -- "$1" "$2" || no "$2 does not say: $1 ($(cat "$2"))"
}
fresh() { # fresh NAME: a root, A staged, the settings saying B; R is its path
	R=$tmp/$1
	standin_root "$fixtures" "$R"
	kp "$R" default load >"$tmp/$1.a" 2>&1 || no "$1: staging A failed: $(cat "$tmp/$1.a")"
	standin_cmdline "$R" B
}
staged() { # staged ROOT: the "kernel" holds B, recorded so, no staging left half done
	img=$(sed -n 's/^cmdline=//p' "$1/kexec-image" 2>/dev/null)
	rec=$(sed -n 's/^cmdline=//p' "$1/run/kexec-prep/staged" 2>/dev/null)
	[ "$img" = "root=/dev/vda1 B panic=10" ] || no "$1: the kernel holds '$img', not B"
	[ "$rec" = "$img" ] || no "$1: the record says '$rec', the kernel holds '$img'"
	for f in "$1"/run/kexec-prep/staging "$1"/run/kexec-prep/log.*; do
		[ ! -e "$f" ] || no "$1: $f was left"
	done
}
until_says() { # until_says TEXT FILE: 20 s at most
	i=0
	until grep -qF -- "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || {
			no "$2 never said: $1"
			return
		}
		sleep 0.1
	done
}

# two loads at once, the first slow: the second waits, B staged once over
fresh two
echo 1 >"$R/kexec-slow"
kp "$R" default load >"$tmp/two.1" 2>&1 &
first=$!
until_says "Kernel:" "$tmp/two.1"
kp "$R" default load >"$tmp/two.2" 2>&1 || no "the second load failed: $(cat "$tmp/two.2")"
wait $first || no "the first load failed: $(cat "$tmp/two.1")"
says "This staging waits for the staging in progress (pid " "$tmp/two.2"
staged "$R"

# load --background, and at once the shutdown's exec: it waits, and the
# jump goes into the whole staging
fresh bg-exec
echo 1 >"$R/kexec-slow"
kp "$R" default load --background >"$tmp/bg-exec.load" 2>&1 || no "load --background failed"
kp "$R" shutdown exec >"$tmp/bg-exec.exec" 2>&1 || true
says "The jump waits for the staging in progress" "$tmp/bg-exec.exec"
says "reboot(LINUX_REBOOT_CMD_KEXEC) failed" "$tmp/bg-exec.exec"
staged "$R"

# load --background, and at once unload by hand: it waits, then unloads
fresh bg-unload
echo 1 >"$R/kexec-slow"
kp "$R" default load --background >"$tmp/bg-unload.load" 2>&1 || no "load --background failed"
kp "$R" default unload >"$tmp/bg-unload.unload" 2>&1 || no "unload failed: $(cat "$tmp/bg-unload.unload")"
says "Unloading waits for the staging in progress" "$tmp/bg-unload.unload"
says "Unloaded: the next reboot goes through the firmware" "$tmp/bg-unload.unload"
if [ -e "$R/kexec-image" ] || [ "$(cat "$R/sys/kernel/kexec_loaded")" != 0 ]; then
	no "unload went first: the staging after it left B staged"
fi
[ ! -e "$R/run/kexec-prep/staged" ] || no "unload left the record"

# a lock file with the pid of a process that is no kexec-prep (the staging
# that wrote it is gone, its pid reused): free, that process left alone
fresh stale
nice -n 5 sleep 30 &
other=$!
printf '%s\n' "$other" >"$R/run/kexec-prep/lock"
kp "$R" default status >"$tmp/stale.status" 2>&1 || true
! grep -q "Staging" "$tmp/stale.status" || no "status says a staging runs: $(cat "$tmp/stale.status")"
kp "$R" default load >"$tmp/stale.load" 2>&1 || no "load failed: $(cat "$tmp/stale.load")"
! grep -q "waits" "$tmp/stale.load" || no "load waited for a lock nobody held"
# held by someone (flock(1)), the pid inside another process's: waited for,
# not named, not reniced
flock "$R/run/kexec-prep/lock" sh -c "printf '%s\n' $other >'$R/run/kexec-prep/lock'; touch '$tmp/held'; sleep 2" &
holder=$!
until [ -e "$tmp/held" ]; do sleep 0.05; done
kp "$R" default status >"$tmp/stale.status2" 2>&1 || true
says "Staging: a staging is in progress" "$tmp/stale.status2"
kp "$R" default load >"$tmp/stale.load2" 2>&1 || no "load failed: $(cat "$tmp/stale.load2")"
says "This staging waits for the staging in progress to finish" "$tmp/stale.load2"
wait $holder
[ "$(ps -o ni= -p "$other" | tr -d ' ')" = 5 ] || no "the process whose pid the lock held was reniced"
kill "$other"

# SIGTERM and SIGINT while exec waits for a staging: it gives up, says so
for sig in TERM INT; do
	fresh sig-$sig
	rm -f "$tmp/held"
	flock "$R/run/kexec-prep/lock" sh -c "touch '$tmp/held'; sleep 3" </dev/null >/dev/null 2>&1 &
	holder=$!
	until [ -e "$tmp/held" ]; do sleep 0.05; done
	# (not through kp: $! is then kexec-prep's own pid)
	"$sysfail" kexec_file_load=ENOSYS kexec_load=EPERM reboot=EPERM -- /usr/bin/env RC_RUNLEVEL=shutdown \
		RC_GOINGDOWN=YES RC_REBOOT=YES "$bin" --root "$R" exec >"$tmp/sig-$sig.exec" 2>&1 &
	exec_pid=$!
	until_says "The jump waits for the staging in progress" "$tmp/sig-$sig.exec"
	kill -s "$sig" "$exec_pid"
	rc=0
	wait "$exec_pid" || rc=$?
	[ $rc = 1 ] || no "exec stopped by SIG$sig exited $rc, not 1: $(cat "$tmp/sig-$sig.exec")"
	says "kexec-prep: stopped by SIG$sig: giving up; no kexec jump, the shutdown goes on without it" "$tmp/sig-$sig.exec"
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
done

# SIGTERM at the jump (its sync), the watchdog armed: stopped first
R=$tmp/wd
KEXEC_PREP=$bin "$hostile/watchdog-exec/setup" "$R" >/dev/null 2>&1
rc=0
strace -f -o /dev/null -e trace=sync -e inject=sync:signal=TERM \
	"$sysfail" kexec_file_load=EPERM kexec_load=EPERM reboot=EPERM -- \
	/usr/bin/env RC_RUNLEVEL=shutdown RC_GOINGDOWN=YES RC_REBOOT=YES "$bin" --root "$R" exec \
	>"$tmp/wd.exec" 2>&1 || rc=$?
[ $rc = 1 ] || no "exec stopped by SIGTERM at the jump exited $rc, not 1: $(cat "$tmp/wd.exec")"
says "armed for" "$tmp/wd.exec"
says "kexec-prep: stopped by SIGTERM: giving up" "$tmp/wd.exec"
[ "$(od -An -c "$R/dev/watchdog0" | tr -d ' ')" = '\0V' ] ||
	no "the armed watchdog was not stopped (it holds: $(od -An -c "$R/dev/watchdog0"))"

for f in "$tmp"/*.*; do
	! grep -qE 'Sanitizer|runtime error' "$f" || no "a sanitizer spoke in $f"
done
[ $fail = 0 ] && echo "races and signals: ok"
exit $fail
