#include "cmdline.h"
#include "test.h"

static char *joined(const char *in)
{
	struct kp_cmdline cl;
	char *s;

	if (kp_cmdline_parse(&cl, in, strlen(in)) < 0)
		return NULL;
	s = kp_cmdline_join(&cl);
	kp_cmdline_free(&cl);
	return s;
}

static void test_basic(void)
{
	struct kp_cmdline cl;
	const char *in = "BOOT_IMAGE=/boot/vmlinuz-lts root=/dev/sda1 ro quiet\n";

	CHECK(kp_cmdline_parse(&cl, in, strlen(in)) == 0);
	CHECK(cl.n == 4);
	CHECK(cl.init_args == 4);
	CHECK_STR(cl.v[0].name, "BOOT_IMAGE");
	CHECK_STR(cl.v[0].value, "/boot/vmlinuz-lts");
	CHECK_STR(cl.v[2].name, "ro");
	CHECK(cl.v[2].value == NULL);
	CHECK_STR(cl.v[3].raw, "quiet"); /* the trailing newline is a separator */
	kp_cmdline_free(&cl);
}

static void test_quotes(void)
{
	struct kp_cmdline cl;
	const char *in = "param=\"a b\"  \"quoted=x y\" dyndbg=\"file foo.c +p\" plain";

	CHECK(kp_cmdline_parse(&cl, in, strlen(in)) == 0);
	CHECK(cl.n == 4);
	CHECK_STR(cl.v[0].name, "param");
	CHECK_STR(cl.v[0].value, "a b");
	CHECK_STR(cl.v[0].raw, "param=\"a b\"");
	CHECK_STR(cl.v[1].name, "quoted");
	CHECK_STR(cl.v[1].value, "x y");
	CHECK_STR(cl.v[2].value, "file foo.c +p");
	CHECK_STR(cl.v[3].name, "plain");
	kp_cmdline_free(&cl);
}

static void test_unterminated_quote(void)
{
	struct kp_cmdline cl;
	const char *in = "a=1 b=\"open quote to the end c=3";

	CHECK(kp_cmdline_parse(&cl, in, strlen(in)) == 0);
	CHECK(cl.n == 2);
	CHECK_STR(cl.v[1].name, "b");
	CHECK_STR(cl.v[1].value, "open quote to the end c=3");
	kp_cmdline_free(&cl);
}

/* Words added after a quote /proc/cmdline leaves open stay words of their
 * own: the quote is closed when the line is joined. */
/* Found by tests/fuzz: init's arguments piled up when a line was set again
 * (a reused command line, jump after jump). */
static void test_init_args_once(void)
{
	struct kp_cmdline cl;
	char *s;

	CHECK(kp_cmdline_parse(&cl, "root=/dev/sda1 -- single", 24) == 0);
	CHECK(kp_cmdline_set(&cl, "quiet -- single") == 0);
	CHECK(kp_cmdline_set(&cl, "quiet -- single") == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "root=/dev/sda1 quiet -- single");
	free(s);
	kp_cmdline_free(&cl);
}

static void test_unterminated_then_set(void)
{
	struct kp_cmdline cl;
	const char *in = "root=/dev/sda1 dyndbg=\"file foo.c";
	char *s;

	CHECK(kp_cmdline_parse(&cl, in, strlen(in)) == 0);
	CHECK(kp_cmdline_set(&cl, "quiet loglevel=3") == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "root=/dev/sda1 dyndbg=\"file foo.c\" quiet loglevel=3");
	free(s);
	kp_cmdline_free(&cl);
	/* and the joined line parses back into the same four */
	s = joined("root=/dev/sda1 dyndbg=\"file foo.c\" quiet loglevel=3");
	CHECK_STR(s, "root=/dev/sda1 dyndbg=\"file foo.c\" quiet loglevel=3");
	free(s);
}

