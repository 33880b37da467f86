#include <einfo.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kexec-prep.h"
#include "sys.h"

static const struct kp_command {
	const char *name;
	int (*fn)(struct kp_ctx *ctx);
	const char *help;
} commands[] = {
	{"check", kp_cmd_check, "say whether this machine can kexec, and how to fix it"},
	{"load", kp_cmd_load, "pick, validate and stage the kernel for the next reboot"},
	{"unload", kp_cmd_unload, "unstage it: the next reboot goes through the firmware"},
	{"status", kp_cmd_status, "say what is staged (exit 3 when nothing is)"},
	{"exec", kp_cmd_exec, "jump into the staged kernel, once it is safe (shutdown only)"},
	{"resume", kp_cmd_resume, "after jumps that did not come up: jump again, and stage now"},
};

static const struct option longopts[] = {
	{"root", required_argument, NULL, 'r'},	    {"json", no_argument, NULL, 'j'},
	{"dry-run", no_argument, NULL, 'n'},	    {"kernel", required_argument, NULL, 'k'},
	{"initrd", required_argument, NULL, 'i'},   {"append", required_argument, NULL, 'a'},
	{"cmdline", required_argument, NULL, 'c'},  {"load-method", required_argument, NULL, 'm'},
	{"bootpart", required_argument, NULL, 'b'}, {"force", no_argument, NULL, 'f'},
	{"background", no_argument, NULL, 'B'},	    {"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},	    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
	size_t i;

	fputs("Usage: kexec-prep [options] <command>\n\nCommands:\n", out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fputs("\nOptions:\n"
	      "  -r, --root DIR     read the system under DIR instead of /\n"
	      "  -j, --json         check, status: print one JSON object\n"
	      "  -n, --dry-run      read and validate, print what would be done, change nothing\n"
	      "  -k, --kernel FILE  the kernel to stage (KERNEL)\n"
	      "  -i, --initrd LIST  the initramfs files, in order, or none (INITRD)\n"
	      "  -a, --append ARGS  parameters to add or replace (APPEND)\n"
	      "  -c, --cmdline ARGS the whole command line (CMDLINE)\n"
	      "  -m, --load-method auto|file|kexec-tools (LOAD_METHOD)\n"
	      "  -b, --bootpart DIR where the kernels are (BOOTPART)\n"
	      "  -f, --force        exec: jump although the machine is not shutting down\n"
	      "  -B, --background   load: return at once and stage in the background,\n"
	      "                     unless STAGE_IN_BACKGROUND=no (the service's way)\n"
	      "Settings come from " KP_CONFD "; the options override them.\n\n"
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

	clock_gettime(CLOCK_REALTIME, &ctx.started);
	/* stdout and stderr interleave in the order they were written. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "r:jnk:i:a:c:m:b:fBhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'n':
			kp_sys_set_dry_run(true);
			break;
		case 'k':
			ctx.opt_kernel = optarg;
			break;
		case 'i':
			ctx.opt_initrd = optarg;
			break;
		case 'a':
			ctx.opt_append = optarg;
			break;
		case 'c':
			ctx.opt_cmdline = optarg;
			break;
		case 'm':
			ctx.opt_method = optarg;
			break;
		case 'b':
			ctx.opt_bootpart = optarg;
			break;
		case 'f':
			ctx.force = true;
			break;
		case 'B':
			ctx.background = true;
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
	for (i = 0; i < ARRAY_SIZE(commands); i++)
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
	kp_ctx_free(&ctx);
	return ret;
}
