/* A kernel staged without an initramfs must be able to mount the root
 * filesystem by itself: find it (root= a device path, PARTUUID=,
 * PARTLABEL= or major:minor; UUID= and LABEL= are an initramfs's to
 * resolve), and have its filesystem driver and the drivers of the disk
 * under it built in. Its own config (/boot/config-<version>) says. */
#include <einfo.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "image.h"
#include "kconfig.h"

/* Filesystems (by type) and block drivers (by their name in sysfs), with
 * the config options that build them: any one built in will do. */
static const struct need {
	const char *name;
	const char *options[3];
} filesystems[] =
	{
		{"ext4", {"CONFIG_EXT4_FS"}},
		{"ext3", {"CONFIG_EXT3_FS", "CONFIG_EXT4_FS"}},
		{"ext2", {"CONFIG_EXT2_FS", "CONFIG_EXT4_FS"}},
		{"xfs", {"CONFIG_XFS_FS"}},
		{"btrfs", {"CONFIG_BTRFS_FS"}},
		{"f2fs", {"CONFIG_F2FS_FS"}},
		{"vfat", {"CONFIG_VFAT_FS"}},
		{"jfs", {"CONFIG_JFS_FS"}},
		{"nilfs2", {"CONFIG_NILFS2_FS"}},
		{"bcachefs", {"CONFIG_BCACHEFS_FS"}},
		{"erofs", {"CONFIG_EROFS_FS"}},
		{"squashfs", {"CONFIG_SQUASHFS"}},
		{"nfs", {"CONFIG_NFS_FS"}},
},
  drivers[] = {
	  {"nvme", {"CONFIG_BLK_DEV_NVME"}},
	  {"sd", {"CONFIG_BLK_DEV_SD"}},
	  {"virtio_blk", {"CONFIG_VIRTIO_BLK"}},
	  {"virtio_scsi", {"CONFIG_SCSI_VIRTIO"}},
	  {"virtio-pci", {"CONFIG_VIRTIO_PCI"}},
	  {"ahci", {"CONFIG_SATA_AHCI"}},
	  {"ata_piix", {"CONFIG_ATA_PIIX"}},
	  {"mmcblk", {"CONFIG_MMC_BLOCK"}},
	  {"vbd", {"CONFIG_XEN_BLKDEV_FRONTEND"}},
	  {"usb-storage", {"CONFIG_USB_STORAGE"}},
	  {"uas", {"CONFIG_USB_UAS"}},
	  {"xhci_hcd", {"CONFIG_USB_XHCI_HCD"}},
	  {"megaraid_sas", {"CONFIG_MEGARAID_SAS"}},
	  {"mpt3sas", {"CONFIG_SCSI_MPT3SAS"}},
	  {"vmw_pvscsi", {"CONFIG_VMWARE_PVSCSI"}},
	  {"hv_storvsc", {"CONFIG_HYPERV_STORAGE"}},
};

/* The option that makes name a module, or NULL when one is built in or
 * the config does not know it. */
static const char *as_module(const struct kp_kconfig *kc, const struct need *n)
{
	const char *m = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(n->options) && n->options[i]; i++) {
		const char *v = kp_kconfig_get(kc, n->options[i]);

		if (v && !strcmp(v, "y"))
			return NULL;
		if (v && !strcmp(v, "m") && !m)
			m = n->options[i];
	}
	return m;
}

