/* A unified kernel image the firmware boots itself (Alpine's
 * secureboot-hook and efi-mkuki, dracut --uefi): the file BootCurrent
 * names, else the only one in EFI/Linux. Its sections hold the kernel,
 * the initramfs and the command line; prepare.c reads them from the file
 * it checked. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "source.h"

/* Where the ESP is mounted. */
static const char *const esps[] = {"/efi", "/boot/efi", "/boot"};

/* The only .efi file in an EFI/Linux; NULL when none, or several. */
static char *only_image(struct kp_ctx *ctx, size_t *count)
{
	char *found = NULL;
	size_t i;

	*count = 0;
	for (i = 0; i < ARRAY_SIZE(esps); i++) {
		char *dir = kp_strdupf("%s/EFI/Linux", esps[i]);
		int fd = dir ? kp_root_openat(&ctx->root, dir, O_RDONLY | O_DIRECTORY) : -1;
		struct dirent *de;
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

		if (fd >= 0 && !d)
			close(fd);
		while (d && (de = readdir(d)))
			if (kp_str_ends_with(de->d_name, ".efi") && (*count)++ == 0)
				found = kp_strdupf("%s/%s", dir, de->d_name);
		if (d)
			closedir(d);
		free(dir);
	}
	if (*count != 1) {
		free(found);
		return NULL;
	}
	return found;
}

static int find(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	size_t i, count;

	for (i = 0; seen->booted && i < ARRAY_SIZE(esps) && !e->kernel; i++) {
		char *p = kp_part_path(esps[i], seen->booted);

		if (p && kp_root_exists(&ctx->root, p))
			e->kernel = p;
		else
			free(p);
	}
	if (e->kernel) {
		e->why = kp_strdupf("the unified kernel image the firmware booted (%s)", seen->why);
	} else if ((e->kernel = only_image(ctx, &count))) {
		e->why = kp_strdupf("the only unified kernel image in EFI/Linux (%s)", seen->why);
	} else {
		kp_source_doubt(
			ctx,
			"%s: %zu unified kernel images and no word from the firmware (BootCurrent) of which it boots",
			seen->config ? seen->config : "EFI/Linux", count);
		return 0;
	}
	e->uki = true;
	return e->why ? 1 : -ENOMEM;
}

const struct kp_source kp_source_uki = {"uki", find};
