/* Which boot loader boots this machine, by the evidence: what this boot
 * says came through (the EFI variables systemd-boot and the firmware set,
 * the form of BOOT_IMAGE= on the command line), then which configuration
 * exists and is newest. Never simply whichever file exists first. */
#include "readiness.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "efivar.h"
#include "str.h"

/* Scores: the higher, the surer. */
enum {
	SEEN_CONFIG = 10,
	SEEN_BOOT_IMAGE = 20,
	SEEN_STUB = 22,
	SEEN_FIRMWARE = 25,
	SEEN_SELECTED = 30
};

static const char *const names[KP_LOADERS] = {
	[KP_LOADER_EXTLINUX] = "syslinux/extlinux",
	[KP_LOADER_GRUB] = "GRUB",
	[KP_LOADER_SDBOOT] = "systemd-boot",
	[KP_LOADER_UKI] = "a unified kernel image",
};

/* Where each keeps its configuration; for the last two, under each place
 * the EFI system partition (or XBOOTLDR) is mounted. */
static const char *const configs[KP_LOADERS][4] = {
	[KP_LOADER_EXTLINUX] = {"/boot/extlinux.conf", "/boot/extlinux/extlinux.conf",
				"/boot/syslinux/syslinux.cfg"},
	[KP_LOADER_GRUB] = {"/boot/grub/grub.cfg", "/boot/grub2/grub.cfg"},
	[KP_LOADER_SDBOOT] = {"/efi/loader/entries", "/boot/loader/entries",
			      "/boot/efi/loader/entries"},
	[KP_LOADER_UKI] = {"/efi/EFI/Linux", "/boot/EFI/Linux", "/boot/efi/EFI/Linux"},
};

const char *kp_loader_name(enum kp_loader id)
{
	return names[id];
}

static int seen(struct kp_loader_seen *l, int score, char *why, const char *booted)
{
	if (!why || (booted && !(booted = strdup(booted)))) {
		free(why);
		return -ENOMEM;
	}
	if (score <= l->score) {
		free(why);
		free((char *)booted);
		return 0;
	}
	free(l->why);
	free(l->booted);
	l->score = score;
	l->why = why;
	l->booted = (char *)booted;
	return 0;
}

static int from_config(const struct kp_root *r, struct kp_loader_seen *l)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(configs[l->id]) && configs[l->id][i]; i++) {
		struct stat st;
		int fd = kp_root_openat(r, configs[l->id][i], O_PATH);

		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && (!l->config || st.st_mtim.tv_sec > l->mtime.tv_sec)) {
			free(l->config);
			l->config = strdup(configs[l->id][i]);
			l->mtime = st.st_mtim;
		}
		close(fd);
		if (!l->config)
			return -ENOMEM;
	}
	if (!l->config)
		return 0;
	return seen(l, SEEN_CONFIG, kp_strdupf("%s exists", l->config), NULL);
}

/* BOOT_IMAGE=: syslinux passes the kernel's name as its LINUX line gives
 * it (update-extlinux writes a bare name), GRUB the path of its linux
 * command. */
static int from_boot_image(const struct kp_facts *f, struct kp_loader_seen *l)
{
	struct kp_cmdline cl;
	const char *v;
	long at;
	int err = 0;

	if (kp_cmdline_parse(&cl, f->cmdline, f->cmdline_len) < 0)
		return -ENOMEM;
	at = kp_cmdline_find(&cl, "BOOT_IMAGE");
	v = at >= 0 ? cl.v[at].value : NULL;
	if (v && *v) {
		bool path = v[0] == '/' || v[0] == '(';

		if ((l->id == KP_LOADER_GRUB && path) || (l->id == KP_LOADER_EXTLINUX && !path))
			err = seen(l, SEEN_BOOT_IMAGE,
				   kp_strdupf("this boot's command line has BOOT_IMAGE=%s (%s)", v,
					      path ? "a path, as GRUB passes it"
						   : "a bare name, as syslinux passes it"),
				   NULL);
	}
	kp_cmdline_free(&cl);
	return err;
}

/* BootCurrent names the firmware's boot entry; its file says what ran. */
static int from_firmware(const struct kp_root *r, struct kp_loader_seen *l)
{
	static const char *const marks[KP_LOADERS] = {
		[KP_LOADER_EXTLINUX] = "syslinux",
		[KP_LOADER_GRUB] = "grub",
		[KP_LOADER_SDBOOT] = "systemd",
	};
	uint16_t cur;
	char *path, *low;
	bool hit;
	int err;

	if (kp_efivar_u16(r, "BootCurrent", KP_EFI_GLOBAL, &cur) < 0 ||
	    kp_efi_boot_path(r, cur, &path) < 0)
		return 0;
	low = strdup(path);
	for (char *c = low; c && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (l->id == KP_LOADER_UKI)
		hit = low && !strncmp(low, "/efi/linux/", 11) && kp_str_ends_with(low, ".efi");
	else
		hit = low && strstr(low, marks[l->id]);
	err = hit ? seen(l, SEEN_FIRMWARE,
			 kp_strdupf("the firmware booted %s (Boot%04X, BootCurrent)", path, cur),
			 l->id == KP_LOADER_UKI ? path : NULL)
		  : 0;
	free(low);
	free(path);
	return err;
}

static int from_loader_vars(const struct kp_root *r, struct kp_loader_seen *l)
{
	char *v;
	int err = 0;

	if (l->id == KP_LOADER_SDBOOT &&
	    kp_efivar_string(r, "LoaderEntrySelected", KP_EFI_LOADER, &v) == 0) {
		err = seen(l, SEEN_SELECTED,
			   kp_strdupf("systemd-boot booted entry %s (LoaderEntrySelected)", v), v);
		free(v);
	}
	if (l->id == KP_LOADER_UKI && kp_efivar_string(r, "StubInfo", KP_EFI_LOADER, &v) == 0) {
		err = seen(l, SEEN_STUB, kp_strdupf("this kernel was started by %s (StubInfo)", v),
			   NULL);
		free(v);
	}
	return err;
}

static int likelier(const void *a, const void *b)
{
	const struct kp_loader_seen *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec > y->mtime.tv_sec ? -1 : 1;
	return (int)x->id - (int)y->id;
}

int kp_loaders_read(const struct kp_root *r, struct kp_facts *f)
{
	size_t i;
	int err = 0;

	for (i = 0; i < KP_LOADERS; i++) {
		struct kp_loader_seen *l = &f->loaders[i];

		l->id = (enum kp_loader)i;
		if ((err = from_config(r, l)) < 0 || (err = from_boot_image(f, l)) < 0 ||
		    (err = from_firmware(r, l)) < 0 || (err = from_loader_vars(r, l)) < 0)
			return err;
	}
	qsort(f->loaders, KP_LOADERS, sizeof(f->loaders[0]), likelier);
	return 0;
}

void kp_loaders_free(struct kp_facts *f)
{
	size_t i;

	for (i = 0; i < KP_LOADERS; i++) {
		free(f->loaders[i].why);
		free(f->loaders[i].config);
		free(f->loaders[i].booted);
	}
}
