#include <einfo.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"

static const struct kp_command {
	const char *name;
	int (*fn)(struct kp_ctx *ctx);
	const char *help;
} commands[] = {
	{"check", kp_cmd_check, "say whether this machine can kexec, and how to fix it"},
};

static const struct option longopts[] = {
	{"root", required_argument, NULL, 'r'}, {"json", no_argument, NULL, 'j'},
	{"dry-run", no_argument, NULL, 'n'},	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},	{NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: kexec-prep [options] <command>\n\nCommands:\n", out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fputs("\nOptions:\n"
	      "  -r, --root DIR     read the system under DIR instead of /\n"
	      "  -j, --json         print the check report as one JSON object\n"
	      "  -n, --dry-run      read and validate, print what would be done, change nothing\n"
	      "  -h, --help         show this help\n"
	      "  -V, --version      show the version\n",
	      out);
}

static int misuse(const char *what, const char *arg)
{
	fprintf(stderr, "kexec-prep: %s%s%s\nTry 'kexec-prep --help'\n", what, arg ? ": " : "",
		arg ? arg : "");
	return 2;
}

int main(int argc, char **argv)
{
	struct kp_ctx ctx = {.root = {.fd = -1}, .applet = "kexec-prep"};
	const char *root = "/";
	const struct kp_command *cmd = NULL;
	size_t i;
	int c, err, ret;

	/* stdout and stderr interleave in the order they were written. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "r:jnhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'n':
			ctx.dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts("kexec-prep " KP_VERSION);
			return 0;
		default:
			fputs("Try 'kexec-prep --help'\n", stderr);
			return 2;
		}
	}
	if (optind >= argc)
		return misuse("no command given", NULL);
	if (optind + 1 < argc)
		return misuse("unexpected argument", argv[optind + 1]);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd)
		return misuse("unknown command", argv[optind]);
	err = kp_root_open(&ctx.root, root);
	if (err < 0) {
		eerror("%s: cannot open the root directory %s: %s", ctx.applet, root,
		       strerror(-err));
		return 1;
	}
	ret = cmd->fn(&ctx);
	kp_root_close(&ctx.root);
	return ret;
}
