/* The settings: /etc/conf.d/kexec-load (its path from meson), then the
 * command-line flags over it. One table says them all. */
#include <ctype.h>
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "shconf.h"

enum kind { STRING, PATH, YESNO, METHOD, FROM, REUSE, SECONDS, SECONDS_OR_NO, COUNT, WATCHDOG };

static const struct setting {
	const char *name;
	enum kind kind;
	size_t at;	 /* offsetof(struct kp_conf, ...) */
	const char *def; /* the default, also for an empty value */
	size_t flag;	 /* offsetof(struct kp_ctx, opt_...), 0 when none */
	const char *flag_name;
} settings[] = {
	{"BOOTPART", STRING, offsetof(struct kp_conf, bootpart), "/boot",
	 offsetof(struct kp_ctx, opt_bootpart), "--bootpart"},
	{"KERNEL", STRING, offsetof(struct kp_conf, kernel), "",
	 offsetof(struct kp_ctx, opt_kernel), "--kernel"},
	{"INITRD", STRING, offsetof(struct kp_conf, initrd), "",
	 offsetof(struct kp_ctx, opt_initrd), "--initrd"},
	{"CMDLINE_FROM", FROM, offsetof(struct kp_conf, cmdline_from), "auto", 0, NULL},
	/* the older word for it: yes is CMDLINE_FROM=running, no is none */
	{"REUSE_CMDLINE", REUSE, offsetof(struct kp_conf, cmdline_from), "", 0, NULL},
	{"APPEND", STRING, offsetof(struct kp_conf, append), "",
	 offsetof(struct kp_ctx, opt_append), "--append"},
	{"CMDLINE", STRING, offsetof(struct kp_conf, cmdline), "",
	 offsetof(struct kp_ctx, opt_cmdline), "--cmdline"},
	{"LOAD_METHOD", METHOD, offsetof(struct kp_conf, method), "auto",
	 offsetof(struct kp_ctx, opt_method), "--load-method"},
	{"REQUIRE_READONLY", YESNO, offsetof(struct kp_conf, require_readonly), "yes", 0, NULL},
	{"KEXEC_ON_POWEROFF", YESNO, offsetof(struct kp_conf, kexec_on_poweroff), "no", 0, NULL},
	{"EXEC_TIMEOUT", SECONDS, offsetof(struct kp_conf, exec_timeout), "20", 0, NULL},
	{"STAGE_IN_BACKGROUND", YESNO, offsetof(struct kp_conf, stage_in_background), "yes", 0,
	 NULL},
	{"PANIC_TIMEOUT", SECONDS_OR_NO, offsetof(struct kp_conf, panic_timeout), "10", 0, NULL},
	{"MAX_FAILED_JUMPS", COUNT, offsetof(struct kp_conf, max_failed_jumps), "1", 0, NULL},
	{"METRICS_FILE", PATH, offsetof(struct kp_conf, metrics_file), "", 0, NULL},
	{"WATCHDOG", WATCHDOG, offsetof(struct kp_conf, watchdog), "auto", 0, NULL},
	{"WATCHDOG_TIMEOUT", SECONDS, offsetof(struct kp_conf, watchdog_timeout), "180", 0, NULL},
};

static bool is_yes(const char *v)
{
	return !strcasecmp(v, "yes") || !strcasecmp(v, "y") || !strcasecmp(v, "true") ||
	       !strcmp(v, "1");
}

static bool is_no(const char *v)
{
	return !strcasecmp(v, "no") || !strcasecmp(v, "n") || !strcasecmp(v, "false") ||
	       !strcmp(v, "0");
}

