#include <stdlib.h>

#include "mounts.h"
#include "test.h"

static void test_mountinfo(void)
{
	struct kp_mounts m;
	const struct kp_mount *e;
	char *buf = strdup(
		"22 1 254:1 / / ro,relatime shared:1 - ext4 /dev/vda1 ro\n"
		"23 22 0:21 / /proc rw,nosuid - proc proc rw\n"
		"garbage line\n"
		"30 22 254:2 / /mnt/with\\040space rw,relatime master:3 shared:9 - ext4 /dev/vda2 rw\n"
		"31 22 0:40 / /boot rw - vfat /dev/vda3 rw\n"
		"32 31 0:41 / /boot ro - tmpfs tmpfs ro\n"
		/* after `umount -r /` (OpenRC 0.63's mount-ro): the kernel made
		 * the filesystem read-only, the mount keeps its rw */
		"33 22 254:3 / /srv rw,relatime - ext4 /dev/vda4 ro,errors=remount-ro\n");

	CHECK(kp_mounts_parse(&m, buf) == 0);
	CHECK(m.n == 6);
	e = kp_mounts_find(&m, "/");
	CHECK(e && e->major == 254 && e->minor == 1 && !kp_mount_is_rw(e));
	CHECK_STR(e ? e->source : NULL, "/dev/vda1");
	e = kp_mounts_find(&m, "/mnt/with space");
	CHECK(e && kp_mount_is_rw(e)); /* unescaped, optional fields skipped */
	CHECK_STR(e ? e->fstype : NULL, "ext4");
	e = kp_mounts_find(&m, "/boot"); /* the one on top */
	CHECK_STR(e ? e->fstype : NULL, "tmpfs");
	e = kp_mounts_find(&m, "/srv");
	CHECK(e && !kp_mount_is_rw(e));
	CHECK_STR(e ? e->super_opts : NULL, "ro,errors=remount-ro");
	CHECK(kp_mounts_find(&m, "/nowhere") == NULL);
	kp_mounts_free(&m);
}

static void test_rw_word(void)
{
	struct kp_mount m = {.opts = "rw"};

	CHECK(kp_mount_is_rw(&m));
	m.opts = "rwx,relatime";
	CHECK(!kp_mount_is_rw(&m));
	m.opts = "ro,rw";
	CHECK(!kp_mount_is_rw(&m));
	m.opts = "rw,relatime";
	m.super_opts = "ro";
	CHECK(!kp_mount_is_rw(&m));
	m.super_opts = "rw,errors=remount-ro";
	CHECK(kp_mount_is_rw(&m));
}

static void test_fstab(void)
{
	struct kp_fstab t;
	const struct kp_fstab_entry *e;
	char *fstab = strdup("# /boot was here\n"
			     "UUID=4c3a1f2e / ext4 rw,relatime 0 1\n"
			     "LABEL=old /boot ext2 defaults 0 2\n"
			     "  LABEL=boot\t/boot  ext4 noauto,ro 0 2\n"
			     "/dev/sdb1 /mnt/my\\040disk xfs\n"
			     "#LABEL=x /srv ext4 defaults\n"
			     "short line\n");

	CHECK(kp_fstab_parse(&t, fstab) == 0);
	CHECK(t.n == 4);
	e = kp_fstab_find(&t, "/boot"); /* the last line wins */
	CHECK_STR(e ? e->spec : NULL, "LABEL=boot");
	CHECK_STR(e ? e->type : NULL, "ext4");
	CHECK_STR(e ? e->opts : NULL, "noauto,ro");
	e = kp_fstab_find(&t, "/mnt/my disk");
	CHECK_STR(e ? e->opts : NULL, "defaults");
	CHECK(kp_fstab_find(&t, "/srv") == NULL);
	kp_fstab_free(&t);
}

static void test_within(void)
{
	CHECK(kp_path_within("/boot/vmlinuz", "/boot"));
	CHECK(kp_path_within("/boot", "/boot/"));
	CHECK(!kp_path_within("/bootx/vmlinuz", "/boot"));
	CHECK(kp_path_within("/etc", "/"));
	CHECK(!kp_path_within("relative", "/"));
}

int main(void)
{
	test_mountinfo();
	test_rw_word();
	test_fstab();
	test_within();
	TEST_DONE();
}
