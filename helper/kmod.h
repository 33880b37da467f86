/* The part of libkmod kexec-prep calls, through dlopen (see kmod.c). */
#ifndef KP_KMOD_H
#define KP_KMOD_H

#include <libkmod.h>

/* Load KP_LIBKMOD: NULL when it is there, else what went wrong. */
const char *kp_kmod_open(void);
struct kmod_ctx *kp_kmod_new(const char *dirname, const char *const *config_paths);
int kp_kmod_load_resources(struct kmod_ctx *ctx);
void kp_kmod_unref(struct kmod_ctx *ctx);

#endif
