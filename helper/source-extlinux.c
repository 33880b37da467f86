/* syslinux/extlinux, as Alpine's update-extlinux writes its configuration
 * (DEFAULT menu.c32; LABEL, MENU DEFAULT, LINUX, INITRD a,b, APPEND), read
 * the way syslinux reads it: the keyword case-insensitive, the default
 * label from ONTIMEOUT, else MENU DEFAULT when a menu runs, else DEFAULT,
 * else the first label; a label without APPEND takes the global one. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmdline.h"
#include "source.h"

struct label {
	char *name, *kernel, *initrd, *append;
	bool menu_default, linux;
};

struct config {
	struct label *v;
	size_t n, cap;
	char *deflt, *ui, *ontimeout, *append; /* global */
};

static void config_free(struct config *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].kernel);
		free(c->v[i].initrd);
		free(c->v[i].append);
	}
	free(c->v);
	free(c->deflt);
	free(c->ui);
	free(c->ontimeout);
	free(c->append);
}

static int set(char **dst, const char *v)
{
	char *s = strdup(v);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

/* Kernels are anything but the modules and boot sectors syslinux runs. */
static bool is_linux(const char *kernel)
{
	static const char *const other[] = {".c32", ".cbt", ".bss", ".bs", ".bin", ".0", ".com"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(other); i++)
		if (kp_str_ends_with(kernel, other[i]))
			return false;
	return true;
}

static int parse(char *text, struct config *c)
{
	char *line, *save = NULL;
	struct label *l = NULL;
	int err = 0;

	for (line = strtok_r(text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		char *key = line + strspn(line, " \t"), *arg;
		size_t kl = strcspn(key, " \t\r");

		arg = key + kl + strspn(key + kl, " \t");
		arg[strcspn(arg, "\r")] = '\0';
		key[kl] = '\0';
		if (*key == '#' || !*key)
			continue;
		if (!strcasecmp(key, "MENU")) {
			char *sub = arg;

			arg += strcspn(arg, " \t");
			if (*arg)
				*arg++ = '\0';
			if (!strcasecmp(sub, "DEFAULT") && l)
				l->menu_default = true;
			continue;
		}
		if (!strcasecmp(key, "LABEL")) {
			struct label *v = kp_grow(c->v, c->n, &c->cap, sizeof(*v));

			if (!v)
				return -ENOMEM;
			c->v = v;
			l = &c->v[c->n++];
			memset(l, 0, sizeof(*l));
			err = set(&l->name, arg);
		} else if (!strcasecmp(key, "DEFAULT")) {
			err = set(&c->deflt, arg);
		} else if (!strcasecmp(key, "UI")) {
			err = set(&c->ui, arg);
		} else if (!strcasecmp(key, "ONTIMEOUT")) {
			err = set(&c->ontimeout, arg);
		} else if (!strcasecmp(key, "APPEND")) {
			err = set(l ? &l->append : &c->append, arg);
		} else if (l && (!strcasecmp(key, "LINUX") || !strcasecmp(key, "KERNEL"))) {
			err = set(&l->kernel, arg);
			l->linux = !strcasecmp(key, "LINUX") || is_linux(arg);
		} else if (l && !strcasecmp(key, "INITRD")) {
			err = set(&l->initrd, arg);
		} else if (l && (!strcasecmp(key, "COM32") || !strcasecmp(key, "CONFIG") ||
				 !strcasecmp(key, "LOCALBOOT"))) {
			err = set(&l->kernel, arg);
			l->linux = false;
		}
	}
	return err;
}

static struct label *by_name(struct config *c, const char *cmd)
{
	size_t i, n = strcspn(cmd, " \t");

	for (i = 0; i < c->n; i++)
		if (strlen(c->v[i].name) == n && !strncmp(c->v[i].name, cmd, n))
			return &c->v[i];
	return NULL;
}

/* The label an unattended boot takes, and how it was chosen. */
static struct label *pick(struct config *c, const char **how)
{
	bool menu = c->ui || (c->deflt && kp_str_ends_with(c->deflt, ".c32"));
	struct label *l;
	size_t i;

	if (c->ontimeout && (l = by_name(c, c->ontimeout))) {
		*how = "ONTIMEOUT";
		return l;
	}
	for (i = 0; menu && i < c->n; i++)
		if (c->v[i].menu_default) {
			*how = "MENU DEFAULT";
			return &c->v[i];
		}
	if (c->deflt && (l = by_name(c, c->deflt))) {
		*how = "DEFAULT";
		return l;
	}
	if (c->n && (menu || !c->deflt)) {
		*how = "the first label";
		return &c->v[0];
	}
	return NULL;
}

/* The initramfs files and the command line as syslinux makes them
 * (com32/elflink/ldlinux/readconfig.c and kernel.c): the line is
 * "BOOT_IMAGE=<kernel> <APPEND>", INITRD adding " initrd=<INITRD>" after
 * it, and the first "initrd=" anywhere on that line names the files,
 * comma-separated up to a space. Those initrd= words name files for
 * syslinux: the staged line goes without them. */
static int entry(struct kp_ctx *ctx, const char *config, struct config *c, struct label *l,
		 const char *how, struct kp_entry *e)
{
	const char *append = l->append ? l->append : c->append ? c->append : "";
	char *base, *line, *at, *list = NULL, *w, *save = NULL;
	struct kp_cmdline cl;
	int err = 0;

	e->kernel = kp_loader_path(ctx, config, l->kernel, true);
	if (!e->kernel) {
		kp_source_doubt(
			ctx,
			"%s: label %s names %s, outside the partition that holds %s: not what syslinux can boot",
			config, l->name, l->kernel, config);
		return 0;
	}
	if (!strcmp(append, "-"))
		append = "";
	base = kp_strdupf("BOOT_IMAGE=%s%s%s", l->kernel, *append ? " " : "", append);
	line = base ? kp_strdupf("%s%s%s", base, l->initrd ? " initrd=" : "",
				 l->initrd ? l->initrd : "")
		    : NULL;
	if (!line) {
		free(base);
		return -ENOMEM;
	}
	at = strstr(line, "initrd=");
	if (at) {
		at += strlen("initrd=");
		list = strndup(at, strcspn(at, " "));
		if (!list)
			err = -ENOMEM;
	}
	e->has_initrds = true;
	for (w = list ? strtok_r(list, ",", &save) : NULL; w && !err;
	     w = strtok_r(NULL, ",", &save)) {
		char *p = kp_loader_path(ctx, config, w, true);

		if (!p) {
			kp_source_doubt(
				ctx,
				"%s: label %s names the initramfs %s, outside the partition that holds %s",
				config, l->name, w, config);
			free(list);
			free(line);
			free(base);
			return 0;
		}
		err = kp_strv_take(&e->initrds, p);
	}
	free(list);
	free(line);
	/* the line without INITRD's part, and without any initrd= word */
	if (!err)
		err = kp_cmdline_parse(&cl, base, strlen(base));
	free(base);
	if (err)
		return err;
	kp_cmdline_remove(&cl, "initrd");
	e->cmdline = kp_cmdline_join(&cl);
	kp_cmdline_free(&cl);
	e->why = kp_strdupf("syslinux default entry '%s' (%s) in %s", l->name, how, config);
	if (!e->cmdline || !e->why)
		return -ENOMEM;
	return 1;
}

static int find(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	struct config c = {0};
	struct label *l;
	const char *how = NULL;
	char *text;
	int err;

	if (!seen->config)
		return 0;
	err = kp_read_file(&ctx->root, seen->config, 1 << 20, &text, NULL);
	if (err < 0) {
		kp_source_doubt(ctx, "%s: %s", seen->config, kp_read_strerror(err));
		return 0;
	}
	err = parse(text, &c);
	free(text);
	l = err ? NULL : pick(&c, &how);
	if (err == 0 && !l)
		kp_source_doubt(
			ctx, "%s: no label an unattended boot would take (DEFAULT %s names none)",
			seen->config, c.deflt ? c.deflt : "is missing and");
	else if (err == 0 && (!l->kernel || !l->linux))
		kp_source_doubt(ctx, "%s: the default label %s boots no Linux kernel (%s)",
				seen->config, l->name, l->kernel ? l->kernel : "no LINUX line");
	else if (err == 0)
		err = entry(ctx, seen->config, &c, l, how, e);
	config_free(&c);
	return err;
}

const struct kp_source kp_source_extlinux = {"extlinux", find};
