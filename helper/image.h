/* Kernel image formats, chosen at run time by their magic bytes: every
 * validator is compiled and tested on every architecture. */
#ifndef KP_IMAGE_H
#define KP_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "kexec-prep.h"

struct kp_image_format {
	const char *name;   /* "bzImage" */
	const char *a_name; /* "a bzImage", for messages */
	const char *arch;   /* the machine it runs on, as uname -m names it */
	size_t header_len;
	size_t magic_at;
	const char *magic;
	size_t magic_len;
	const char *no_magic; /* "no HdrS magic at 0x202" */
	/* Room the kernel keeps for itself in the command line. */
	uint32_t cmdline_reserve;
	/* Checks the header (header_len bytes) as the kernel's own loader
	 * would, and sets t->version and t->cmdline_max. Prints why not. */
	int (*check)(struct kp_ctx *ctx, struct kp_target *t, const unsigned char *h);
	/* Formats installed compressed: the size the header says the image
	 * takes in memory, which bounds its decompression (0: none given). */
	uint64_t (*image_size)(const unsigned char *h);
};

extern const struct kp_image_format kp_image_bzimage;
extern const struct kp_image_format kp_image_arm64;

/* The format whose magic h (len bytes, the image's start) carries, or NULL. */
const struct kp_image_format *kp_image_format(const unsigned char *h, size_t len);
/* image-unpack.c: a compressed kernel (gzip, zstd, EFI zboot) is
 * decompressed into t->unpacked, and h (max bytes) becomes the start of
 * what it holds, *len long. 1 when it was compressed, 0 when not; < 0 when
 * it cannot be decompressed, printed. */
int kp_image_unpack(struct kp_ctx *ctx, struct kp_target *t, unsigned char *h, size_t *len,
		    size_t max);
/* The kernel: its format, that it is for this machine, its header and the
 * command line's length. Sets t->format, t->version, t->cmdline_max. */
int kp_image_check_kernel(struct kp_ctx *ctx, struct kp_target *t);
/* An initramfs: cpio, or compressed with a compressor the kernel knows. */
int kp_image_check_initrd(struct kp_ctx *ctx, const struct kp_file *f);
/* rootfs.c: without an initramfs, the target must have the root
 * filesystem's driver and the drivers of the disk under it built in. */
int kp_image_check_rootfs(struct kp_ctx *ctx, const struct kp_target *t);
/* The target's /lib/modules/<version> exists and has usable indexes. */
int kp_image_check_modules(struct kp_ctx *ctx, const struct kp_target *t);

#endif
