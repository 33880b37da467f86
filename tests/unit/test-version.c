#include "test.h"
#include "version.h"

/* a < b, and the order agrees both ways. */
#define BEFORE(a, b)                                                                               \
	do {                                                                                       \
		CHECK(kp_version_cmp(a, b) < 0);                                                   \
		CHECK(kp_version_cmp(b, a) > 0);                                                   \
	} while (0)

static void test_debian_abis(void)
{
	BEFORE("6.1.0-9-cloud-amd64", "6.1.0-27-cloud-amd64");
	BEFORE("6.1.0-27-cloud-amd64", "6.1.0-28-cloud-amd64");
	BEFORE("5.10.0-32-amd64", "6.1.0-9-amd64");
	BEFORE("6.1.0-9-amd64", "6.1.0-10-amd64"); /* by value, not by byte */
	BEFORE("6.9.0", "6.10.0");
}

static void test_prerelease(void)
{
	BEFORE("6.13.0-rc7", "6.13.0");
	BEFORE("6.13.0-rc7", "6.13.0-rc8");
	BEFORE("6.13.0-rc9", "6.13.0-rc10");
	BEFORE("6.13~rc7", "6.13");
	BEFORE("6.13.0-rc7-gentoo", "6.13.0-gentoo");
	BEFORE("6.12.9", "6.13.0-rc1");
	BEFORE("6.13.0_rc2", "6.13.0");
	/* "-r" is a package revision, not a release candidate */
	BEFORE("6.6.35", "6.6.35-r1");
}

static void test_alpine(void)
{
	BEFORE("6.6.35-r0", "6.6.35-r1");
	BEFORE("6.12.9-0-lts", "6.12.10-0-lts");
	BEFORE("6.12.9-0-lts", "6.12.9-1-lts");
}

static void test_leading_zeros(void)
{
	/* Equal by value, yet different strings: a fixed order, never 0. */
	CHECK(kp_version_cmp("6.01.0", "6.1.0") != 0);
	CHECK(kp_version_cmp("6.01.0", "6.1.0") == -kp_version_cmp("6.1.0", "6.01.0"));
	BEFORE("6.01.0", "6.2.0");
	BEFORE("6.1.0", "6.02.0");
}

static void test_equal(void)
{
	CHECK(kp_version_cmp("6.1.0-27-cloud-amd64", "6.1.0-27-cloud-amd64") == 0);
	CHECK(kp_version_cmp("", "") == 0);
	BEFORE("", "6");
	BEFORE("6.1", "6.1.0");
}

/* Every triple of a mixed list orders consistently. */
static void test_total_order(void)
{
	static const char *const v[] = {"6.1.0",    "6.01.0",	  "6.1.0-rc1", "6.1.0~rc1", "6.1",
					"6.1.0-r1", "6.1.0-lts",  "6.10",      "6.9.9",	    "",
					"a",	    "6.1.0-rc10", "6.1.0_rc2"};
	size_t n = sizeof(v) / sizeof(v[0]), i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int ij = kp_version_cmp(v[i], v[j]);

			CHECK(ij == -kp_version_cmp(v[j], v[i]));
			CHECK((ij == 0) == (i == j));
			for (k = 0; k < n; k++)
				if (ij < 0 && kp_version_cmp(v[j], v[k]) < 0)
					CHECK(kp_version_cmp(v[i], v[k]) < 0);
		}
}

int main(void)
{
	test_debian_abis();
	test_prerelease();
	test_alpine();
	test_leading_zeros();
	test_equal();
	test_total_order();
	TEST_DONE();
}
