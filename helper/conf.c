#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <rc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "kexec-prep.h"

static const char *const known[] = {
	"BOOTPART", "KERNEL",	   "INITRD",	       "REUSE_CMDLINE",	    "APPEND",
	"CMDLINE",  "LOAD_METHOD", "REQUIRE_READONLY", "KEXEC_ON_POWEROFF",
};

int kp_file_open_checked(struct kp_ctx *ctx, const char *path, const char *what, struct kp_file *f)
{
	int fd = kp_root_openat(&ctx->root, path, O_RDONLY);

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (fd < 0) {
		eerror("%s: %s %s: %s", ctx->applet, what, path, strerror(-fd));
		return fd;
	}
	if (fstat(fd, &f->st) < 0) {
		int err = -errno;

		eerror("%s: %s %s: %s", ctx->applet, what, path, strerror(errno));
		close(fd);
		return err;
	}
	if (!S_ISREG(f->st.st_mode)) {
		eerror("%s: %s %s is not a regular file", ctx->applet, what, path);
		close(fd);
		return -EINVAL;
	}
	if (f->st.st_uid != ctx->root.owner) {
		eerror("%s: %s %s is owned by uid %u, not by root: fix with chown root:root %s",
		       ctx->applet, what, path, (unsigned)f->st.st_uid, path);
		close(fd);
		return -EPERM;
	}
	if (f->st.st_mode & 022) {
		/* Whoever can write it chooses the kernel of the next boot. */
		eerror("%s: %s %s is writable by %s: anyone who can write it owns the next "
		       "boot; fix with chmod go-w %s",
		       ctx->applet, what, path, (f->st.st_mode & 002) ? "everyone" : "its group",
		       path);
		close(fd);
		return -EPERM;
	}
	f->fd = fd;
	f->path = strdup(path);
	if (!f->path) {
		close(fd);
		f->fd = -1;
		return -ENOMEM;
	}
	return 0;
}

void kp_file_close(struct kp_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	f->path = NULL;
	f->fd = -1;
}

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v ? v : "");

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int yesno(struct kp_ctx *ctx, const char *name, const char *v, bool *out)
{
	if (!v || !*v)
		return 0;
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "y") || !strcasecmp(v, "true") ||
	    !strcmp(v, "1")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "n") || !strcasecmp(v, "false") ||
	    !strcmp(v, "0")) {
		*out = false;
		return 0;
	}
	eerror("%s: %s: %s=\"%s\" is not yes or no", ctx->applet, KP_CONFD, name, v);
	return -EINVAL;
}

static int method(struct kp_ctx *ctx, const char *from, const char *v, enum kp_method *out)
{
	if (!v || !*v || !strcmp(v, "auto"))
		*out = KP_METHOD_AUTO;
	else if (!strcmp(v, "file"))
		*out = KP_METHOD_FILE;
	else if (!strcmp(v, "kexec-tools"))
		*out = KP_METHOD_TOOLS;
	else {
		eerror("%s: %s: LOAD_METHOD=\"%s\" is not auto, file or kexec-tools", ctx->applet,
		       from, v);
		return -EINVAL;
	}
	return 0;
}

/* Check the file's owner and mode, then read it with OpenRC's own parser. */
static int read_confd(struct kp_ctx *ctx, struct kp_conf *c)
{
	struct kp_file f;
	RC_STRINGLIST *list;
	RC_STRING *s;
	char *path;
	int err = kp_root_openat(&ctx->root, KP_CONFD, O_PATH);

	if (err == -ENOENT)
		return 0; /* every setting at its default */
	if (err >= 0)
		close(err);
	err = kp_file_open_checked(ctx, KP_CONFD, "settings file", &f);
	if (err < 0)
		return err;
	kp_file_close(&f);
	path = kp_host_path(ctx, KP_CONFD);
	if (!path)
		return -ENOMEM;
	list = rc_config_load(path);
	free(path);
	/* rc.h defines the list types but not the walking macros. */
	for (s = list->tqh_first; s; s = s->entries.tqe_next) {
		char *eq = strchr(s->value, '=');
		const char *v = eq ? eq + 1 : "";
		size_t i, nl = eq ? (size_t)(eq - s->value) : strlen(s->value);
		bool ok = false;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= strlen(known[i]) == nl && !strncmp(s->value, known[i], nl);
		if (!ok) {
			/* rc_* and the like are OpenRC's own: only shout about ours. */
			if (strncmp(s->value, "rc_", 3) != 0)
				ewarn("%s: %s: unknown setting %.*s (ignored; the settings are "
				      "listed in kexec-load(5))",
				      ctx->applet, KP_CONFD, (int)nl, s->value);
			continue;
		}
		if (strchr(v, '$') || strchr(v, '`')) {
			eerror("%s: %s: %.*s uses shell expansion, which kexec-prep does not "
			       "do: write the value out",
			       ctx->applet, KP_CONFD, (int)nl, s->value);
			err = -EINVAL;
			break;
		}
#define IS(name) (nl == strlen(name) && !strncmp(s->value, name, nl))
		if (IS("BOOTPART"))
			err = set_str(&c->bootpart, *v ? v : "/boot");
		else if (IS("KERNEL"))
			err = set_str(&c->kernel, v);
		else if (IS("INITRD"))
			err = set_str(&c->initrd, v);
		else if (IS("APPEND"))
			err = set_str(&c->append, v);
		else if (IS("CMDLINE"))
			err = set_str(&c->cmdline, v);
		else if (IS("REUSE_CMDLINE"))
			err = yesno(ctx, "REUSE_CMDLINE", v, &c->reuse_cmdline);
		else if (IS("REQUIRE_READONLY"))
			err = yesno(ctx, "REQUIRE_READONLY", v, &c->require_readonly);
		else if (IS("KEXEC_ON_POWEROFF"))
			err = yesno(ctx, "KEXEC_ON_POWEROFF", v, &c->kexec_on_poweroff);
		else if (IS("LOAD_METHOD"))
			err = method(ctx, KP_CONFD, v, &c->method);
#undef IS
		if (err < 0)
			break;
	}
	rc_stringlist_free(list);
	return err;
}

int kp_conf_load(struct kp_ctx *ctx)
{
	struct kp_conf *c = &ctx->conf;
	int err;

	memset(c, 0, sizeof(*c));
	c->reuse_cmdline = true;
	c->require_readonly = true;
	if (set_str(&c->bootpart, "/boot") || set_str(&c->kernel, "") || set_str(&c->initrd, "") ||
	    set_str(&c->append, "") || set_str(&c->cmdline, ""))
		return -ENOMEM;
	err = read_confd(ctx, c);
	if (err < 0)
		return err;
	if ((ctx->opt_bootpart && set_str(&c->bootpart, ctx->opt_bootpart)) ||
	    (ctx->opt_kernel && set_str(&c->kernel, ctx->opt_kernel)) ||
	    (ctx->opt_initrd && set_str(&c->initrd, ctx->opt_initrd)) ||
	    (ctx->opt_append && set_str(&c->append, ctx->opt_append)) ||
	    (ctx->opt_cmdline && set_str(&c->cmdline, ctx->opt_cmdline)))
		return -ENOMEM;
	if (ctx->opt_method)
		return method(ctx, "--load-method", ctx->opt_method, &c->method);
	return 0;
}

void kp_conf_free(struct kp_conf *c)
{
	free(c->bootpart);
	free(c->kernel);
	free(c->initrd);
	free(c->append);
	free(c->cmdline);
	memset(c, 0, sizeof(*c));
}
