/* Kernel images and initramfs files as the validators see them, on both
 * architectures, and unified kernel images' section tables. A kernel that
 * passes has a version that may name a directory, and a command-line limit. */
#include <sys/mman.h>

#include "fuzz.h"
#include "image.h"
#include "uki.h"
#include "version.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_ctx ctx;
	struct kp_target t = {0};
	struct kp_uki u;
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	MUST(fd >= 0);
	MUST(write(fd, data, size) == (ssize_t)size);
	fuzz_ctx(&ctx, size && (data[0] & 1) ? "aarch64" : "x86_64");
	t.kernel.fd = fd;
	t.unpacked.fd = -1;
	t.kernel.path = "/boot/vmlinuz";
	MUST(fstat(fd, &t.kernel.st) == 0);
	t.kernel.size = t.kernel.st.st_size;
	t.cmdline = "root=/dev/sda1 quiet";
	if (kp_image_check_kernel(&ctx, &t) == 0) {
		MUST(t.version && t.format);
		MUST(!t.version[0] || kp_version_shape(t.version));
	}
	if (t.unpacked.fd >= 0) {
		MUST(t.packing && t.unpacked.size > 0);
		kp_file_close(&t.unpacked);
	}
	free(t.version);
	(void)kp_image_check_initrd(&ctx, &t.kernel);
	if (kp_uki_parse(fd, t.kernel.size, &u) == 0)
		MUST((off_t)u.linux.offset + u.linux.size <= t.kernel.size);
	close(fd);
	kp_ctx_free(&ctx);
	return 0;
}