static void test_repeated_and_dashes(void)
{
	struct kp_cmdline cl;
	const char *in = "console=tty0 console=ttyS0,115200 kexec-load-disabled=0 -- single x=1";

	CHECK(kp_cmdline_parse(&cl, in, strlen(in)) == 0);
	CHECK(cl.n == 6);
	CHECK(cl.init_args == 3);
	CHECK(kp_cmdline_find(&cl, "console") == 1);
	/* "-" and "_" are the same in a parameter name */
	CHECK(kp_cmdline_find(&cl, "kexec_load_disabled") == 2);
	/* what follows "--" is init's, never a kernel parameter */
	CHECK(kp_cmdline_find(&cl, "x") == -1);
	CHECK(kp_cmdline_remove(&cl, "console") == 2);
	CHECK(cl.init_args == 1);
	kp_cmdline_free(&cl);
}

static void test_set(void)
{
	struct kp_cmdline cl;
	const char *in = "root=/dev/sda1 quiet loglevel=3 -- single";
	char *s;

	CHECK(kp_cmdline_parse(&cl, in, strlen(in)) == 0);
	CHECK(kp_cmdline_set(&cl, "loglevel=7 console=ttyS0") == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "root=/dev/sda1 quiet loglevel=7 console=ttyS0 -- single");
	free(s);
	/* Setting the same words again changes nothing: repeated jumps do not pile up. */
	CHECK(kp_cmdline_set(&cl, "loglevel=7 console=ttyS0") == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "root=/dev/sda1 quiet loglevel=7 console=ttyS0 -- single");
	free(s);
	kp_cmdline_free(&cl);

	CHECK(kp_cmdline_parse(&cl, "a=1 b a=2 a=3", 13) == 0);
	CHECK(kp_cmdline_set(&cl, "a=9") == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "a=9 b");
	free(s);
	CHECK(kp_cmdline_set(&cl, "-- emergency") == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "a=9 b -- emergency");
	free(s);
	kp_cmdline_free(&cl);
}

static void test_empty_and_space(void)
{
	struct kp_cmdline cl;
	char *s;

	CHECK(kp_cmdline_parse(&cl, "", 0) == 0);
	CHECK(cl.n == 0);
	s = kp_cmdline_join(&cl);
	CHECK_STR(s, "");
	free(s);
	kp_cmdline_free(&cl);
	CHECK(kp_cmdline_parse(&cl, " \t\n\n  ", 7) == 0);
	CHECK(cl.n == 0);
	kp_cmdline_free(&cl);
	s = joined("  a   b\t\tc  \n");
	CHECK_STR(s, "a b c");
	free(s);
}

static void test_nul_and_garbage(void)
{
	struct kp_cmdline cl;
	const char in[] = "root=/dev/sda1 quiet\0hidden=1 more";
	unsigned char junk[4096];
	size_t i;

	/* A NUL byte ends the line, as in the kernel's C string. */
	CHECK(kp_cmdline_parse(&cl, in, sizeof(in) - 1) == 0);
	CHECK(cl.n == 2);
	CHECK(kp_cmdline_find(&cl, "hidden") == -1);
	kp_cmdline_free(&cl);

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)((i * 131u + 7u) ^ (i >> 3));
	CHECK(kp_cmdline_parse(&cl, (const char *)junk, sizeof(junk)) == 0);
	for (i = 0; i < cl.n; i++)
		CHECK(cl.v[i].raw[0] != '\0');
	kp_cmdline_free(&cl);
}

static void test_very_long(void)
{
	struct kp_cmdline cl;
	size_t len = 1 << 20, i;
	char *in = malloc(len + 1);
	char *s;

	for (i = 0; i < len; i++)
		in[i] = (i % 8 == 7) ? ' ' : 'a' + (char)(i % 7);
	in[len] = '\0';
	CHECK(kp_cmdline_parse(&cl, in, len) == 0);
	CHECK(cl.n == len / 8);
	s = kp_cmdline_join(&cl);
	CHECK(s && strlen(s) == len - 1);
	free(s);
	kp_cmdline_free(&cl);
	free(in);
}

int main(void)
{
	test_basic();
	test_quotes();
	test_unterminated_quote();
	test_unterminated_then_set();
	test_init_args_once();
	test_repeated_and_dashes();
	test_set();
	test_empty_and_space();
	test_nul_and_garbage();
	test_very_long();
	TEST_DONE();
}
