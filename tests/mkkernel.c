/* Write a file that passes (or, by variant, fails) the checks the kernel's
 * own kexec loaders make: an x86 bzImage setup header with a version string,
 * or an arm64 Image header with a "Linux version" banner, then padding. Not
 * a bootable kernel; a test input.
 *   mkkernel OUT VERSION [VARIANT] [SIZE]
 * VARIANT: good (default, a bzImage), truncated, wrong-magic, 32bit,
 * no-above-4g, old-protocol, small-cmdline, tiny-cmdline, no-boot-flag,
 * bad-version (a version string that would leave /lib/modules); arm64 (a
 * raw Image), arm64-be,
 * arm64-no-size. SIZE in bytes (default 65536), sparse. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void bzimage(unsigned char *h, const char *version)
{
	h[0x1f1] = 4;				     /* setup_sects */
	put16(h + 0x1fe, 0xaa55);		     /* boot_flag */
	memcpy(h + 0x202, "HdrS", 4);		     /* header */
	put16(h + 0x206, 0x020f);		     /* version 2.15 */
	put16(h + 0x20e, 0x300);		     /* kernel_version: at 0x300 + 0x200 */
	h[0x211] = 0x01;			     /* loadflags: LOADED_HIGH */
	put16(h + 0x236, 0x01 | 0x02 | 0x08 | 0x10); /* xloadflags: 64, above 4G, EFI */
	put32(h + 0x238, 2047);			     /* cmdline_size */
	snprintf((char *)h + 0x500, 256, "%s (test@openrc-kexec) #1 SMP PREEMPT_DYNAMIC", version);
}

/* Documentation/arch/arm64/booting.rst */
static void arm64(unsigned char *h, const char *version)
{
	put32(h, 0xfa405a4d);		    /* code0: "MZ" + a branch, as EFI stub kernels have */
	put64(h + 8, 0);		    /* text_offset */
	put64(h + 16, 0x2000000);	    /* image_size */
	put64(h + 24, 0x2 << 1 | 0x1 << 3); /* flags: LE, 4K pages, anywhere */
	memcpy(h + 56, "ARM\x64", 4);	    /* magic */
	snprintf((char *)h + 0x800, 256,
		 "Linux version %s (test@openrc-kexec) (gcc 12.2.0) #1 SMP PREEMPT", version);
}

int main(int argc, char **argv)
{
	unsigned char h[4096] = {0};
	const char *variant = argc > 3 ? argv[3] : "good";
	long long size = argc > 4 ? atoll(argv[4]) : 65536;
	int fd;

	if (argc < 3) {
		fputs("usage: mkkernel OUT VERSION [VARIANT] [SIZE]\n", stderr);
		return 2;
	}
	if (!strncmp(variant, "arm64", 5))
		arm64(h, argv[2]);
	else
		bzimage(h, argv[2]);
	if (!strcmp(variant, "wrong-magic"))
		memcpy(h + 0x202, "HdrX", 4);
	else if (!strcmp(variant, "32bit"))
		put16(h + 0x236, 0);
	else if (!strcmp(variant, "no-above-4g"))
		put16(h + 0x236, 0x01);
	else if (!strcmp(variant, "old-protocol"))
		put16(h + 0x206, 0x0206);
	else if (!strcmp(variant, "small-cmdline"))
		put32(h + 0x238, 64);
	else if (!strcmp(variant, "tiny-cmdline"))
		put32(h + 0x238, 16); /* less than the kernel's own 30 */
	else if (!strcmp(variant, "no-boot-flag"))
		put16(h + 0x1fe, 0);
	else if (!strcmp(variant, "bad-version"))
		snprintf((char *)h + 0x500, 256, "../../etc #1 SMP");
	else if (!strcmp(variant, "truncated"))
		size = 2048; /* shorter than its own setup code */
	else if (!strcmp(variant, "arm64-be"))
		h[24] |= 0x1;
	else if (!strcmp(variant, "arm64-no-size"))
		put64(h + 16, 0);
	else if (strcmp(variant, "good") != 0 && strcmp(variant, "arm64") != 0) {
		fprintf(stderr, "mkkernel: unknown variant %s\n", variant);
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, h, size < (long long)sizeof(h) ? (size_t)size : sizeof(h)) < 0 ||
	    ftruncate(fd, size) < 0 || close(fd) < 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
