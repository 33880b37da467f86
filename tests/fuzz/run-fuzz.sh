#!/bin/sh
# Run one libFuzzer harness for FUZZ_SECONDS (default 15) from the corpus in
# the tree, new inputs kept in a scratch directory (the tree stays as it is),
# and say how many inputs it tried. A crash fails the test and prints the
# input; copy it into the corpus once fixed.
# With a dictionary (tests/fuzz/dict/<harness>.dict: the words of what it
# parses), libFuzzer uses it too.
#   run-fuzz.sh HARNESS CORPUS_DIR
set -eu

exe=$1
corpus=$2
dict=$(dirname "$0")/dict/$(basename "$corpus").dict
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
set --
[ ! -f "$dict" ] || set -- -dict="$dict"
set +e
"$exe" -max_total_time="${FUZZ_SECONDS:-15}" -timeout=10 -rss_limit_mb=1024 -close_fd_mask=3 \
	-artifact_prefix="$scratch/" "$@" "$scratch" "$corpus" >"$scratch/log" 2>&1
rc=$?
set -e
# libFuzzer's own closing line: "Done N runs in T second(s)"
grep -E '^(INFO: seed corpus|Done [0-9]+ runs)' "$scratch/log" || true
if [ "$rc" != 0 ]; then
	tail -n 40 "$scratch/log"
	for a in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-*; do
		[ -f "$a" ] && { echo "input ($a):"; od -c "$a" | head -20; }
	done
	exit 1
fi