static const struct need *lookup(const struct need *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

/* The drivers under the root filesystem's disk: every "driver" link from
 * the disk's sysfs directory up. */
static int root_drivers(struct kp_ctx *ctx, const struct kp_mount *root, struct kp_strv *out)
{
	char link[512], dev[64], path[1024], *end;
	ssize_t n;

	snprintf(dev, sizeof(dev), "sys/dev/block/%u:%u", root->major, root->minor);
	n = readlinkat(ctx->root.fd, dev, link, sizeof(link) - 1);
	if (n <= 0 || strncmp(link, "../../devices/", 14) != 0)
		return 0;
	link[n] = '\0';
	snprintf(path, sizeof(path), "sys/%s", link + 6);
	while ((end = strrchr(path, '/')) && strcmp(path, "sys/devices") != 0) {
		char drv[1280], target[512];

		snprintf(drv, sizeof(drv), "%s/driver", path);
		n = readlinkat(ctx->root.fd, drv, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (kp_strv_push(out, strrchr(target, '/') ? strrchr(target, '/') + 1
								   : target) < 0)
				return -ENOMEM;
		}
		*end = '\0';
	}
	return 0;
}

/* The command that makes the initramfs of version on this distribution. */
static void make_initramfs(char *cmd, size_t len, const char *distro, const char *version)
{
	if (!strcmp(distro, "alpine") || !strcmp(distro, "postmarketos"))
		snprintf(cmd, len, "mkinitfs %s", version);
	else if (!strcmp(distro, "debian") || !strcmp(distro, "devuan") ||
		 !strcmp(distro, "ubuntu"))
		snprintf(cmd, len, "update-initramfs -c -k %s", version);
	else if (!strcmp(distro, "arch") || !strcmp(distro, "artix"))
		snprintf(cmd, len, "mkinitcpio -P");
	else
		snprintf(cmd, len, "dracut --kver %s", version);
}

/* The value of the last name= on the target's command line, or NULL. */
static char *cmdline_value(const struct kp_target *t, const char *name)
{
	struct kp_cmdline cl;
	char *v = NULL;

	if (kp_cmdline_parse(&cl, t->cmdline, strlen(t->cmdline)) == 0) {
		long at = kp_cmdline_find(&cl, name);

		if (at >= 0 && cl.v[at].value)
			v = strdup(cl.v[at].value);
		kp_cmdline_free(&cl);
	}
	return v;
}

/* rootfstype= on the target's command line, else what / is now. */
static char *root_fstype(const struct kp_target *t, const struct kp_mount *root)
{
	char *type = cmdline_value(t, "rootfstype");

	if (!type && root)
		type = strdup(root->fstype);
	return type;
}

/* root= that only an initramfs resolves (the kernel's own name_to_dev_t
 * takes a device path, PARTUUID=, PARTLABEL= and major:minor, not these) */
static bool root_needs_initramfs(const char *root)
{
	return root && (!strncmp(root, "UUID=", 5) || !strncmp(root, "LABEL=", 6));
}

int kp_image_check_rootfs(struct kp_ctx *ctx, const struct kp_target *t)
{
	const struct kp_facts *f = kp_facts(ctx);
	const struct kp_mounts *m = kp_mounts(ctx);
	const struct kp_mount *root = m ? kp_mounts_find(m, "/") : NULL;
	const struct need *fs;
	const char *what = NULL, *option = NULL, *needs = "the root filesystem is";
	struct kp_strv drv = {0};
	struct kp_kconfig kc;
	char *src = NULL, *type, cmd[256];
	size_t i;
	int err = 0;

	if (t->ninitrds || !f)
		return 0; /* it needs none, or nothing can tell */
	make_initramfs(cmd, sizeof(cmd), f->distro, t->version[0] ? t->version : "<version>");
	type = cmdline_value(t, "root");
	if (root_needs_initramfs(type)) {
		eerror("%s: kernel %s has no initramfs, but its command line has root=%s, which only an initramfs can find (a kernel by itself finds a device path, PARTUUID=, PARTLABEL= or major:minor): after the jump it could not mount the root filesystem. Make its initramfs (%s), or set INITRD in %s",
		       ctx->applet, t->kernel.path, type, cmd, KP_CONFD);
		free(type);
		return -ENOENT;
	}
	free(type);
	if (!t->version[0] || kp_kconfig_load(&ctx->root, t->version, false, &kc, &src) < 0) {
		free(src);
		return 0; /* nothing can tell */
	}
	type = root_fstype(t, root);
	fs = type ? lookup(filesystems, ARRAY_SIZE(filesystems), type) : NULL;
	if (type && !strcmp(type, "zfs")) {
		eerror("%s: kernel %s (%s) has no initramfs, but the root filesystem is zfs, which is never built into a kernel: after the jump it could not mount the root filesystem. Make its initramfs (%s), or set INITRD in %s",
		       ctx->applet, t->kernel.path, t->version, cmd, KP_CONFD);
		err = -ENOENT;
		goto out;
	}
	if (fs && (option = as_module(&kc, fs)))
		what = type;
	if (!what && root && (err = root_drivers(ctx, root, &drv)) == 0)
		for (i = 0; i < drv.n && !what; i++) {
			const struct need *n = lookup(drivers, ARRAY_SIZE(drivers), drv.v[i]);

			if (n && (option = as_module(&kc, n))) {
				what = drv.v[i];
				needs = "the root filesystem's disk needs the driver";
			}
		}
	if (what && err == 0) {
		eerror("%s: kernel %s (%s) has no initramfs, but %s %s, which it builds as a module (%s=m in %s): after the jump it could not mount the root filesystem. Make its initramfs (%s), or set INITRD in %s",
		       ctx->applet, t->kernel.path, t->version, needs, what, option, src, cmd,
		       KP_CONFD);
		err = -ENOENT;
	}
out:
	free(type);
	kp_strv_free(&drv);
	kp_kconfig_free(&kc);
	free(src);
	return err;
}
