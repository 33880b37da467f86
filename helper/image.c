#include <einfo.h>
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig.h"
#include "kexec-prep.h"

/* The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst). */
#define BZ_SETUP_SECTS		   0x1f1
#define BZ_BOOT_FLAG		   0x1fe
#define BZ_HEADER		   0x202
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
/* kexec_file_load keeps room for "elfcorehdr=0x<addr> " in the command line. */
#define KEXEC_CMDLINE_RESERVE 30

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The first word of the version string at kernel_version + 0x200. */
static char *bz_version(int fd, uint16_t off, off_t size)
{
	char buf[256];
	ssize_t n;

	if (off == 0 || (off_t)off + 0x200 >= size)
		return strdup("");
	n = pread(fd, buf, sizeof(buf) - 1, (off_t)off + 0x200);
	if (n <= 0)
		return strdup("");
	buf[n] = '\0';
	buf[strcspn(buf, " \t\n")] = '\0';
	return strdup(buf);
}

static int check_bzimage(struct kp_ctx *ctx, struct kp_target *t)
{
	unsigned char h[BZ_HDR_END];
	const char *path = t->kernel.path;
	uint16_t version;
	uint8_t loadflags;
	uint16_t xlf;
	off_t setup_end;

	if (t->kernel.st.st_size < (off_t)sizeof(h) ||
	    pread(t->kernel.fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		eerror("%s: kernel %s is too short to be a kernel image (%lld bytes): reinstall "
		       "the kernel package",
		       ctx->applet, path, (long long)t->kernel.st.st_size);
		return -ENOEXEC;
	}
	if (memcmp(h + BZ_HEADER, "HdrS", 4) != 0) {
		eerror("%s: kernel %s is not a bzImage (no HdrS magic at 0x202): point KERNEL "
		       "in %s at a vmlinuz, not a vmlinux, config or initramfs",
		       ctx->applet, path, KP_CONFD);
		return -ENOEXEC;
	}
	version = le16(h + BZ_VERSION);
	loadflags = h[BZ_LOADFLAGS];
	xlf = le16(h + BZ_XLOADFLAGS);
	if (version < 0x020c) {
		eerror("%s: kernel %s uses boot protocol %u.%02u; kexec needs 2.12 or newer: "
		       "stage a newer kernel",
		       ctx->applet, path, version >> 8, version & 0xff);
		return -ENOEXEC;
	}
	if (!(loadflags & LOADED_HIGH) || !(xlf & XLF_KERNEL_64)) {
		eerror("%s: kernel %s is not a 64-bit kernel (no 64-bit entry point): stage an "
		       "x86_64 kernel",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	if (!(xlf & XLF_CAN_BE_LOADED_ABOVE_4G)) {
		eerror("%s: kernel %s cannot be loaded above 4 GiB, which the kernel's kexec "
		       "loader requires: stage a kernel built with CONFIG_RELOCATABLE",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	setup_end = ((off_t)(h[BZ_SETUP_SECTS] ? h[BZ_SETUP_SECTS] : 4) + 1) * 512;
	if (setup_end >= t->kernel.st.st_size) {
		eerror("%s: kernel %s is truncated: its setup code says %lld bytes, the file "
		       "has %lld: reinstall the kernel package",
		       ctx->applet, path, (long long)setup_end, (long long)t->kernel.st.st_size);
		return -ENOEXEC;
	}
	if (kp_root_exists(&ctx->root, "/sys/firmware/efi/runtime") && !(xlf & XLF_EFI_KEXEC)) {
		eerror("%s: kernel %s cannot be kexec'd on EFI (no XLF_EFI_KEXEC): stage a "
		       "kernel built with CONFIG_EFI",
		       ctx->applet, path);
		return -ENOEXEC;
	}
	t->cmdline_max = le32(h + BZ_CMDLINE_SIZE);
	free(t->version); /* exec validates, then stages: this runs twice */
	t->version = bz_version(t->kernel.fd, le16(h + BZ_KERNEL_VERSION), t->kernel.st.st_size);
	return t->version ? 0 : -ENOMEM;
}

static int check_arm64(struct kp_ctx *ctx, struct kp_target *t)
{
	unsigned char h[64];

	if (pread(t->kernel.fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		eerror("%s: kernel %s is too short to be a kernel image", ctx->applet,
		       t->kernel.path);
		return -ENOEXEC;
	}
	if (h[0] == 0x1f && h[1] == 0x8b) {
		eerror("%s: kernel %s is gzip-compressed; kexec_file_load on arm64 wants the "
		       "raw Image: decompress it (gunzip -c %s > %s.raw) and set KERNEL",
		       ctx->applet, t->kernel.path, t->kernel.path, t->kernel.path);
		return -ENOEXEC;
	}
	if (memcmp(h + 56, "ARM\x64", 4) != 0) {
		eerror("%s: kernel %s is not an arm64 Image (no ARM\\x64 magic at 56)", ctx->applet,
		       t->kernel.path);
		return -ENOEXEC;
	}
	free(t->version);
	t->version = strdup("");
	return t->version ? 0 : -ENOMEM;
}

int kp_image_check_kernel(struct kp_ctx *ctx, struct kp_target *t)
{
	size_t len = strlen(t->cmdline);
	int err;

#if defined(__aarch64__)
	err = check_arm64(ctx, t);
#else
	(void)check_arm64;
	err = check_bzimage(ctx, t);
#endif
	if (err < 0)
		return err;
	/* The kernel wants cmdline_len (with its NUL) + the reserve <= cmdline_size. */
	if (t->cmdline_max && len + 1 + KEXEC_CMDLINE_RESERVE > t->cmdline_max) {
		eerror("%s: the command line for %s is %zu characters; that kernel takes at "
		       "most %u: shorten APPEND or CMDLINE in %s",
		       ctx->applet, t->kernel.path, len,
		       (unsigned)(t->cmdline_max - 1 - KEXEC_CMDLINE_RESERVE), KP_CONFD);
		return -E2BIG;
	}
	return 0;
}

int kp_image_check_initrd(struct kp_ctx *ctx, const struct kp_file *f)
{
	static const struct {
		const char *magic;
		size_t len;
	} known[] = {
		{"070701", 6},
		{"070702", 6},
		{"070707", 6}, /* cpio */
		{"\x1f\x8b", 2},
		{"\x1f\x9e", 2}, /* gzip */
		{"\xfd"
		 "7zXZ\0",
		 6},
		{"\x28\xb5\x2f\xfd", 4}, /* xz, zstd */
		{"\x02\x21\x4c\x18", 4},
		{"BZh", 3}, /* lz4, bzip2 */
		{"\x5d\x00\x00", 3},
		{"\x89LZO", 4}, /* lzma, lzo */
	};
	unsigned char h[8];
	size_t i;

	if (f->st.st_size == 0) {
		eerror("%s: initramfs %s is empty: regenerate it (mkinitfs on Alpine, "
		       "update-initramfs on Debian)",
		       ctx->applet, f->path);
		return -EINVAL;
	}
	if (pread(f->fd, h, sizeof(h), 0) < 6) {
		eerror("%s: initramfs %s is too short to be an initramfs", ctx->applet, f->path);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (memcmp(h, known[i].magic, known[i].len) == 0)
			return 0;
	eerror("%s: initramfs %s is neither a cpio archive nor compressed with a compressor "
	       "the kernel knows: regenerate it, or fix INITRD in %s",
	       ctx->applet, f->path, KP_CONFD);
	return -EINVAL;
}

/* Does the target kernel's config say it has no modules at all? */
static bool target_without_modules(struct kp_ctx *ctx, const char *version)
{
	struct kp_kconfig kc;
	char *src = NULL;
	bool none = false;

	if (kp_kconfig_load(&ctx->root, version, false, &kc, &src) == 0) {
		const char *v = kp_kconfig_get(&kc, "CONFIG_MODULES");

		none = kc.nopts > 0 && (!v || !strcmp(v, "n"));
		kp_kconfig_free(&kc);
	}
	free(src);
	return none;
}

int kp_image_check_modules(struct kp_ctx *ctx, const struct kp_target *t)
{
	const char *no_configs[] = {NULL};
	struct kmod_ctx *kmod;
	char *rel, *dir;
	int err;

	if (!t->version[0]) {
		ewarn("%s: kernel %s carries no version string: cannot check its modules",
		      ctx->applet, t->kernel.path);
		return 0;
	}
	if (target_without_modules(ctx, t->version))
		return 0;
	rel = kp_strdupf("/lib/modules/%s", t->version);
	if (!rel)
		return -ENOMEM;
	if (!kp_root_exists(&ctx->root, rel)) {
		eerror("%s: kernel %s is version %s, but %s does not exist: after the jump it "
		       "could load no drivers. Install that kernel's modules, or stage the "
		       "kernel they belong to",
		       ctx->applet, t->kernel.path, t->version, rel);
		free(rel);
		return -ENOENT;
	}
	dir = kp_host_path(ctx, rel);
	kmod = dir ? kmod_new(dir, no_configs) : NULL;
	free(dir);
	if (!kmod) {
		free(rel);
		return -ENOMEM;
	}
	err = kmod_load_resources(kmod);
	kmod_unref(kmod);
	if (err < 0) {
		eerror("%s: %s has no usable module indexes (modules.dep.bin): after the jump "
		       "the kernel could not load its drivers; run depmod %s",
		       ctx->applet, rel, t->version);
		free(rel);
		return -ENOENT;
	}
	free(rel);
	return 0;
}
