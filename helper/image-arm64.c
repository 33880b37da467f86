/* arm64 Image: the 64-byte header of Documentation/arch/arm64/booting.rst,
 * checked as the kernel's kexec_image.c checks it. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "le.h"

#define A64_IMAGE_SIZE 16
#define A64_FLAGS      24
#define A64_FLAG_BE    0x1
#define A64_HDR_END    64
/* COMMAND_LINE_SIZE on arm64: the next kernel keeps no more of it. */
#define A64_CMDLINE_SIZE 2048

static int check(struct kp_ctx *ctx, struct kp_target *t, const unsigned char *h)
{
	if (kp_le64(h + A64_IMAGE_SIZE) == 0) {
		eerror("%s: kernel %s has an arm64 Image header without image_size (a kernel older than 3.17), which the kernel's kexec loader refuses: stage a newer kernel",
		       ctx->applet, t->kernel.path);
		return -ENOEXEC;
	}
	if (kp_le64(h + A64_FLAGS) & A64_FLAG_BE) {
		eerror("%s: kernel %s is a big-endian arm64 kernel; this machine runs little-endian: stage a little-endian kernel",
		       ctx->applet, t->kernel.path);
		return -ENOEXEC;
	}
	t->cmdline_max = A64_CMDLINE_SIZE;
	/* The header carries no version; the banner does (image.c). */
	t->version = strdup("");
	return t->version ? 0 : -ENOMEM;
}

static uint64_t image_size(const unsigned char *h)
{
	return kp_le64(h + A64_IMAGE_SIZE);
}

const struct kp_image_format kp_image_arm64 = {
	.name = "arm64 Image",
	.a_name = "an arm64 Image",
	.arch = "aarch64",
	.header_len = A64_HDR_END,
	.magic_at = 56,
	.magic = "ARM\x64",
	.magic_len = 4,
	.no_magic = "no ARM\\x64 magic at 56",
	.cmdline_reserve = 0,
	.check = check,
	.image_size = image_size,
};
