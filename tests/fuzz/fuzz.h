/* What the libFuzzer harnesses share: a scratch root that each input is
 * written into, and a context for the parts of kexec-prep that read
 * through one. Every harness checks what it can about its parser's
 * answer, not only that it does not crash. */
#ifndef KP_FUZZ_H
#define KP_FUZZ_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kexec-prep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MUST(cond)                                                                                 \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond);                 \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static char fuzz_root[64];

/* A scratch root (run-fuzz.sh quiets what the parsers say: -close_fd_mask). */
static inline void fuzz_setup(void)
{
	snprintf(fuzz_root, sizeof(fuzz_root), "/tmp/kp-fuzz.XXXXXX");
	MUST(mkdtemp(fuzz_root));
}

/* path under the scratch root, its directories made */
static inline void fuzz_put(const char *path, const void *data, size_t len)
{
	char full[512], *slash;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", fuzz_root, path);
	for (slash = strchr(full + strlen(fuzz_root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(full, 0755);
		*slash = '/';
	}
	f = fopen(full, "w");
	MUST(f);
	MUST(fwrite(data, 1, len, f) == len || len == 0);
	fclose(f);
}

/* A context on the scratch root, its facts set, not read. */
static inline void fuzz_ctx(struct kp_ctx *ctx, const char *arch)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->applet = "kexec-prep";
	MUST(kp_root_open(&ctx->root, fuzz_root) == 0);
	ctx->facts.release = strdup("6.12.9-0-lts");
	ctx->facts.arch = strdup(arch);
	ctx->facts.distro = strdup("alpine");
	ctx->facts.cmdline = strdup("root=/dev/sda1");
	ctx->facts.cmdline_len = strlen(ctx->facts.cmdline);
	ctx->facts_read = 1;
	MUST(kp_conf_load(ctx) == 0);
}

/* Split data at its NUL bytes into at most n strings (the rest empty). */
static inline void fuzz_split(const uint8_t *data, size_t size, char **out, size_t n)
{
	size_t i, at = 0;

	for (i = 0; i < n; i++) {
		size_t l = at < size ? strnlen((const char *)data + at, size - at) : 0;

		out[i] = strndup(at < size ? (const char *)data + at : "", l);
		MUST(out[i]);
		at += l + 1;
	}
}

#endif
