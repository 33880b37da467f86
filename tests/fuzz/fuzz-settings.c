/* Settings files as sh reads them: every name is a shell name, every value
 * free of NUL bytes, and a refusal always says where and why. */
#include <ctype.h>

#include "fuzz.h"
#include "shconf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_shconf_error e;
	struct kp_shconf c;
	size_t i, j;
	int err = kp_shconf_parse((const char *)data, size, &c, &e);

	MUST(err == 0 || err == -EINVAL);
	if (err) {
		MUST(e.what && e.line >= 1);
		return 0;
	}
	for (i = 0; i < c.n; i++) {
		MUST(c.v[i].name[0] && !isdigit((unsigned char)c.v[i].name[0]));
		for (j = 0; c.v[i].name[j]; j++)
			MUST(isalnum((unsigned char)c.v[i].name[j]) || c.v[i].name[j] == '_');
		MUST(c.v[i].line >= 1);
	}
	kp_shconf_free(&c);
	return 0;
}
