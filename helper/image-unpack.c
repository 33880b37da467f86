/* A compressed kernel (an arm64 Image.gz or Image.zst, or an EFI zboot
 * image around one) is decompressed into a sealed memfd: what was checked
 * is what is staged, by either method, and no temporary file is left. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image.h"
#include "unpack.h"

/* Whatever a header says, no kernel is decompressed beyond this. */
#define UNPACK_MAX ((uint64_t)512 << 20)

struct packing {
	enum kp_comp comp;
	off_t off, len; /* the compressed stream, in the kernel's window */
	const char *shape;
};

/* 1 with *p filled when the kernel is compressed, 0 when not; < 0 printed. */
static int packing_of(struct kp_ctx *ctx, const struct kp_target *t, const unsigned char *h,
		      size_t len, struct packing *p)
{
	struct kp_zboot z;
	int r = kp_zboot_parse(h, len, t->kernel.size, &z);

	if (r < 0) {
		eerror("%s: kernel %s is an EFI zboot image whose payload lies outside the file: it is truncated or corrupt; reinstall the kernel package",
		       ctx->applet, t->kernel.path);
		return r;
	}
	if (r > 0) {
		p->comp = kp_zboot_comp(&z);
		p->off = z.offset;
		p->len = z.size;
		p->shape = p->comp == KP_COMP_GZIP ? "EFI zboot, gzip" : "EFI zboot, zstd";
		if (p->comp == KP_COMP_NONE) {
			eerror("%s: kernel %s is an EFI zboot image compressed with \"%s\", which kexec-prep cannot decompress (it reads gzip and zstd): build the kernel with CONFIG_KERNEL_GZIP or CONFIG_KERNEL_ZSTD, or install its uncompressed Image and set KERNEL in %s",
			       ctx->applet, t->kernel.path, z.type, KP_CONFD);
			return -ENOEXEC;
		}
		return 1;
	}
	p->comp = kp_comp_detect(h, len);
	p->off = 0;
	p->len = t->kernel.size;
	p->shape = p->comp == KP_COMP_GZIP ? "gzip-compressed" : "zstd-compressed";
	return p->comp != KP_COMP_NONE;
}

static int bad_data(struct kp_ctx *ctx, const struct kp_target *t, const struct packing *p, int err,
		    const char *why)
{
	if (why)
		eerror("%s: kernel %s (%s): %s: it is corrupt or cut short; reinstall the kernel package",
		       ctx->applet, t->kernel.path, p->shape, why);
	else
		eerror("%s: kernel %s (%s): %s", ctx->applet, t->kernel.path, p->shape,
		       strerror(-err));
	return err < 0 ? err : -EBADMSG;
}

int kp_image_unpack(struct kp_ctx *ctx, struct kp_target *t, unsigned char *h, size_t *len,
		    size_t max)
{
	const struct kp_image_format *fmt;
	struct packing p;
	const char *why = NULL;
	uint64_t limit;
	int64_t n;
	int r = packing_of(ctx, t, h, *len, &p), fd, err;

	if (r <= 0)
		return r;
	t->packing = p.shape;
	/* the header first: it says what the image is, and how big */
	n = kp_unpack(p.comp, t->kernel.fd, t->kernel.off + p.off, p.len, -1, h, max, 0, &why);
	if (n < 0)
		return bad_data(ctx, t, &p, (int)n, why);
	*len = (size_t)n;
	fmt = kp_image_format(h, *len);
	if (!fmt || !fmt->image_size) {
		eerror("%s: kernel %s is %s, but what it holds is %s: only an arm64 Image is installed compressed; point KERNEL in %s at the kernel image itself",
		       ctx->applet, t->kernel.path, p.shape,
		       fmt ? fmt->a_name : "no kernel image kexec-prep knows", KP_CONFD);
		return -ENOEXEC;
	}
	limit = fmt->image_size(h);
	if (limit == 0)
		return 1; /* the format's own check says what is wrong */
	if (limit > UNPACK_MAX) {
		eerror("%s: kernel %s (%s) says it is %llu MiB in memory, more than the %llu MiB kexec-prep decompresses: it is corrupt; reinstall the kernel package",
		       ctx->applet, t->kernel.path, p.shape, (unsigned long long)(limit >> 20),
		       (unsigned long long)(UNPACK_MAX >> 20));
		return -EFBIG;
	}
	fd = memfd_create("kexec-prep kernel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		err = -errno;
		eerror("%s: cannot decompress kernel %s into memory (memfd_create: %s): not staging it",
		       ctx->applet, t->kernel.path, strerror(-err));
		return err;
	}
	n = kp_unpack(p.comp, t->kernel.fd, t->kernel.off + p.off, p.len, fd, NULL, 0, limit, &why);
	if (n < 0) {
		close(fd);
		return bad_data(ctx, t, &p, (int)n, why);
	}
	/* from here the memfd is what was checked: nobody can change it */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
	    fstat(fd, &t->unpacked.st) < 0) {
		err = -errno;
		close(fd);
		eerror("%s: cannot seal the decompressed kernel %s (%s): not staging it",
		       ctx->applet, t->kernel.path, strerror(-err));
		return err;
	}
	t->unpacked.path = kp_strdupf("%s, decompressed", t->kernel.path);
	if (!t->unpacked.path) {
		close(fd);
		return -ENOMEM;
	}
	t->unpacked.fd = fd;
	t->unpacked.off = 0;
	t->unpacked.size = t->unpacked.st.st_size;
	return 1;
}
