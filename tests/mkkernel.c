/* Write a file that passes (or, by variant, fails) the checks the kernel's
 * own kexec loaders make: an x86 bzImage setup header with a version string,
 * or an arm64 Image header with a "Linux version" banner, then padding. Not
 * a bootable kernel; a test input.
 *   mkkernel OUT VERSION [VARIANT] [SIZE]
 * VARIANT: good (default, a bzImage), truncated, wrong-magic, 32bit,
 * no-above-4g, old-protocol, small-cmdline, tiny-cmdline, no-boot-flag,
 * bad-version (a version string that would leave /lib/modules); arm64 (a
 * raw Image), arm64-be,
 * arm64-no-size. Compressed, as kernels are installed: arm64-gz (make
 * zinstall), arm64-zst (Image.zst with its size appended), arm64-zboot-gz
 * and arm64-zboot-zst (an EFI zboot image, the Image padded to image_size as
 * Makefile.zboot pads it), arm64-zboot-xz (a compression not read),
 * arm64-gz-truncated, arm64-gz-big (decompresses past image_size),
 * arm64-gz-trailing (data after the stream), gz-bzimage (a gzipped
 * bzImage). SIZE in bytes (default 65536), sparse when not compressed. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

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

/* gzip as `gzip -n -9` writes it. */
static size_t gz(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z = {0};
	size_t len;

	if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	len = deflate(&z, Z_FINISH) == Z_STREAM_END ? cap - z.avail_out : 0;
	deflateEnd(&z);
	return len;
}

/* zstd with the le32 size after it, as the kernel's zstd22_with_size. */
static size_t zst(const unsigned char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t len = ZSTD_compress(out, cap - 4, in, n, 19);

	if (ZSTD_isError(len))
		return 0;
	put32(out + len, (uint32_t)n);
	return len + 4;
}

static int put_file(const char *path, const unsigned char *p, size_t n, long long size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, p, n) != (ssize_t)n || ftruncate(fd, size) < 0 || close(fd) < 0) {
		perror(path);
		return 1;
	}
	return 0;
}

/* The compressed variants: the image built, then packed as the kernel's
 * Makefiles pack it. */
static int packed(const char *out, unsigned char *img, long long size, const char *v)
{
	bool zboot = !strncmp(v, "arm64-zboot-", 12);
	size_t n = (size_t)size, cap, len, at = zboot ? 0x1000 : 0;
	unsigned char *buf;
	int rc;

	if (zboot) { /* Makefile.zboot: the Image padded to its image_size */
		n = 0x2000000;
		img = realloc(img, n);
		if (!img)
			return 1;
		memset(img + size, 0, n - (size_t)size);
	}
	if (!strcmp(v, "arm64-gz-big"))
		put64(img + 16, 4096); /* image_size smaller than the image */
	cap = n + n / 8 + 0x2000;
	buf = calloc(1, cap + at);
	if (!buf)
		return 1;
	if (strstr(v, "-zst"))
		len = zst(img, n, buf + at, cap);
	else if (strstr(v, "-xz")) /* not read: any bytes will do */
		len = 4096;
	else
		len = gz(img, n, buf + at, cap);
	if (!len)
		return 1;
	if (!strcmp(v, "arm64-gz-truncated"))
		len /= 2;
	if (!strcmp(v, "arm64-gz-trailing"))
		len += (size_t)snprintf((char *)buf + at + len, 32, "trailing garbage");
	if (zboot) {
		memcpy(buf, "MZ", 2);
		memcpy(buf + 4, "zimg", 4);
		put32(buf + 8, (uint32_t)at); /* payload offset */
		/* payload size, without the size zstd22_with_size appends */
		put32(buf + 12, (uint32_t)(strstr(v, "-zst") ? len - 4 : len));
		strcpy((char *)buf + 24, strstr(v, "-zst")  ? "zstd22"
					 : strstr(v, "-xz") ? "xzkern"
							    : "gzip");
		put32(buf + 0x38, 0x818223cd); /* LINUX_PE_MAGIC */
		put32(buf + 0x3c, 0x40);       /* where a PE header would be */
	}
	rc = put_file(out, buf, at + len, (long long)(at + len));
	free(buf);
	free(img);
	return rc;
}

int main(int argc, char **argv)
{
	const char *variant = argc > 3 ? argv[3] : "good";
	long long size = argc > 4 ? atoll(argv[4]) : 65536;
	unsigned char *h;
	int rc;
	bool pack =
		!strcmp(variant, "gz-bzimage") ||
		(!strncmp(variant, "arm64-", 6) &&
		 (strstr(variant, "-gz") || strstr(variant, "-zst") || strstr(variant, "-zboot")));

	if (argc < 3) {
		fputs("usage: mkkernel OUT VERSION [VARIANT] [SIZE]\n", stderr);
		return 2;
	}
	h = calloc(1, size > 4096 ? (size_t)size : 4096);
	if (!h)
		return 1;
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
	else if (pack)
		return packed(argv[1], h, size, variant);
	else if (strcmp(variant, "good") != 0 && strcmp(variant, "arm64") != 0) {
		fprintf(stderr, "mkkernel: unknown variant %s\n", variant);
		free(h);
		return 2;
	}
	rc = put_file(argv[1], h, size < 4096 ? (size_t)size : 4096, size);
	free(h);
	return rc;
}
