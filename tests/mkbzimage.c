/* Write a file that passes (or, by variant, fails) the checks the kernel's
 * bzImage64 kexec loader makes: a boot-protocol setup header with a version
 * string, then padding. Not a bootable kernel; a test input.
 *   mkbzimage OUT VERSION [VARIANT] [SIZE]
 * VARIANT: good (default), truncated, wrong-magic, 32bit, no-above-4g,
 * old-protocol, small-cmdline. SIZE in bytes (default 65536), sparse. */
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

int main(int argc, char **argv)
{
	unsigned char h[4096] = {0};
	const char *variant = argc > 3 ? argv[3] : "good";
	long long size = argc > 4 ? atoll(argv[4]) : 65536;
	int fd;

	if (argc < 3) {
		fputs("usage: mkbzimage OUT VERSION [VARIANT] [SIZE]\n", stderr);
		return 2;
	}
	h[0x1f1] = 4;				     /* setup_sects */
	put16(h + 0x1fe, 0xaa55);		     /* boot_flag */
	memcpy(h + 0x202, "HdrS", 4);		     /* header */
	put16(h + 0x206, 0x020f);		     /* version 2.15 */
	put16(h + 0x20e, 0x300);		     /* kernel_version: at 0x300 + 0x200 */
	h[0x211] = 0x01;			     /* loadflags: LOADED_HIGH */
	put16(h + 0x236, 0x01 | 0x02 | 0x08 | 0x10); /* xloadflags: 64, above 4G, EFI */
	put32(h + 0x238, 2047);			     /* cmdline_size */
	snprintf((char *)h + 0x500, 256, "%s (test@openrc-kexec) #1 SMP PREEMPT_DYNAMIC", argv[2]);
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
	else if (!strcmp(variant, "truncated"))
		size = 2048; /* shorter than its own setup code */
	else if (strcmp(variant, "good") != 0) {
		fprintf(stderr, "mkbzimage: unknown variant %s\n", variant);
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
