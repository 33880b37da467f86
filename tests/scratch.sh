# Sourced by the shell tests: a scratch directory $tmp, removed on exit;
# `no MESSAGE` says FAIL and marks the test failed ($fail, the exit status).
# shellcheck shell=sh disable=SC2034 # fail is the sourcing test's
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() {
	echo "FAIL: $*"
	fail=1
}
