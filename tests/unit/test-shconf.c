#include <stdlib.h>

#include "shconf.h"
#include "test.h"

/* The value sh gives NAME in text (which must parse), or NULL. */
static char *value_of(const char *text, const char *name)
{
	struct kp_shconf_error e;
	struct kp_shconf c;
	char *v = NULL;
	size_t i;

	if (kp_shconf_parse(text, strlen(text), &c, &e) < 0)
		return NULL;
	for (i = 0; i < c.n; i++)
		if (!strcmp(c.v[i].name, name)) {
			free(v);
			v = strdup(c.v[i].value);
		}
	kp_shconf_free(&c);
	return v;
}

#define CHECK_VALUE(text, name, want)                                                              \
	do {                                                                                       \
		char *v_ = value_of(text, name);                                                   \
		CHECK_STR(v_, want);                                                               \
		free(v_);                                                                          \
	} while (0)

/* text must be refused at line want_line, while reading want_name. */
static void refused(const char *text, size_t len, unsigned want_line, const char *want_name)
{
	struct kp_shconf_error e;
	struct kp_shconf c;

	CHECK(kp_shconf_parse(text, len, &c, &e) == -EINVAL);
	CHECK(e.line == want_line);
	CHECK(e.what != NULL);
	CHECK_STR(e.name, want_name);
}

static void test_quotes(void)
{
	/* what the settings of real kernel parameters look like in sh */
	CHECK_VALUE("APPEND=\"acpi_osi='Windows 2020' loglevel=7\"\n", "APPEND",
		    "acpi_osi='Windows 2020' loglevel=7");
	CHECK_VALUE("APPEND=\"dyndbg=\\\"file foo.c +p\\\"\"\n", "APPEND",
		    "dyndbg=\"file foo.c +p\"");
	CHECK_VALUE("APPEND=dyndbg=#x\n", "APPEND", "dyndbg=#x");
	CHECK_VALUE("A='it'\\''s'\n", "A", "it's");
	CHECK_VALUE("A=\"a\\\\b\\q\"\n", "A", "a\\b\\q");
	CHECK_VALUE("A=a\\ b\n", "A", "a b");
	CHECK_VALUE("A=\"one\ntwo\"\n", "A", "one\ntwo");
	CHECK_VALUE("A=\"one \\\ntwo\"\n", "A", "one two");
	CHECK_VALUE("A=x\\\ny\n", "A", "xy");
	CHECK_VALUE("A=\n", "A", "");
	CHECK_VALUE("A=''\n", "A", "");
}

static void test_lines(void)
{
	CHECK_VALUE("# a comment\n\n  A=1   # and another\nA=2\n", "A", "2");
	CHECK_VALUE("export B=\"x y\"\n", "B", "x y");
	CHECK_VALUE("\tC=last", "C", "last"); /* no newline at the end */
}

static void test_refused(void)
{
	refused("KERNEL=$X\n", 10, 1, "KERNEL");
	refused("A=1\nKERNEL=\"${X}\"\n", 17, 2, "KERNEL");
	refused("CMDLINE=`cat /proc/cmdline`\n", 28, 1, "CMDLINE");
	refused("A=1; B=2\n", 9, 1, "A");
	refused("A=a b\n", 6, 1, "A");
	refused("echo hello\n", 11, 1, "");
	refused("A=~/vmlinuz\n", 12, 1, "A");
	refused("A='open\n\n", 9, 3, "A");
	refused("A=\"open\n", 8, 2, "A");
	refused("A=1\nB=x\0y\nC=3\n", 14, 2, "B"); /* a NUL does not merge lines */
	refused("2A=x\n", 5, 1, "");
}

static void test_line_numbers(void)
{
	struct kp_shconf_error e;
	struct kp_shconf c;
	const char *text = "# x\nA=\"a\nb\"\nB=2\n";

	CHECK(kp_shconf_parse(text, strlen(text), &c, &e) == 0);
	CHECK(c.n == 2);
	CHECK(c.n == 2 && c.v[0].line == 2 && c.v[1].line == 4);
	kp_shconf_free(&c);
}

int main(void)
{
	test_quotes();
	test_lines();
	test_refused();
	test_line_numbers();
	TEST_DONE();
}
