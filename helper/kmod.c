/* libkmod, loaded when a module tree is checked and not before. Linked in,
 * it and what it pulls in (libcrypto, liblzma) cost every start of
 * kexec-prep, kexec-load's in the boot and kexec-exec's in the shutdown
 * among them, some 3.8 million instructions of relocations, over 90 % of
 * starting the program; the module check is the one step that needs it. */
#include "kmod.h"

#include <dlfcn.h>
#include <stddef.h>

static struct {
	void *handle;
	struct kmod_ctx *(*new)(const char *dirname, const char *const *config_paths);
	int (*load_resources)(struct kmod_ctx *ctx);
	struct kmod_ctx *(*unref)(struct kmod_ctx *ctx);
} lib;

/* Loaded once and kept: libcrypto, which it pulls in, is not to be
 * unloaded again; the process is short. */
const char *kp_kmod_open(void)
{
	void *h;

	if (lib.handle)
		return NULL;
	h = dlopen(KP_LIBKMOD, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return dlerror();
	*(void **)&lib.new = dlsym(h, "kmod_new");
	*(void **)&lib.load_resources = dlsym(h, "kmod_load_resources");
	*(void **)&lib.unref = dlsym(h, "kmod_unref");
	if (!lib.new || !lib.load_resources || !lib.unref)
		return "a function kexec-prep calls is missing from it";
	lib.handle = h;
	return NULL;
}

struct kmod_ctx *kp_kmod_new(const char *dirname, const char *const *config_paths)
{
	return lib.handle ? lib.new(dirname, config_paths) : NULL;
}

int kp_kmod_load_resources(struct kmod_ctx *ctx)
{
	return lib.handle ? lib.load_resources(ctx) : -1;
}

void kp_kmod_unref(struct kmod_ctx *ctx)
{
	if (lib.handle && ctx)
		lib.unref(ctx);
}
