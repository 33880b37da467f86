#!/bin/sh
# Staging in the background, as kexec-load's start runs it (load
# --background), for real in fixture roots, every kexec call refused by
# tests/sysfail (nothing reaches this kernel):
# - load returns at once; the staging goes on in a child, which records
#   what it staged and keeps what it said in /run/kexec-prep/log;
# - a failure is kept in /run/kexec-prep/failed, said by status, appended
#   to rc.log (rc_logger="YES"), and written to the console (stderr);
# - while another holds the staging lock, status says "Staging", the
#   background staging waits for it, and so do exec and unload by hand;
# - STAGE_IN_BACKGROUND=no stages in the foreground.
#   background.sh KEXEC_PREP SYSFAIL FIXTURES_DIR
# Needs flock(1) (util-linux) to hold the lock from outside.
set -eu

bin=$1
sysfail=$2
fixtures=$3
command -v flock >/dev/null || {
	echo "needs flock (util-linux); skipped"
	exit 77
}
# shellcheck source-path=SCRIPTDIR source=scratch.sh
. "$(dirname "$0")/scratch.sh"
kp() {
	EINFO_COLOR=NO "$sysfail" kexec_file_load=EPERM kexec_load=EPERM reboot=EPERM -- \
		"$bin" --root "$R" "$@"
}
says() { # says TEXT FILE
	grep -qF -- "$1" "$2" || no "$2 does not say: $1"
}
wait_done() { # until status stops saying "Staging"; 30 s at most
	i=0
	while kp status 2>&1 | grep -q '^ \* Staging:'; do
		i=$((i + 1))
		[ $i -lt 300 ] || {
			no "status still says Staging after 30 s"
			return
		}
		sleep 0.1
	done
}
setup() { # setup FIXTURE DIR
	R=$tmp/$2
	"$fixtures/$1/setup" "$R" >/dev/null 2>&1
}

# staged through the root's kexec-tools: recorded, no log, no failure
setup load-alpine ok
kp load --background >"$tmp/ok.out" 2>&1 || no "load --background failed: $(cat "$tmp/ok.out")"
says "Staging the next kernel for kexec in the background (pid" "$tmp/ok.out"
wait_done
[ -f "$R/run/kexec-prep/staged" ] || no "the background staging recorded nothing"
for f in failed staging; do
	[ ! -e "$R/run/kexec-prep/$f" ] || no "a good staging left /run/kexec-prep/$f"
done
says "Kernel: /boot/vmlinuz-lts" "$R/run/kexec-prep/log"
# nobody else may open the lock, or they could hold it against every staging
[ "$(stat -c %a "$R/run/kexec-prep/lock")" = 600 ] || no "the lock file is not 0600"

# refused by the kernel: kept, said, logged
setup load-debian bad
printf 'rc_logger="YES"\n' >"$R/etc/rc.conf"
mkdir -p "$R/var/log"
echo "rc default logging started" >"$R/var/log/rc.log"
kp load --background >"$tmp/bad.out" 2>&1 || no "load --background failed at once"
wait_done
says "the kernel refused the load (EPERM)" "$R/run/kexec-prep/failed"
says "the staging in the background failed:" "$tmp/bad.out"
says "the kernel refused the load (EPERM)" "$tmp/bad.out"
says "kexec-prep: staging in the background FAILED at" "$R/var/log/rc.log"
says "the kernel refused the load (EPERM)" "$R/var/log/rc.log"
set +e
kp status >"$tmp/bad.status" 2>&1
rc=$?
set -e
[ $rc = 3 ] || no "status exit $rc after a failed staging, expected 3 (nothing staged)"
says "The last staging in the background failed (/run/kexec-prep/failed):" "$tmp/bad.status"
[ ! -e "$R/run/kexec-prep/log" ] || no "a failed staging left its log"

# the lock held from outside: status says Staging; the staging, exec and
# unload wait for it, in that order
setup load-alpine locked
mkdir -p "$R/run/kexec-prep"
flock "$R/run/kexec-prep/lock" sh -c "touch '$tmp/held'; sleep 3; touch '$tmp/released'" &
holder=$!
while [ ! -e "$tmp/held" ]; do sleep 0.05; done
kp status >"$tmp/locked.status" 2>&1 || true
says "Staging: a staging is in progress" "$tmp/locked.status"
kp load --background >"$tmp/locked.out" 2>&1
[ ! -e "$tmp/released" ] || no "load --background did not return while the lock was held"
# it stages at the lowest priority (nice 19), until someone waits for it
pid=$(sed -n 's/.*in the background (pid \([0-9]*\)).*/\1/p' "$tmp/locked.out")
nice=$(ps -o ni= -p "$pid" | tr -d ' ')
[ "$nice" = 19 ] || no "the staging in the background runs at nice '$nice', not 19"
kp --force --dry-run exec >"$tmp/exec.out" 2>&1 || true
[ -e "$tmp/released" ] || no "exec went on while a staging held the lock"
says "The jump waits for the staging in progress" "$tmp/exec.out"
wait "$holder"
wait_done
[ -f "$R/run/kexec-prep/staged" ] || no "the staging that waited for the lock recorded nothing"
says "Kernel: /boot/vmlinuz-lts" "$R/run/kexec-prep/log"
for f in "$R"/run/kexec-prep/log.*; do
	[ ! -e "$f" ] || no "the staging that waited left $f"
done

# STAGE_IN_BACKGROUND=no: in the foreground, the failure said at once
setup load-debian sync
printf 'STAGE_IN_BACKGROUND=no\n' >>"$R${KP_CONFD:?}"
set +e
kp load --background >"$tmp/sync.out" 2>&1
rc=$?
set -e
[ $rc = 1 ] || no "a refused staging in the foreground exited $rc, expected 1"
says "the kernel refused the load (EPERM)" "$tmp/sync.out"
! grep -q "in the background" "$tmp/sync.out" || no "STAGE_IN_BACKGROUND=no still went to the background"

for f in "$tmp"/*.out "$tmp"/*.status; do
	! grep -qE 'Sanitizer|runtime error' "$f" || no "a sanitizer spoke in $f"
done
[ $fail = 0 ] && echo "background staging: ok"
exit $fail
