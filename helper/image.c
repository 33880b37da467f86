/* What is staged is checked first: the kernel by the table of formats, the
 * initramfs by its magic, the module tree with libkmod. */
#include "image.h"

#include <einfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kconfig.h"
#include "kmod.h"
#include "version.h"

static const struct kp_image_format *const formats[] = {
	&kp_image_bzimage,
	&kp_image_arm64,
};

#define HEAD_MAX 4096

static bool matches(const struct kp_image_format *fmt, const unsigned char *h, size_t len)
{
	return len >= fmt->header_len && memcmp(h + fmt->magic_at, fmt->magic, fmt->magic_len) == 0;
}

const struct kp_image_format *kp_image_format(const unsigned char *h, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (matches(formats[i], h, len))
			return formats[i];
	return NULL;
}

/* No format matched: say what this machine's kernels look like. */
static int unknown(struct kp_ctx *ctx, const struct kp_target *t, const char *arch,
		   const unsigned char *h, size_t len)
{
	const char *path = t->kernel.path;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		if (strcmp(formats[i]->arch, arch) != 0)
			continue;
		if (len < formats[i]->header_len)
			eerror("%s: kernel %s is too short to be a kernel image (%lld bytes): reinstall the kernel package",
			       ctx->applet, path, (long long)t->kernel.size);
		else
			eerror("%s: kernel %s is not %s (%s): point KERNEL in %s at a vmlinuz, not a vmlinux, config or initramfs",
			       ctx->applet, path, formats[i]->a_name, formats[i]->no_magic,
			       KP_CONFD);
		return -ENOEXEC;
	}
	eerror("%s: kernel %s is in no format kexec-prep knows, and kexec-prep stages no kernels for %s",
	       ctx->applet, path, arch);
	return -ENOEXEC;
}

/* The version in a kernel's file name (vmlinuz-<version>,
 * kernel-<version>), or NULL when its name carries none. */
static const char *kname_version(const char *path)
{
	static const char *const prefixes[] = {"vmlinuz-", "kernel-"};
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])) &&
		    kp_version_shape(name + strlen(prefixes[i])))
			return name + strlen(prefixes[i]);
	return NULL;
}

/* The version in the image's "Linux version <release> (" banner, for
 * formats whose header carries none (arm64). None found leaves "". */
static int banner_version(struct kp_ctx *ctx, struct kp_target *t)
{
	static const char tag[] = "Linux version ";
	const struct kp_file *f = t->unpacked.fd >= 0 ? &t->unpacked : &t->kernel;
	enum { CHUNK = 64 * 1024, KEEP = 128 };
	char *buf = malloc(CHUNK + 1), *p, *end;
	off_t at = 0;
	ssize_t n = 0;
	size_t have = 0;

	if (!buf)
		return -ENOMEM;
	/* chunks overlapping by KEEP bytes, so a banner across two is seen */
	while ((n = kp_file_pread(f, buf + have, CHUNK - have, at)) > 0) {
		at += n;
		have += (size_t)n;
		buf[have] = '\0';
		for (p = buf; (p = memmem(p, have - (size_t)(p - buf), tag, strlen(tag))); p++) {
			char *v = p + strlen(tag);

			end = v + strcspn(v, " \n");
			if (end == v || strncmp(end, " (", 2) != 0)
				continue;
			free(t->version);
			t->version = strndup(v, (size_t)(end - v));
			free(buf);
			return t->version ? 0 : -ENOMEM;
		}
		if (have > KEEP) {
			memmove(buf, buf + have - KEEP, KEEP);
			have = KEEP;
		}
	}
	free(buf);
	if (n < 0)
		eerror("%s: kernel %s: %s", ctx->applet, f->path, strerror(errno));
	return n < 0 ? -EIO : 0;
}

