/* The settings: /etc/conf.d/kexec-load (its path from meson), then the
 * command-line flags over it. One table says them all. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <rc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kexec-prep.h"

enum kind { STRING, YESNO, METHOD, FROM, REUSE };

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
	static const char *const wants[] = {[YESNO] = "yes or no",
					    [METHOD] = "auto, file or kexec-tools",
					    [FROM] = "auto, entry, running or none",
					    [REUSE] = "yes or no"};
	void *dst = (char *)&ctx->conf + s->at;
	char *str;
	size_t i;

	if (!*v)
		v = s->def;
	switch (s->kind) {
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

/* Check the file's owner and mode, then read that same file (through its
 * descriptor, not its name again) with OpenRC's own parser. */
static int read_confd(struct kp_ctx *ctx)
{
	struct kp_file f;
	RC_STRINGLIST *list;
	RC_STRING *s;
	char *fdpath;
	int err = kp_root_openat(&ctx->root, KP_CONFD, O_PATH);

	if (err == -ENOENT)
		return 0; /* every setting at its default */
	if (err >= 0)
		close(err);
	err = kp_file_open_checked(ctx, KP_CONFD, "settings file", &f);
	if (err < 0)
		return err;
	fdpath = kp_strdupf("/proc/self/fd/%d", f.fd);
	if (!fdpath || access(fdpath, R_OK) < 0) {
		err = fdpath ? -errno : -ENOMEM;
		eerror("%s: %s: cannot read it through %s: %s (is /proc mounted?)", ctx->applet,
		       KP_CONFD, fdpath ? fdpath : "/proc/self/fd", strerror(-err));
		free(fdpath);
		kp_file_close(&f);
		return err;
	}
	list = rc_config_load(fdpath);
	free(fdpath);
	kp_file_close(&f);
	/* rc.h defines the list types but not the walking macros. */
	for (s = list->tqh_first; s && err == 0; s = s->entries.tqe_next) {
		char *eq = strchr(s->value, '=');
		size_t nl = eq ? (size_t)(eq - s->value) : strlen(s->value);
		const struct setting *st = lookup(s->value, nl);

		if (!st) {
			/* rc_* and the like are OpenRC's own: only shout about ours. */
			if (strncmp(s->value, "rc_", 3) != 0)
				ewarn("%s: %s: unknown setting %.*s (ignored; the settings are listed in kexec-load(5))",
				      ctx->applet, KP_CONFD, (int)nl, s->value);
			continue;
		}
		if (eq && (strchr(eq, '$') || strchr(eq, '`'))) {
			eerror("%s: %s: %s uses shell expansion, which kexec-prep does not do: write the value out",
			       ctx->applet, KP_CONFD, st->name);
			err = -EINVAL;
			break;
		}
		err = set(ctx, st, KP_CONFD, eq ? eq + 1 : "");
	}
	rc_stringlist_free(list);
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
		if (settings[i].kind == STRING)
			free(*(char **)((char *)c + settings[i].at));
	memset(c, 0, sizeof(*c));
}
