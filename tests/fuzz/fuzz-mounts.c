/* /proc/self/mountinfo and /etc/fstab: what is found is found again. */
#include "fuzz.h"
#include "mounts.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_mounts m;
	struct kp_fstab t;
	size_t i;
	char *a = strndup((const char *)data, size), *b = strndup((const char *)data, size);

	MUST(a && b);
	MUST(kp_mounts_parse(&m, a) == 0);
	for (i = 0; i < m.n; i++) {
		MUST(m.v[i].target && m.v[i].opts && m.v[i].fstype && m.v[i].source);
		MUST(kp_mounts_find(&m, m.v[i].target) != NULL);
		(void)kp_mount_is_rw(&m.v[i]);
	}
	kp_mounts_free(&m);
	MUST(kp_fstab_parse(&t, b) == 0);
	for (i = 0; i < t.n; i++)
		MUST(kp_fstab_find(&t, t.v[i].file) != NULL);
	kp_fstab_free(&t);
	return 0;
}
