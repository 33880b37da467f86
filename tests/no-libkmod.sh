#!/bin/sh
# libkmod is opened only to check a module tree (helper/kmod.c): a program
# start that does not check one never loads it, and one that cannot load it
# refuses to stage with the reason and the fix. A file named libkmod.so.2
# that is no library stands first on LD_LIBRARY_PATH. Which files a run
# opens is read with strace, the same for glibc's loader and musl's.
#   no-libkmod.sh KEXEC_PREP FIXTURES_DIR
set -eu

bin=$1
fixtures=$2
if ! command -v strace >/dev/null; then
	echo "needs strace to see which files kexec-prep opens; skipped"
	exit 77
fi
# shellcheck source-path=SCRIPTDIR source=scratch.sh
. "$(dirname "$0")/scratch.sh"
R=$tmp/root
"$fixtures/load-alpine/setup" "$R" >/dev/null 2>&1
mkdir "$tmp/lib"
echo "not a library" >"$tmp/lib/libkmod.so.2"
kp() { EINFO_COLOR=NO "$bin" --root "$R" "$@"; }
opened() { # opened ARGS...: the files a run of kp ARGS opens (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=open,openat -o "$tmp/trace" \
		env EINFO_COLOR=NO "$bin" --root "$R" "$@" >/dev/null 2>&1 || true
	sed -n 's/.*open[a-z]*(.*"\([^"]*\)".*/\1/p' "$tmp/trace"
}

# with the real one: the module tree is checked, and it loads
kp --dry-run load >"$tmp/good.out" 2>&1 || no "--dry-run load failed: $(cat "$tmp/good.out")"
opened --dry-run load | grep -q 'libkmod\.so\.2$' ||
	no "--dry-run load did not open libkmod.so.2"

# commands that check no module tree never open it
for cmd in --version status; do
	opened $cmd | grep -q 'libkmod' && no "kexec-prep $cmd opened libkmod"
	LD_LIBRARY_PATH=$tmp/lib kp $cmd >"$tmp/cmd.out" 2>&1 || true # status: 3, nothing staged
	grep -q 'libkmod' "$tmp/cmd.out" && no "kexec-prep $cmd needed libkmod: $(cat "$tmp/cmd.out")"
done
LD_LIBRARY_PATH=$tmp/lib kp --version >/dev/null || no "kexec-prep --version failed without a usable libkmod"

# without a usable one: refused, said why and what to install
if LD_LIBRARY_PATH=$tmp/lib kp --dry-run load >"$tmp/bad.out" 2>&1; then
	no "--dry-run load went on without libkmod"
fi
grep -q "cannot load libkmod.so.2 (" "$tmp/bad.out" || no "no reason given: $(cat "$tmp/bad.out")"
grep -q "install kmod's library" "$tmp/bad.out" || no "no fix given: $(cat "$tmp/bad.out")"
[ $fail = 0 ] && echo "no-libkmod: opened only for the module check; its absence refused and explained"
exit $fail
