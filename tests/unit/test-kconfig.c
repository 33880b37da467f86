#include <stdlib.h>

#include "kconfig.h"
#include "test.h"

static int parse(struct kp_kconfig *kc, const char *text, size_t len)
{
	char *buf = malloc(len + 1);

	memcpy(buf, text, len);
	buf[len] = '\0';
	return kp_kconfig_parse(kc, buf, len);
}

static void test_values(void)
{
	struct kp_kconfig kc;
	const char text[] = "#\n# Linux/x86 6.12.9 Kernel Configuration\n#\n"
			    "CONFIG_KEXEC=y\n# CONFIG_KEXEC_FILE is not set\nCONFIG_DRM=m\n"
			    "CONFIG_LOCALVERSION=\"-lts\"\nCONFIG_NR_CPUS=256\r\n"
			    "   CONFIG_INDENTED=y\n\nCONFIG_KEXEC=n\nCONFIG_KEXEC=y\n";

	CHECK(parse(&kc, text, sizeof(text) - 1) == 0);
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_KEXEC"), "y");
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_KEXEC_FILE"), "n");
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_LOCALVERSION"), "\"-lts\"");
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_NR_CPUS"), "256");
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_INDENTED"), "y");
	CHECK(kp_kconfig_get(&kc, "CONFIG_ABSENT") == NULL);
	CHECK(kp_kconfig_enabled(&kc, "CONFIG_DRM"));
	CHECK(!kp_kconfig_enabled(&kc, "CONFIG_KEXEC_FILE"));
	CHECK(!kp_kconfig_enabled(&kc, "CONFIG_ABSENT"));
	CHECK(kc.bad_lines == 0);
	kp_kconfig_free(&kc);
}

static void test_prefix_is_not_a_match(void)
{
	struct kp_kconfig kc;
	const char text[] = "CONFIG_KEXEC_FILE=y\n";

	CHECK(parse(&kc, text, sizeof(text) - 1) == 0);
	CHECK(kp_kconfig_get(&kc, "CONFIG_KEXEC") == NULL);
	kp_kconfig_free(&kc);
}

static void test_garbage(void)
{
	struct kp_kconfig kc;
	const char text[] = "CONFIG_A=y\0CONFIG_B=y\n\x01\xff garbage\nCONFIG_=\n=y\nCONFIG_C";
	unsigned char junk[8192];
	size_t i;

	CHECK(parse(&kc, text, sizeof(text) - 1) == 0);
	/* A NUL ends its line; the rest of that line counts as a line of its own. */
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_A"), "y");
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_B"), "y");
	CHECK_STR(kp_kconfig_get(&kc, "CONFIG_"), "");
	CHECK(kp_kconfig_get(&kc, "CONFIG_C") == NULL);
	CHECK(kc.bad_lines == 3);
	kp_kconfig_free(&kc);

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 197u + 3u);
	CHECK(parse(&kc, (const char *)junk, sizeof(junk)) == 0);
	kp_kconfig_free(&kc);

	CHECK(parse(&kc, "", 0) == 0);
	CHECK(kc.nopts == 0);
	kp_kconfig_free(&kc);
}

int main(void)
{
	test_values();
	test_prefix_is_not_a_match();
	test_garbage();
	TEST_DONE();
}
