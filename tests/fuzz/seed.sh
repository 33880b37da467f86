#!/bin/sh
# Write the seed corpus of the fuzz harnesses (tests/fuzz/corpus/<harness>/)
# from the fixture roots: real shapes of every file they parse. Run again
# after a fixture changes; the harnesses read it as it is.
#   seed.sh MKKERNEL KEXEC_PREP  (from a build)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
fixtures=$here/../fixtures
corpus=$here/corpus
MKKERNEL=$1
KEXEC_PREP=$2
KP_CONFD=/usr/local/etc/conf.d/kexec-load
export MKKERNEL KEXEC_PREP KP_CONFD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the seeds are rewritten; what the fuzzers found (found-*) stays
find "$corpus" -name 'seed-*' -type f -delete 2>/dev/null || true
for h in cmdline version kconfig settings mounts image state loaders; do mkdir -p "$corpus/$h"; done

n=0
seed() { # seed HARNESS FILE...: one input, the files joined by NUL bytes
	h=$1
	shift
	n=$((n + 1))
	out=$corpus/$h/seed-$n
	first=true
	for f in "$@"; do
		$first || printf '\000' >>"$out"
		first=false
		cat "$f" >>"$out"
	done
	# the same input twice is one
	for o in "$corpus/$h"/seed-*; do
		[ "$o" != "$out" ] && cmp -s "$o" "$out" && { rm "$out"; break; }
	done
	return 0
}

for setup in "$fixtures"/*/setup "$here"/../hostile/*/setup; do
	r=$tmp/$(basename "$(dirname "$setup")")
	mkdir -p "$r"
	"$setup" "$r" >/dev/null 2>&1 || continue
	[ ! -f "$r/proc/cmdline" ] || seed cmdline "$r/proc/cmdline"
	for f in "$r"/boot/config-*; do [ ! -f "$f" ] || seed kconfig "$f"; done
	[ ! -f "$r$KP_CONFD" ] || seed settings "$r$KP_CONFD"
	[ ! -f "$r/proc/self/mountinfo" ] || seed mounts "$r/proc/self/mountinfo"
	[ ! -f "$r/etc/fstab" ] || seed mounts "$r/etc/fstab"
	for k in "$r"/boot/vmlinuz-* "$r"/boot/kernel-*; do
		if [ ! -f "$k" ] || [ -p "$k" ]; then continue; fi
		# a compressed kernel whole (its stream is what is read), else its head
		case $(od -An -tx1 -N8 "$k" | tr -d ' ') in
		1f8b* | 28b52ffd* | 4d5a????7a696d67) [ "$(wc -c <"$k")" -gt 65536 ] || {
			seed image "$k"
			continue
		} ;;
		esac
		head -c 4096 "$k" >"$tmp/head"
		seed image "$tmp/head"
	done
	[ ! -f "$r/run/kexec-prep/staged" ] || seed state "$r/run/kexec-prep/staged"
	[ ! -f "$r/boot/extlinux.conf" ] || seed loaders "$r/boot/extlinux.conf"
	if [ -f "$r/boot/grub/grub.cfg" ] && [ ! -p "$r/boot/grub/grub.cfg" ] &&
		[ "$(wc -c <"$r/boot/grub/grub.cfg")" -lt 65536 ]; then
		: >"$tmp/empty"
		seed loaders "$r/boot/grub/grub.cfg" "$(ls "$r/boot/grub/grubenv" 2>/dev/null || echo "$tmp/empty")"
	fi
	for e in "$r"/*/loader/entries/*.conf "$r"/boot/efi/loader/entries/*.conf; do
		[ -f "$e" ] || continue
		l=$(dirname "$(dirname "$e")")/loader.conf
		: >"$tmp/empty"
		seed loaders "$e" "$([ -f "$l" ] && echo "$l" || echo "$tmp/empty")"
	done
done
# versions: the fixtures' kernels, three at a time
cat "$fixtures"/../hostile/*/setup "$fixtures"/*/setup | grep -o '[0-9]\.[0-9][0-9.]*-[A-Za-z0-9.~_+-]*' |
	sort -u >"$tmp/versions"
while read -r a && read -r b && read -r c; do
	printf '%s\000%s\000%s' "$a" "$b" "$c" >"$tmp/v"
	seed version "$tmp/v"
done <"$tmp/versions"
cp "$here/../../conf.d/kexec-load" "$tmp/confd"
seed settings "$tmp/confd"
echo "seed.sh: $(find "$corpus" -type f | wc -l) seeds, $(du -sk "$corpus" | cut -f1) KiB"
