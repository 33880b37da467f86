#!/bin/sh
# Run kexec-prep against a copy of one fixture root and compare what it
# prints (stdout and stderr, in order, then its exit status) with the
# checked-in expected file. With --json, standard output must parse as one
# JSON object (python3): check's report or status; it is compared after
# what went to stderr.
#   run-case.sh KEXEC_PREP CASE_DIR NAME [ARGS...]
# runs: KEXEC_PREP --root <copy of CASE_DIR/root> ARGS...
# expects: CASE_DIR/NAME.expected. With UPDATE=1 it rewrites that file.
# CASE_DIR/setup, when present, runs first with the copy's path as $1
# (for what git cannot store: modes, generated images, module indexes);
# its exit status 77 skips the case.
# RUN_PREFIX, when set, is a command (words split at spaces) that runs
# KEXEC_PREP: tests/sysfail, to make the kernel's answers what a case needs.
# KP_CONFD is where this build reads its settings (meson's sysconfdir): it
# reads as @CONFD@ in the expected files.
set -eu

bin=$1
case_dir=$2
name=$3
shift 3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root"
if [ -d "$case_dir/root" ]; then
	cp -a "$case_dir/root/." "$tmp/root/"
fi
if [ -x "$case_dir/setup" ]; then
	# exit 77 from a setup: this case cannot run here (skipped)
	"$case_dir/setup" "$tmp/root" || exit $?
fi

json=false
for a; do [ "$a" != --json ] || json=true; done
set +e
if $json; then
	# --json: standard output must be the JSON object alone, for the
	# programs that parse it; what is said on the way goes to stderr,
	# shown first
	# shellcheck disable=SC2086 # RUN_PREFIX is words
	EINFO_COLOR=NO LC_ALL=C ${RUN_PREFIX:-} "$bin" --root "$tmp/root" "$@" >"$tmp/stdout" 2>"$tmp/out"
	rc=$?
else
	# shellcheck disable=SC2086 # RUN_PREFIX is words
	EINFO_COLOR=NO LC_ALL=C ${RUN_PREFIX:-} "$bin" --root "$tmp/root" "$@" >"$tmp/out" 2>&1
	rc=$?
fi
set -e
if $json; then
	python3 -c 'import json, sys; o = json.load(sys.stdin); assert isinstance(o, dict) and ("checks" in o or "boots" in o), "not a check report or a status"' \
		<"$tmp/stdout" || {
		echo "run-case: $case_dir: standard output is not one JSON object:" >&2
		cat "$tmp/stdout" >&2
		exit 1
	}
	cat "$tmp/stdout" >>"$tmp/out"
fi
echo "exit: $rc" >>"$tmp/out"
# CASE_DIR/verify, when present, says what the run left behind (its
# output is compared too): a file it must not have touched, say.
if [ -x "$case_dir/verify" ]; then
	"$case_dir/verify" "$tmp/root" >>"$tmp/out" 2>&1
fi
# Paths are printed as seen inside the root; the copy's own path must not leak.
sed "s|$tmp/root|@ROOT@|g; s|${KP_CONFD:?}|@CONFD@|g" "$tmp/out" >"$tmp/actual"
# CASE_DIR/normalize, when present, is a sed script for what the clock
# makes differ from run to run (times, seconds between them)
if [ -f "$case_dir/normalize" ]; then
	sed -f "$case_dir/normalize" "$tmp/actual" >"$tmp/actual.n"
	mv "$tmp/actual.n" "$tmp/actual"
fi

expected=$case_dir/$name.expected
if [ "${UPDATE:-0}" = 1 ]; then
	cp "$tmp/actual" "$expected"
	exit 0
fi
if ! diff -u "$expected" "$tmp/actual"; then
	echo "run-case: $case_dir: '$*' differs from $expected (UPDATE=1 rewrites it)" >&2
	exit 1
fi