/* from is where v came from, for the message: the file or the flag. */
static int set(struct kp_ctx *ctx, const struct setting *s, const char *from, const char *v)
{
	static const char *const froms[] = {[KP_FROM_AUTO] = "auto",
					    [KP_FROM_ENTRY] = "entry",
					    [KP_FROM_RUNNING] = "running",
					    [KP_FROM_NONE] = "none"};
	static const char *const wants[] = {
		[PATH] = "an absolute path to a file, or empty",
		[YESNO] = "yes or no",
		[METHOD] = "auto, file or kexec-tools",
		[FROM] = "auto, entry, running or none",
		[REUSE] = "yes or no",
		[SECONDS] = "a number of seconds from 1 to 3600",
		[SECONDS_OR_NO] = "no or a number of seconds from 1 to 3600",
		[COUNT] = "a number from 0 to 100",
		[WATCHDOG] = "auto, no or a watchdog device (/dev/watchdogN)"};
	void *dst = (char *)&ctx->conf + s->at;
	char *str;
	size_t i;

	if (!*v)
		v = s->def;
	switch (s->kind) {
	case WATCHDOG:
		if (strcmp(v, "auto") != 0 && strcmp(v, "no") != 0 && !kp_watchdog_device_name(v))
			break;
		/* fall through */
	case PATH:
		if (s->kind == PATH && *v && (*v != '/' || v[strlen(v) - 1] == '/'))
			break;
		/* fall through */
	case STRING:
		str = strdup(v);
		if (!str)
			return -ENOMEM;
		free(*(char **)dst);
		*(char **)dst = str;
		return 0;
	case YESNO:
		if (!is_yes(v) && !is_no(v))
			break;
		*(bool *)dst = is_yes(v);
		return 0;
	case REUSE:
		if (*v && !is_yes(v) && !is_no(v))
			break;
		if (*v)
			*(enum kp_cmdline_from *)dst = is_yes(v) ? KP_FROM_RUNNING : KP_FROM_NONE;
		return 0;
	case SECONDS_OR_NO:
		if (is_no(v)) {
			*(unsigned *)dst = 0;
			return 0;
		}
		/* fall through */
	case SECONDS:
	case COUNT: {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		unsigned long least = s->kind == COUNT ? 0 : 1,
			      most = s->kind == COUNT ? 100 : 3600;

		if (!isdigit((unsigned char)*v) || *end || n < least || n > most)
			break;
		*(unsigned *)dst = (unsigned)n;
		return 0;
	}
	case FROM:
		for (i = 0; i < ARRAY_SIZE(froms); i++)
			if (!strcmp(v, froms[i])) {
				*(enum kp_cmdline_from *)dst = (enum kp_cmdline_from)i;
				return 0;
			}
		break;
	case METHOD:
		if (!strcmp(v, "auto"))
			*(enum kp_method *)dst = KP_METHOD_AUTO;
		else if (!strcmp(v, "file"))
			*(enum kp_method *)dst = KP_METHOD_FILE;
		else if (!strcmp(v, "kexec-tools"))
			*(enum kp_method *)dst = KP_METHOD_TOOLS;
		else
			break;
		return 0;
	}
	eerror("%s: %s: %s=\"%s\" is not %s", ctx->applet, from, s->name, v, wants[s->kind]);
	return -EINVAL;
}

static const struct setting *lookup(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (strlen(settings[i].name) == len && !strncmp(settings[i].name, name, len))
			return &settings[i];
	return NULL;
}

/* Check the file's owner and mode, then read that same descriptor as sh
 * would read it: OpenRC sources conf.d files with sh, and users write them
 * that way. What needs a shell to read is refused with its line. */
static int read_confd(struct kp_ctx *ctx)
{
	struct kp_shconf_error e;
	struct kp_shconf conf;
	struct kp_file f;
	size_t i, len;
	char *text;
	int err = kp_root_openat(&ctx->root, KP_CONFD, O_PATH);

	if (err == -ENOENT)
		return 0; /* every setting at its default */
	if (err >= 0)
		close(err);
	err = kp_file_open_checked(ctx, KP_CONFD, "settings file", &f);
	if (err < 0)
		return err;
	err = kp_read_fd(f.fd, 1 << 16, &text, &len);
	kp_file_close(&f);
	if (err < 0) {
		eerror("%s: %s: %s", ctx->applet, KP_CONFD, strerror(-err));
		return err;
	}
	err = kp_shconf_parse(text, len, &conf, &e);
	free(text);
	if (err == -EINVAL)
		eerror("%s: %s: line %u: %s%s%s (kexec-prep reads it as sh would, without running one)",
		       ctx->applet, KP_CONFD, e.line, e.name, e.name[0] ? ": " : "", e.what);
	for (i = 0; err == 0 && i < conf.n; i++) {
		const struct kp_shvar *v = &conf.v[i];
		const struct setting *st = lookup(v->name, strlen(v->name));

		if (st)
			err = set(ctx, st, KP_CONFD, v->value);
		else if (strncmp(v->name, "rc_", 3) != 0)
			/* rc_* and the like are OpenRC's own: only shout about ours */
			ewarn("%s: %s: line %u: unknown setting %s (ignored; the settings are listed in kexec-load(5))",
			      ctx->applet, KP_CONFD, v->line, v->name);
	}
	kp_shconf_free(&conf);
	return err;
}

int kp_conf_load(struct kp_ctx *ctx)
{
	size_t i;
	int err;

	memset(&ctx->conf, 0, sizeof(ctx->conf));
	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if ((err = set(ctx, &settings[i], "default", settings[i].def)) < 0)
			return err;
	err = read_confd(ctx);
	for (i = 0; err == 0 && i < ARRAY_SIZE(settings); i++) {
		const char *flag =
			settings[i].flag ? *(const char **)((char *)ctx + settings[i].flag) : NULL;

		if (flag)
			err = set(ctx, &settings[i], settings[i].flag_name, flag);
	}
	return err;
}

void kp_conf_free(struct kp_conf *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(settings); i++)
		if (settings[i].kind == STRING || settings[i].kind == PATH ||
		    settings[i].kind == WATCHDOG)
			free(*(char **)((char *)c + settings[i].at));
	memset(c, 0, sizeof(*c));
}
