/* Versions: an order (antisymmetric, transitive, 0 only for equal
 * strings), and the shape that may name a file never leaves a directory. */
#include "fuzz.h"
#include "version.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup();
	return 0;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v[3];
	int ab, bc, ac, i;

	fuzz_split(data, size, v, 3);
	ab = kp_version_cmp(v[0], v[1]);
	bc = kp_version_cmp(v[1], v[2]);
	ac = kp_version_cmp(v[0], v[2]);
	MUST(sign(ab) == -sign(kp_version_cmp(v[1], v[0])));
	MUST((ab == 0) == (strcmp(v[0], v[1]) == 0));
	MUST(kp_version_cmp(v[0], v[0]) == 0);
	if (ab < 0 && bc < 0)
		MUST(ac < 0);
	if (ab > 0 && bc > 0)
		MUST(ac > 0);
	for (i = 0; i < 3; i++)
		if (kp_version_shape(v[i]))
			MUST(!strchr(v[i], '/') && !strstr(v[i], "..") && v[i][0] != '.');
	for (i = 0; i < 3; i++)
		free(v[i]);
	return 0;
}
