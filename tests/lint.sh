#!/bin/sh
# Lint as a test: lint.sh shellcheck|clang-format|split-strings SOURCE_ROOT
# Finds the project's scripts by their first line (openrc-run scripts, the
# .in templates too, are checked as POSIX sh) and its C by extension; fails on any finding.
# split-strings: a message must stay one literal, so that a user can grep
# the source for what they saw (a literal may end a line of text with \n).
set -eu

what=$1
src=$2
cd "$src"

files() {
	if [ -d .git ] && command -v git >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		# a release tarball: its files, not those of a meson build
		# directory in it (any name: abuild's is "output") or the cache
		find . -type d \( -name .cache -o -exec sh -c 'test -d "$1/meson-private"' sh {} \; \) \
			-prune -o -type f -print | sed 's|^\./||'
	fi
}

status=0
case $what in
shellcheck)
	# one shellcheck per kind of script: far faster than one per file
	openrc=
	scripts=
	for f in $(files); do
		[ -f "$f" ] || continue
		first=$(head -n 1 "$f" | cut -c1-80)
		case $first in
		# openrc-run reads description, extra_commands and the like: SC2034
		# (assigned but unused) is all they would trigger.
		'#!'*openrc-run*) openrc="$openrc $f" ;;
		'#!@OPENRC_RUN@')
			# a template: checked as meson will write it
			sed 's|@OPENRC_RUN@|/sbin/openrc-run|; s|@[A-Z_]*@|/usr/sbin/kexec-prep|g' "$f" |
				shellcheck -s sh -e SC2034 - || status=1
			;;
		'#!'*sh*) scripts="$scripts $f" ;;
		*) case $f in *.sh) scripts="$scripts $f" ;; esac ;;
		esac
	done
	# shellcheck disable=SC2086 # lists of file names without blanks
	if [ -n "$openrc" ]; then shellcheck -s sh -e SC2034 $openrc || status=1; fi
	# shellcheck disable=SC2086
	if [ -n "$scripts" ]; then shellcheck -x $scripts || status=1; fi
	;;
clang-format)
	for f in $(files); do
		[ -f "$f" ] || continue
		case $f in
		*.c | *.h) clang-format --dry-run --Werror "$f" || status=1 ;;
		esac
	done
	;;
split-strings)
	for f in $(files); do
		[ -f "$f" ] || continue
		case $f in
		*.c | *.h)
			awk 'FNR == 1 { prev = "" }
			{
				cur = $0
				sub(/^[ \t]+/, "", cur)
				if (prev ~ /"[ \t]*$/ && prev !~ /\\n"[ \t]*$/ && cur ~ /^"/) {
					printf "%s:%d: a string literal split across lines: %s\n", FILENAME, FNR, cur
					bad = 1
				}
				prev = $0
			}
			END { exit bad }' "$f" || status=1
			;;
		esac
	done
	;;
*)
	echo "lint.sh: unknown linter '$what'" >&2
	exit 2
	;;
esac
exit $status
