/* The record of what was staged, read back by status and exec. */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_ctx ctx;
	struct kp_target t = {0};

	fuzz_put("/run/kexec-prep/staged", data, size);
	fuzz_ctx(&ctx, "x86_64");
	t.kernel.fd = -1;
	t.unpacked.fd = -1;
	t.kernel.path = "/boot/vmlinuz-lts";
	t.version = "6.12.9-0-lts";
	t.cmdline = "root=/dev/sda1";
	(void)kp_state_print(&ctx);
	MUST(kp_state_matches(&ctx, &t) <= 1);
	kp_ctx_free(&ctx);
	return 0;
}
