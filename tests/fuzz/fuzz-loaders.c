/* The boot loaders' files: extlinux.conf, grub.cfg with grubenv, systemd-
 * boot's entries with loader.conf, EFI boot variables. Whatever they say,
 * a kernel found is a path that stays inside its partition. */
#include "efivar.h"
#include "fuzz.h"
#include "source.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

/* Absolute, without a ".." or "." component, inside part. */
static void clean(const char *path, const char *part)
{
	MUST(path && path[0] == '/' && kp_path_within(path, part));
	MUST(!strstr(path, "/../") && !kp_str_ends_with(path, "/..") && !strstr(path, "/./"));
}

static void inside(const struct kp_entry *e, const char *part)
{
	size_t i;

	clean(e->kernel, part);
	for (i = 0; i < e->initrds.n; i++)
		clean(e->initrds.v[i], part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_loader_seen seen = {0};
	struct kp_entry e = {0};
	struct kp_ctx ctx;
	char *part[2], *path = NULL;
	uint16_t cur;

	fuzz_split(data, size, part, 2);
	fuzz_put("/boot/extlinux.conf", part[0], strlen(part[0]));
	fuzz_put("/boot/grub/grub.cfg", part[0], strlen(part[0]));
	fuzz_put("/boot/grub/grubenv", part[1], strlen(part[1]));
	fuzz_put("/efi/loader/entries/a.conf", part[0], strlen(part[0]));
	fuzz_put("/efi/loader/loader.conf", part[1], strlen(part[1]));
	fuzz_put("/sys/firmware/efi/efivars/Boot0001-" KP_EFI_GLOBAL, data, size);
	fuzz_put("/sys/firmware/efi/efivars/BootCurrent-" KP_EFI_GLOBAL, data, size < 6 ? size : 6);
	fuzz_ctx(&ctx, "x86_64");

	seen.config = "/boot/extlinux.conf";
	/* no partition of its own here: absolute paths are the root's */
	if (kp_source_extlinux.find(&ctx, &seen, &e) == 1)
		inside(&e, "/");
	kp_entry_free(&e);
	seen.config = "/boot/grub/grub.cfg";
	if (kp_source_grub.find(&ctx, &seen, &e) == 1)
		inside(&e, "/");
	kp_entry_free(&e);
	seen.config = "/efi/loader/entries";
	if (kp_source_bls.find(&ctx, &seen, &e) == 1)
		inside(&e, "/efi");
	kp_entry_free(&e);
	if (kp_efivar_u16(&ctx.root, "BootCurrent", KP_EFI_GLOBAL, &cur) == 0 &&
	    kp_efi_boot_path(&ctx.root, 1, &path) == 0)
		MUST(path && !strchr(path, '\\'));
	free(path);
	kp_ctx_free(&ctx);
	free(part[0]);
	free(part[1]);
	return 0;
}
