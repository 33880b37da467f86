/* x86 bzImage: the boot protocol's setup header (Documentation/arch/x86/boot.rst),
 * checked as the kernel's bzImage64 kexec loader checks it. */
#include <einfo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "le.h"

#define BZ_SETUP_SECTS		   0x1f1
#define BZ_BOOT_FLAG		   0x1fe
#define BZ_VERSION		   0x206
#define BZ_KERNEL_VERSION	   0x20e
#define BZ_LOADFLAGS		   0x211
#define BZ_XLOADFLAGS		   0x236
#define BZ_CMDLINE_SIZE		   0x238
#define BZ_HDR_END		   0x280
#define LOADED_HIGH		   0x01
#define XLF_KERNEL_64		   0x01
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02
#define XLF_EFI_KEXEC		   0x10

/* The first word of the version string at kernel_version + 0x200. */
static char *bz_version(const struct kp_file *f, uint16_t off)
{
	char buf[256];
	ssize_t n;

	if (off == 0)
		return strdup("");
	n = kp_file_pread(f, buf, sizeof(buf) - 1, (off_t)off + 0x200);
	if (n <= 0)
		return strdup("");
	buf[n] = '\0';
	for (n = 0; buf[n] > ' ' && buf[n] < 0x7f; n++)
		;
	buf[n] = '\0'; /* the first word, and only what prints */
	return strdup(buf);
}

static int check(struct kp_ctx *ctx, struct kp_target *t, const unsigned char *h)
{
	const struct kp_facts *f = kp_facts(ctx);
	const char *path = t->kernel.path;
	uint16_t version = kp_le16(h + BZ_VERSION), xlf = kp_le16(h + BZ_XLOADFLAGS);
	off_t setup_end;

	if (!f)
		return -ENOMEM;
	if (kp_le16(h + BZ_BOOT_FLAG) != 0xaa55) {
		eerror("%s: kernel %s has no boot flag (0xAA55 at 0x1fe), which the kernel's kexec loader requires: it is no complete bzImage; reinstall the kernel package",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	if (version < 0x020c) {
		eerror("%s: kernel %s uses boot protocol %u.%02u; kexec needs 2.12 or newer: stage a newer kernel",
		       ctx->applet, path, version >> 8, version & 0xff);
		return -ENOEXEC;
	}
	if (!(h[BZ_LOADFLAGS] & LOADED_HIGH) || !(xlf & XLF_KERNEL_64)) {
		eerror("%s: kernel %s is not a 64-bit kernel (no 64-bit entry point): stage an x86_64 kernel",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	if (!(xlf & XLF_CAN_BE_LOADED_ABOVE_4G)) {
		eerror("%s: kernel %s cannot be loaded above 4 GiB, which the kernel's kexec loader requires: stage a kernel built with CONFIG_RELOCATABLE",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	setup_end = ((off_t)(h[BZ_SETUP_SECTS] ? h[BZ_SETUP_SECTS] : 4) + 1) * 512;
	if (setup_end >= t->kernel.size) {
		eerror("%s: kernel %s is truncated: its setup code says %lld bytes, the file has %lld: reinstall the kernel package",
		       ctx->applet, path, (long long)setup_end, (long long)t->kernel.size);
		return -ENOEXEC;
	}
	if (f->efi_runtime && !(xlf & XLF_EFI_KEXEC)) {
		eerror("%s: kernel %s cannot be kexec'd on EFI (no XLF_EFI_KEXEC): stage a kernel built with CONFIG_EFI",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	t->cmdline_max = kp_le32(h + BZ_CMDLINE_SIZE);
	t->version = bz_version(&t->kernel, kp_le16(h + BZ_KERNEL_VERSION));
	return t->version ? 0 : -ENOMEM;
}

const struct kp_image_format kp_image_bzimage = {
	.name = "bzImage",
	.a_name = "a bzImage",
	.arch = "x86_64",
	.header_len = BZ_HDR_END,
	.magic_at = 0x202,
	.magic = "HdrS",
	.magic_len = 4,
	.no_magic = "no HdrS magic at 0x202",
	/* "elfcorehdr=0x<addr> " (MAX_ELFCOREHDR_STR_LEN in kexec-bzimage64.c) */
	.cmdline_reserve = 30,
	.check = check,
};
