/* Decompression of a kernel image: streamed from the file, checked as it
 * goes, never into a temporary file. */
#include "unpack.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "le.h"
#include "str.h"

#define CHUNK (64 * 1024)

enum kp_comp kp_comp_detect(const unsigned char *h, size_t len)
{
	if (len >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8) /* gzip, deflate */
		return KP_COMP_GZIP;
	if (len >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
		return KP_COMP_ZSTD;
	return KP_COMP_NONE;
}

const char *kp_comp_name(enum kp_comp c)
{
	return c == KP_COMP_GZIP ? "gzip" : c == KP_COMP_ZSTD ? "zstd" : "none";
}

/* The zboot header: "MZ", "zimg", the payload's offset and size, two
 * reserved words, the compression type as a string, and at 0x38 the
 * LINUX_PE_MAGIC a PE loader looks for. */
#define ZB_TYPE_AT  24
#define ZB_TYPE_END 0x38
#define ZB_HDR_LEN  0x40

int kp_zboot_parse(const unsigned char *h, size_t len, off_t file_size, struct kp_zboot *z)
{
	size_t n;

	if (len < ZB_HDR_LEN || memcmp(h, "MZ", 2) != 0 || memcmp(h + 4, "zimg", 4) != 0)
		return 0;
	z->offset = kp_le32(h + 8);
	z->size = kp_le32(h + 12);
	n = strnlen((const char *)h + ZB_TYPE_AT, ZB_TYPE_END - ZB_TYPE_AT);
	if (n >= sizeof(z->type))
		n = sizeof(z->type) - 1;
	memcpy(z->type, h + ZB_TYPE_AT, n);
	z->type[n] = '\0';
	if (z->size == 0 || z->offset < ZB_HDR_LEN || (off_t)z->offset + z->size > file_size)
		return -EBADMSG;
	return 1;
}

enum kp_comp kp_zboot_comp(const struct kp_zboot *z)
{
	/* Makefile.zboot's comp-type: gzip, lz4, lzma, lzo, xzkern, zstd22 */
	if (!strcmp(z->type, "gzip"))
		return KP_COMP_GZIP;
	if (!strncmp(z->type, "zstd", 4))
		return KP_COMP_ZSTD;
	return KP_COMP_NONE;
}

/* One decoder: consumes *in, produces into out; 1 at the stream's end. */
struct decoder {
	z_stream z;
	ZSTD_DStream *zs;
	enum kp_comp c;
};

static int dec_init(struct decoder *d, enum kp_comp c)
{
	memset(d, 0, sizeof(*d));
	d->c = c;
	if (c == KP_COMP_GZIP)
		return inflateInit2(&d->z, 16 + MAX_WBITS) == Z_OK ? 0 : -ENOMEM;
	if (c == KP_COMP_ZSTD) {
		d->zs = ZSTD_createDStream();
		return d->zs && !ZSTD_isError(ZSTD_initDStream(d->zs)) ? 0 : -ENOMEM;
	}
	return -EINVAL;
}

static void dec_end(struct decoder *d)
{
	if (d->c == KP_COMP_GZIP)
		inflateEnd(&d->z);
	else
		ZSTD_freeDStream(d->zs);
}

/* Returns 1 at the end of the stream, 0 to go on, -EBADMSG. */
static int dec_step(struct decoder *d, const unsigned char **in, size_t *inlen, unsigned char *out,
		    size_t *outlen, const char **why)
{
	if (d->c == KP_COMP_GZIP) {
		int r;

		d->z.next_in = (Bytef *)*in;
		d->z.avail_in = (uInt)*inlen;
		d->z.next_out = out;
		d->z.avail_out = (uInt)*outlen;
		r = inflate(&d->z, Z_NO_FLUSH);
		*in = d->z.next_in;
		*outlen -= d->z.avail_out;
		*inlen = d->z.avail_in;
		if (r == Z_STREAM_END)
			return 1;
		if (r == Z_OK || (r == Z_BUF_ERROR && *outlen == 0 && *inlen == 0))
			return 0;
		*why = d->z.msg ? d->z.msg : "corrupt gzip data";
		return -EBADMSG;
	} else {
		ZSTD_inBuffer ib = {*in, *inlen, 0};
		ZSTD_outBuffer ob = {out, *outlen, 0};
		size_t r = ZSTD_decompressStream(d->zs, &ob, &ib);

		*in += ib.pos;
		*inlen -= ib.pos;
		*outlen = ob.pos;
		if (ZSTD_isError(r)) {
			*why = ZSTD_getErrorName(r);
			return -EBADMSG;
		}
		return r == 0 ? 1 : 0;
	}
}

/* What follows the stream: nothing, zero padding, or the le32 size that
 * the kernel's size_append writes after a zstd stream. */
static int check_trailer(int fd, off_t at, off_t end, const unsigned char *rest, size_t restlen,
			 uint64_t total, const char **why)
{
	unsigned char buf[CHUNK], last[4];
	off_t left = (off_t)restlen + (end - at);
	bool zero = true;
	size_t i;

	for (i = 0; i < restlen; i++)
		zero = zero && rest[i] == 0;
	if (left == 4) {
		memcpy(last, rest, restlen);
		ssize_t n = pread(fd, last + restlen, 4 - restlen, at);

		if (n < 0)
			return -errno;
		if (n == (ssize_t)(4 - restlen) && kp_le32(last) == (uint32_t)total)
			return 0;
	}
	while (zero && at < end) {
		ssize_t n = pread(fd, buf, end - at < CHUNK ? (size_t)(end - at) : CHUNK, at);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		for (i = 0; i < (size_t)n; i++)
			zero = zero && buf[i] == 0;
		at += n;
	}
	if (zero)
		return 0;
	*why = "data follows the compressed stream";
	return -EMSGSIZE;
}

static int put(int out_fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(out_fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int64_t kp_unpack(enum kp_comp c, int in_fd, off_t off, off_t len, int out_fd, unsigned char *head,
		  size_t headlen, uint64_t limit, const char **why)
{
	static unsigned char ibuf[CHUNK], obuf[CHUNK];
	const unsigned char *in = ibuf;
	size_t inlen = 0;
	off_t at = off, end = off + len;
	uint64_t total = 0;
	struct decoder d;
	int ended = 0, err;

	*why = NULL;
	err = dec_init(&d, c);
	if (err < 0)
		return err;
	while (!ended) {
		size_t outlen = sizeof(obuf);
		bool starved = false;

		if (inlen == 0 && at < end) {
			ssize_t n = pread(in_fd, ibuf,
					  end - at < CHUNK ? (size_t)(end - at) : CHUNK, at);

			if (n <= 0) {
				err = n < 0 ? -errno : -EIO;
				break;
			}
			in = ibuf;
			inlen = (size_t)n;
			at += n;
		}
		starved = inlen == 0;
		ended = dec_step(&d, &in, &inlen, obuf, &outlen, why);
		if (ended < 0) {
			err = ended;
			break;
		}
		if (out_fd < 0) {
			size_t take = total < headlen ? headlen - (size_t)total : 0;

			take = take < outlen ? take : outlen;
			memcpy(head + total, obuf, take);
			total += take;
			if (total == headlen)
				break;
		} else {
			if (total + outlen > limit) {
				*why = "it decompresses to more than its header says the kernel is";
				err = -EFBIG;
				break;
			}
			err = put(out_fd, obuf, outlen);
			if (err < 0)
				break;
			total += outlen;
		}
		if (!ended && starved && outlen == 0) {
			*why = "the file ends before its compressed stream does";
			err = -EBADMSG;
			break;
		}
	}
	dec_end(&d);
	if (err == 0 && ended && out_fd >= 0)
		err = check_trailer(in_fd, at, end, in, inlen, total, why);
	return err < 0 ? err : (int64_t)total;
}