int kp_image_check_kernel(struct kp_ctx *ctx, struct kp_target *t)
{
	const struct kp_facts *f = kp_facts(ctx);
	const struct kp_image_format *fmt;
	unsigned char h[HEAD_MAX];
	size_t len, cl;
	ssize_t n;
	int err;

	if (!f)
		return -ENOMEM;
	n = kp_file_pread(&t->kernel, h, sizeof(h), 0);
	if (n < 0) {
		err = -errno;
		eerror("%s: kernel %s: %s", ctx->applet, t->kernel.path, strerror(-err));
		return err;
	}
	len = (size_t)n;
	err = kp_image_unpack(ctx, t, h, &len, sizeof(h));
	if (err < 0)
		return err;
	fmt = kp_image_format(h, len);
	if (!fmt)
		return unknown(ctx, t, f->arch, h, len);
	if (strcmp(fmt->arch, f->arch) != 0) {
		eerror("%s: kernel %s is %s, built for %s, but this machine is %s: stage a kernel built for %s",
		       ctx->applet, t->kernel.path, fmt->a_name, fmt->arch, f->arch, f->arch);
		return -ENOEXEC;
	}
	err = fmt->check(ctx, t, h);
	if (err == 0 && !t->version[0])
		err = banner_version(ctx, t);
	if (err < 0)
		return err;
	t->format = fmt->name;
	/* it names /lib/modules/<version> and /boot/config-<version> */
	if (t->version[0] && !kp_version_shape(t->version)) {
		eerror("%s: kernel %s says its version is \"%s\", which is no kernel release: refusing it",
		       ctx->applet, t->kernel.path, t->version);
		return -EINVAL;
	}
	if (t->version[0] && kname_version(t->kernel.path) &&
	    strcmp(kname_version(t->kernel.path), t->version) != 0) {
		eerror("%s: kernel %s is named for version %s, but its header says %s: it is not the kernel its name says (its modules would not match); reinstall that kernel's package",
		       ctx->applet, t->kernel.path, kname_version(t->kernel.path), t->version);
		return -EINVAL;
	}
	/* The kernel wants cmdline_len (with its NUL) + its reserve <= cmdline_size. */
	cl = strlen(t->cmdline);
	if (t->cmdline_max && cl + 1 + fmt->cmdline_reserve > t->cmdline_max) {
		uint32_t most = t->cmdline_max > fmt->cmdline_reserve + 1
					? t->cmdline_max - 1 - fmt->cmdline_reserve
					: 0;

		eerror("%s: the command line for %s is %zu characters; that kernel takes at most %u: shorten APPEND or CMDLINE in %s",
		       ctx->applet, t->kernel.path, cl, (unsigned)most, KP_CONFD);
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
		{"070701", 6},		 /* cpio, newc */
		{"070702", 6},		 /* cpio, crc */
		{"070707", 6},		 /* cpio, odc */
		{"\x1f\x8b", 2},	 /* gzip */
		{"\x1f\x9e", 2},	 /* old gzip */
		{"\xfd\x37zXZ\0", 6},	 /* xz */
		{"\x28\xb5\x2f\xfd", 4}, /* zstd */
		{"\x02\x21\x4c\x18", 4}, /* lz4 */
		{"BZh", 3},		 /* bzip2 */
		{"\x5d\x00\x00", 3},	 /* lzma */
		{"\x89LZO", 4},		 /* lzo */
	};
	unsigned char h[8];
	size_t i;

	if (f->size == 0) {
		eerror("%s: initramfs %s is empty: regenerate it (mkinitfs on Alpine, update-initramfs on Debian)",
		       ctx->applet, f->path);
		return -EINVAL;
	}
	if (kp_file_pread(f, h, sizeof(h), 0) < 6) {
		eerror("%s: initramfs %s is too short to be an initramfs", ctx->applet, f->path);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (memcmp(h, known[i].magic, known[i].len) == 0)
			return 0;
	eerror("%s: initramfs %s is neither a cpio archive nor compressed with a compressor the kernel knows: regenerate it, or fix INITRD in %s",
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

/* libkmod's binary indexes, each checked before libkmod opens it: a FIFO
 * in its place would block libkmod forever, and libkmod's own failure
 * does not say which one is wrong. */
static int check_indexes(struct kp_ctx *ctx, const char *rel, const char *version)
{
	static const char *const indexes[] = {
		"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
		"modules.builtin.bin",
		/* last: depmod leaves it empty without modules.builtin.modinfo */
		"modules.builtin.alias.bin"};
	/* the index header: magic 0xB007F457 and version 2.1, big-endian */
	static const unsigned char head[8] = {0xb0, 0x07, 0xf4, 0x57, 0x00, 0x02, 0x00, 0x01};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(indexes); i++) {
		char *path = kp_strdupf("%s/%s", rel, indexes[i]);
		unsigned char h[8];
		struct stat st;
		const char *bad = NULL;
		int fd = path ? kp_root_open_file(&ctx->root, path, &st) : -ENOMEM;

		if (fd == -ENOMEM)
			return fd;
		bool optional = i == ARRAY_SIZE(indexes) - 1;

		if (fd == -EINVAL)
			bad = "is not a regular file";
		else if (fd < 0 && !optional)
			bad = "is missing";
		else if (fd >= 0 && !(optional && st.st_size == 0) &&
			 (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
			  memcmp(h, head, sizeof(h)) != 0))
			bad = "is not a module index of the format libkmod reads";
		if (fd >= 0)
			close(fd);
		if (bad)
			eerror("%s: %s %s: after the jump the kernel could not load its drivers; run depmod %s",
			       ctx->applet, path, bad, version);
		free(path);
		if (bad)
			return -ENOENT;
	}
	return 0;
}

int kp_image_check_modules(struct kp_ctx *ctx, const struct kp_target *t)
{
	const char *no_configs[] = {NULL};
	struct kmod_ctx *kmod = NULL;
	char *rel = NULL, *dir = NULL;
	const char *why;
	int err = 0;

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
		eerror("%s: kernel %s is version %s, but %s does not exist: after the jump it could load no drivers. Install that kernel's modules, or stage the kernel they belong to",
		       ctx->applet, t->kernel.path, t->version, rel);
		err = -ENOENT;
		goto out;
	}
	err = check_indexes(ctx, rel, t->version);
	if (err < 0)
		goto out;
	why = kp_kmod_open();
	if (why) {
		eerror("%s: cannot load %s (%s): the modules of %s cannot be checked; install kmod's library (kmod-libs on Alpine, libkmod2 on Debian)",
		       ctx->applet, KP_LIBKMOD, why, t->version);
		err = -ENOENT;
		goto out;
	}
	dir = kp_root_host_path(&ctx->root, rel);
	kmod = dir ? kp_kmod_new(dir, no_configs) : NULL;
	if (!kmod) {
		err = -ENOMEM;
		goto out;
	}
	if (kp_kmod_load_resources(kmod) < 0) {
		eerror("%s: libkmod cannot load the module indexes of %s: after the jump the kernel could not load its drivers; run depmod %s",
		       ctx->applet, rel, t->version);
		err = -ENOENT;
	}
out:
	kp_kmod_unref(kmod);
	free(dir);
	free(rel);
	return err;
}
