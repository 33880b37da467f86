/* Kernel configs, plain and as /proc/config.gz: every option found has a
 * CONFIG_ name; the gzip path never takes a stream cut short for whole. */
#include <zlib.h>

#include "fuzz.h"
#include "kconfig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_kconfig kc;
	struct kp_root r;
	char *buf = malloc(size + 1), *src = NULL;
	size_t i;

	MUST(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	MUST(kp_kconfig_parse(&kc, buf, size) == 0);
	for (i = 0; i < kc.nopts; i++)
		MUST(!strncmp(kc.opts[i].name, "CONFIG_", 7) && kc.opts[i].value);
	kp_kconfig_free(&kc);
	/* the same bytes as /proc/config.gz: compressed, then also raw */
	MUST(kp_root_open(&r, fuzz_root) == 0);
	fuzz_put("/proc/sys/kernel/osrelease", "6.12.9-0-lts\n", 13);
	{
		gzFile gz;
		char path[512];

		snprintf(path, sizeof(path), "%s/proc/config.gz", fuzz_root);
		gz = gzopen(path, "wb");
		MUST(gz);
		gzwrite(gz, data, (unsigned)size);
		gzclose(gz);
		if (kp_kconfig_load(&r, "6.12.9-0-lts", true, &kc, &src) == 0)
			kp_kconfig_free(&kc);
		free(src);
		src = NULL;
		fuzz_put("/proc/config.gz", data, size);
		if (kp_kconfig_load(&r, "6.12.9-0-lts", true, &kc, &src) == 0)
			kp_kconfig_free(&kc);
		free(src);
	}
	kp_root_close(&r);
	return 0;
}
