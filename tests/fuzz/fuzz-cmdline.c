/* The kernel command line: parse, set, join. Joining what was parsed and
 * parsing it again changes nothing more; setting the same words twice is
 * setting them once; a removed name is gone. */
#include "cmdline.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static char *again(const char *s)
{
	struct kp_cmdline cl;
	char *j;

	MUST(kp_cmdline_parse(&cl, s, strlen(s)) == 0);
	j = kp_cmdline_join(&cl);
	MUST(j);
	kp_cmdline_free(&cl);
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *part[2], *once, *twice, *j1, *j2;
	struct kp_cmdline cl;

	fuzz_split(data, size, part, 2);
	once = again(part[0]);
	twice = again(once);
	MUST(strcmp(once, twice) == 0);
	MUST(kp_cmdline_parse(&cl, once, strlen(once)) == 0);
	MUST(kp_cmdline_set(&cl, part[1]) == 0);
	j1 = kp_cmdline_join(&cl);
	MUST(kp_cmdline_set(&cl, part[1]) == 0);
	j2 = kp_cmdline_join(&cl);
	MUST(j1 && j2 && strcmp(j1, j2) == 0);
	if (cl.n && cl.init_args > 0) {
		char *name = strdup(cl.v[0].name);

		kp_cmdline_remove(&cl, name);
		MUST(kp_cmdline_find(&cl, name) < 0);
		free(name);
	}
	kp_cmdline_free(&cl);
	free(j1);
	free(j2);
	free(once);
	free(twice);
	free(part[0]);
	free(part[1]);
	return 0;
}
