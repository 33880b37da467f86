/* GRUB, reading only the shape grub-mkconfig writes (00_header and
 * 10_linux on Alpine, Debian and Devuan, Gentoo, Artix): menuentry and
 * submenu blocks with their linux and initrd lines, "set default=" with
 * the next_entry/saved_entry logic of 00_header over /boot/grub/grubenv,
 * and 10_linux's title corrections. The default is resolved as GRUB's
 * menu code resolves it: a number is an index; else an id or a title;
 * '>' descends into a submenu; nothing found means the first entry.
 * Anything else (a variable GRUB would expand, an entry in a file it
 * sources) cannot be resolved with certainty: that is a doubt, and the
 * next source is tried. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

struct word {
	char *s;
	bool var; /* holds a $variable GRUB would expand */
};

struct words {
	struct word *v;
	size_t n, cap;
};

struct gmenu;

struct gentry {
	char *title, *id;
	struct gmenu *sub; /* a submenu, else NULL */
	char *linux;	   /* the path of its linux line, as written */
	struct words args; /* the rest of that line */
	struct kp_strv initrds;
};

struct gmenu {
	struct gentry *v;
	size_t n, cap;
};

struct grub {
	struct gmenu top;
	char *deflt;		/* the last "set default=" outside ${next_entry} */
	bool next_logic;	/* 00_header's next_entry block is there */
	struct kp_strv fix;	/* title corrections: old, new, old, new... */
	struct kp_strv sources; /* the files it reads besides (source, configfile) */
	bool unsure;		/* cmostest and the like */
};

static void words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i].s);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

static void menu_free(struct gmenu *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		struct gentry *e = &m->v[i];

		free(e->title);
		free(e->id);
		free(e->linux);
		words_free(&e->args);
		kp_strv_free(&e->initrds);
		if (e->sub) {
			menu_free(e->sub);
			free(e->sub);
		}
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static int push_word(struct words *w, const char *s, size_t len, bool var)
{
	struct word *v = kp_grow(w->v, w->n, &w->cap, sizeof(*v));
	char *c = strndup(s, len);

	if (!v || !c) {
		free(c);
		if (v)
			w->v = v;
		return -ENOMEM;
	}
	w->v = v;
	w->v[w->n++] = (struct word){c, var};
	return 0;
}

/* One line into words as GRUB's lexer splits them: blanks separate; '...'
 * is literal; "..." keeps blanks and takes \ before \ " $; a backslash
 * outside quotes takes the next character; ';' and a final '{' are words
 * of their own. */
static int split(const char *p, struct words *w)
{
	char buf[8192];
	size_t n = 0;
	bool in = false, var = false;
	int err = 0;

	for (;; p++) {
		char c = *p;

		if (!c || c == ' ' || c == '\t' || c == ';' || c == '\r') {
			if (in)
				err = push_word(w, buf, n, var);
			if (!err && c == ';')
				err = push_word(w, ";", 1, false);
			in = var = false;
			n = 0;
			if (!c || err)
				return err;
			continue;
		}
		if (n + 2 >= sizeof(buf))
			return -E2BIG;
		in = true;
		if (c == '\'') {
			while (*++p && *p != '\'' && n + 2 < sizeof(buf))
				buf[n++] = *p;
			if (!*p)
				return -EINVAL;
		} else if (c == '"') {
			while (*++p && *p != '"' && n + 2 < sizeof(buf)) {
				if (*p == '\\' && strchr("\\\"$", p[1]) && p[1])
					p++;
				else if (*p == '$')
					var = true;
				buf[n++] = *p;
			}
			if (!*p)
				return -EINVAL;
		} else if (c == '\\' && p[1]) {
			buf[n++] = *++p;
		} else {
			var |= c == '$';
			buf[n++] = c;
		}
	}
}

static struct gentry *add_entry(struct gmenu *m)
{
	struct gentry *v = kp_grow(m->v, m->n, &m->cap, sizeof(*v));

	if (!v)
		return NULL;
	m->v = v;
	memset(&m->v[m->n], 0, sizeof(m->v[0]));
	return &m->v[m->n++];
}

/* menuentry TITLE [--class X]... [$menuentry_id_option | --id] ID { */
static int entry_head(const struct words *w, struct gentry *e)
{
	size_t i;

	for (i = 1; i < w->n && strcmp(w->v[i].s, "{") != 0; i++) {
		const char *s = w->v[i].s;

		if (!strcmp(s, "--id") || !strcmp(s, "$menuentry_id_option")) {
			/* the last one counts, as in GRUB's option parser */
			free(e->id);
			e->id = NULL;
			if (i + 1 < w->n && !(e->id = strdup(w->v[++i].s)))
				return -ENOMEM;
		} else if (!strcmp(s, "--class") || !strcmp(s, "--users") ||
			   !strcmp(s, "--hotkey")) {
			i++;
		} else if (strncmp(s, "--", 2) != 0 && !e->title && !(e->title = strdup(s))) {
			return -ENOMEM;
		}
	}
	return e->title ? 0 : -EINVAL;
}

enum block { B_OTHER, B_ENTRY, B_SUBMENU };
#define GRUB_DEPTH 64 /* blocks open at once; deeper is refused */

static int parse(char *text, struct grub *g)
{
	enum block stack[GRUB_DEPTH];
	/* the top menu, and one for each submenu open on the stack */
	struct gmenu *menus[GRUB_DEPTH + 1];
	struct gentry *cur = NULL;
	size_t depth = 0, nmenus = 1;
	char *line, *save = NULL;
	int err = 0;

	menus[0] = &g->top;
	for (line = strtok_r(text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		struct words w = {0};
		const char *cmd;
		bool opens;

		if (line[strspn(line, " \t")] == '#')
			continue;
		err = split(line, &w);
		if (err || !w.n)
			goto next;
		cmd = w.v[0].s;
		opens = !strcmp(w.v[w.n - 1].s, "{");
		if (!strcmp(cmd, "}")) {
			if (!depth) {
				err = -EINVAL;
				goto next;
			}
			if (stack[--depth] == B_SUBMENU)
				nmenus--;
			if (stack[depth] == B_ENTRY)
				cur = NULL;
		} else if ((!strcmp(cmd, "menuentry") || !strcmp(cmd, "submenu")) && opens) {
			struct gentry *e;

			if (depth >= ARRAY_SIZE(stack) || cur) {
				err = -EINVAL;
				goto next;
			}
			e = add_entry(menus[nmenus - 1]);
			err = e ? entry_head(&w, e) : -ENOMEM;
			if (err)
				goto next;
			if (cmd[0] == 's') {
				e->sub = calloc(1, sizeof(*e->sub));
				if (!e->sub) {
					err = -ENOMEM;
					goto next;
				}
				menus[nmenus++] = e->sub;
				stack[depth++] = B_SUBMENU;
			} else {
				cur = e;
				stack[depth++] = B_ENTRY;
			}
		} else if (opens) {
			if (depth >= ARRAY_SIZE(stack)) {
				err = -EINVAL;
				goto next;
			}
			stack[depth++] = B_OTHER;
		} else if (cur &&
			   (!strcmp(cmd, "linux") || !strcmp(cmd, "linux16") ||
			    !strcmp(cmd, "linuxefi")) &&
			   w.n > 1) {
			free(cur->linux);
			words_free(&cur->args);
			cur->linux = strdup(w.v[1].s);
			for (size_t i = 2; i < w.n && !err && strcmp(w.v[i].s, ";"); i++)
				err = push_word(&cur->args, w.v[i].s, strlen(w.v[i].s), w.v[i].var);
			if (!cur->linux)
				err = -ENOMEM;
		} else if (cur && (!strcmp(cmd, "initrd") || !strcmp(cmd, "initrd16") ||
				   !strcmp(cmd, "initrdefi"))) {
			kp_strv_free(&cur->initrds);
			for (size_t i = 1; i < w.n && !err && strcmp(w.v[i].s, ";"); i++)
				err = kp_strv_push(&cur->initrds, w.v[i].s);
		} else if (!cur && depth == 0) {
			/* top level: the default, the corrections, what GRUB reads besides */
			for (size_t i = 0; i < w.n && !err; i++) {
				const char *s = w.v[i].s;

				if ((!strcmp(s, "source") || !strcmp(s, "configfile") ||
				     !strcmp(s, ".")) &&
				    i + 1 < w.n)
					err = kp_strv_push(&g->sources, w.v[i + 1].s);
				if (!strcmp(s, "cmostest"))
					g->unsure = true;
				if (!strcmp(s, "x$default") && i + 1 < w.n &&
				    !strcmp(w.v[i + 1].s, "=") && i + 2 < w.n) {
					for (size_t j = i + 3; j < w.n; j++)
						if (!strncmp(w.v[j].s, "default=", 8)) {
							err = kp_strv_push(&g->fix, w.v[i + 2].s);
							if (!err)
								err = kp_strv_push(&g->fix,
										   w.v[j].s + 8);
							i = w.n;
							break;
						}
					continue;
				}
				if (!strncmp(s, "default=", 8) &&
				    (i == 0 || !strcmp(w.v[i - 1].s, "set") ||
				     !strcmp(w.v[i - 1].s, ";"))) {
					if (!strcmp(s + 8, "${next_entry}")) {
						g->next_logic = true;
					} else {
						free(g->deflt);
						g->deflt = strdup(s + 8);
						if (!g->deflt)
							err = -ENOMEM;
					}
				}
			}
		}
	next:
		words_free(&w);
	}
	if (!err && depth)
		err = -EINVAL;
	return err;
}

/* The variables of grubenv: name=value lines, a backslash takes the next
 * character (a newline too), '#' pads the 1024-byte block. */
static char *env_get(const char *env, const char *name)
{
	size_t nl = strlen(name);
	const char *p = env;

	while (p && *p) {
		const char *eol = p;

		while (*eol && *eol != '\n') {
			if (*eol == '\\' && eol[1])
				eol++;
			eol++;
		}
		if (!strncmp(p, name, nl) && p[nl] == '=') {
			char *v = malloc((size_t)(eol - p)), *o = v;

			for (p += nl + 1; v && p < eol; p++)
				*o++ = *p == '\\' && p + 1 < eol ? *++p : *p;
			if (v)
				*o = '\0';
			return v;
		}
		p = *eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* GRUB's menuentry_eq: does id match spec up to its first '>' (">>" is
 * a literal '>')? */
static bool matches(const char *id, const char *spec)
{
	if (!id)
		return false;
	for (;; id++, spec++) {
		if (*spec == '>' && spec[1] != '>')
			return *id == '\0';
		if (*spec == '>')
			spec++;
		if (*id != *spec)
			return false;
		if (!*id)
			return true;
	}
}

/* The rest of spec after its first '>' that is not ">>". */
static const char *rest_of(const char *spec)
{
	for (; *spec; spec++) {
		if (*spec == '>' && spec[1] != '>')
			return spec + 1;
		if (*spec == '>')
			spec++;
	}
	return NULL;
}

static struct gentry *resolve(struct gmenu *m, const char *spec, bool *found, char *path,
			      size_t plen)
{
	struct gentry *e;
	char *end;
	unsigned long i = 0;
	const char *rest;

	if (!m->n)
		return NULL;
	if (spec && *spec) {
		i = strtoul(spec, &end, 0);
		if (end == spec) {
			for (i = 0; i < m->n; i++)
				if (matches(m->v[i].id, spec) || matches(m->v[i].title, spec))
					break;
		}
		if (i >= m->n) {
			*found = false;
			i = 0;
		}
	}
	e = &m->v[i];
	snprintf(path + strlen(path), plen - strlen(path), "%s'%s'", path[0] ? " > " : "",
		 e->title);
	if (!e->sub)
		return e;
	rest = spec ? rest_of(spec) : NULL;
	return resolve(e->sub, rest, found, path, plen);
}

/* An argument as GRUB's linux command puts it on the command line: quoted
 * when it holds a blank, with \ before \ ' and ". */
static int put_arg(struct kp_strv *out, const char *a)
{
	bool blank = strpbrk(a, " \t") != NULL;
	char *s = malloc(strlen(a) * 2 + 3), *o = s;

	if (!s)
		return -ENOMEM;
	if (blank)
		*o++ = '"';
	for (; *a; a++) {
		if (*a == '\\' || *a == '\'' || *a == '"')
			*o++ = '\\';
		*o++ = *a;
	}
	if (blank)
		*o++ = '"';
	*o = '\0';
	return kp_strv_take(out, s);
}

static int to_entry(struct kp_ctx *ctx, const char *config, struct gentry *g, const char *why,
		    struct kp_entry *e)
{
	struct kp_strv cl = {0};
	size_t i;
	int err = 0;

	if (!g->linux) {
		kp_source_doubt(ctx, "%s: the default entry %s has no linux line", config, why);
		return 0;
	}
	for (i = 0; i < g->args.n; i++)
		if (g->args.v[i].var) {
			kp_source_doubt(
				ctx,
				"%s: the linux line of %s has %s, which GRUB expands when it boots",
				config, why, g->args.v[i].s);
			return 0;
		}
	e->kernel = kp_loader_path(ctx, config, g->linux, false);
	for (i = 0; e->kernel && i < g->initrds.n && !err; i++) {
		char *p = kp_loader_path(ctx, config, g->initrds.v[i], false);

		err = p ? kp_strv_take(&e->initrds, p) : -EXDEV;
	}
	if (!e->kernel || err == -EXDEV) {
		kp_source_doubt(ctx, "%s: %s names a file outside the partition that holds %s",
				config, why, config);
		return 0;
	}
	e->has_initrds = true;
	/* GRUB's linux command passes BOOT_IMAGE=<its path> first */
	err = err ? err : kp_strv_take(&cl, kp_strdupf("BOOT_IMAGE=%s", g->linux));
	for (i = 0; i < g->args.n && !err; i++)
		err = put_arg(&cl, g->args.v[i].s);
	e->cmdline = err ? NULL : kp_strv_join(&cl, " ");
	kp_strv_free(&cl);
	return e->cmdline ? 1 : -ENOMEM;
}

/* What 00_header makes of "default": next_entry once, else the setting,
 * with ${saved_entry} from grubenv; then 10_linux's corrections. NULL
 * (and *how says why) when it cannot tell. */
static char *default_of(struct grub *g, const char *env, const char **how, char **var)
{
	char *next = env ? env_get(env, "next_entry") : NULL, *d = NULL;
	size_t i;

	*how = "set default";
	if (g->next_logic && next && *next) {
		*how = "next_entry, set for one boot by grub-reboot";
		return next;
	}
	free(next);
	if (!g->deflt) {
		*how = "no default set";
		return strdup("0");
	}
	if (!strcmp(g->deflt, "${saved_entry}") || !strcmp(g->deflt, "$saved_entry")) {
		char *prev = env ? env_get(env, "prev_saved_entry") : NULL;

		*how = "saved_entry";
		d = prev && *prev ? prev : env ? env_get(env, "saved_entry") : NULL;
		if (d != prev)
			free(prev);
		if (!d)
			d = strdup("0");
	} else if (strchr(g->deflt, '$')) {
		*var = g->deflt;
		return NULL;
	} else {
		d = strdup(g->deflt);
	}
	for (i = 0; d && i + 1 < g->fix.n; i += 2)
		if (!strcmp(d, g->fix.v[i])) {
			free(d);
			d = strdup(g->fix.v[i + 1]);
			*how = "set default, as 10_linux corrects an old title";
			break;
		}
	return d;
}

/* Does GRUB read another file that is there (41_custom's custom.cfg, a
 * configfile)? $prefix and ${config_directory} are grub.cfg's directory;
 * any other variable: it may be. */
static bool reads_more(struct kp_ctx *ctx, const char *config, const struct kp_strv *sources)
{
	static const char *const dirs[] = {"${config_directory}", "$config_directory", "${prefix}",
					   "$prefix"};
	size_t i, j, dl = (size_t)(strrchr(config, '/') - config);

	for (i = 0; i < sources->n; i++) {
		const char *s = sources->v[i], *rest = NULL;
		char *path = NULL;
		bool there;

		for (j = 0; j < ARRAY_SIZE(dirs) && !rest; j++)
			if (!strncmp(s, dirs[j], strlen(dirs[j])))
				rest = s + strlen(dirs[j]);
		if (rest && !strchr(rest, '$'))
			path = kp_strdupf("%.*s%s", (int)dl, config, rest);
		else if (!rest && !strchr(s, '$'))
			path = kp_loader_path(ctx, config, s, false);
		there = !path || kp_root_exists(&ctx->root, path);
		free(path);
		if (there)
			return true;
	}
	return false;
}

static int find(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	struct grub g = {0};
	char *text = NULL, *env = NULL, *envpath, *deflt = NULL, *var = NULL, path[1024] = "";
	const char *how;
	struct gentry *ge;
	bool found = true;
	int err;

	if (!seen->config)
		return 0;
	err = kp_read_file(&ctx->root, seen->config, 1 << 20, &text, NULL);
	if (err < 0) {
		kp_source_doubt(ctx, "%s: %s%s", seen->config, kp_read_strerror(err),
				err == -EFBIG ? " (more than grub-mkconfig writes)" : "");
		return 0;
	}
	envpath = kp_strdupf("%.*s/grubenv", (int)(strrchr(seen->config, '/') - seen->config),
			     seen->config);
	if (envpath && kp_read_file(&ctx->root, envpath, 1 << 20, &env, NULL) < 0)
		env = NULL;
	free(envpath);
	err = parse(text, &g);
	free(text);
	if (err == -ENOMEM)
		goto out;
	if (err) {
		kp_source_doubt(ctx, "%s: not in the shape grub-mkconfig writes (%s)", seen->config,
				err == -E2BIG ? "a line too long" : "unbalanced quotes or braces");
		err = 0;
		goto out;
	}
	if (!g.top.n) {
		kp_source_doubt(ctx, "%s: no menuentry in the shape grub-mkconfig writes",
				seen->config);
		goto out;
	}
	if (g.unsure) {
		kp_source_doubt(ctx, "%s: the default depends on the firmware (cmostest)",
				seen->config);
		goto out;
	}
	deflt = default_of(&g, env, &how, &var);
	if (!deflt) {
		kp_source_doubt(
			ctx, "%s: set default=%s depends on a variable GRUB expands when it boots",
			seen->config, var);
		goto out;
	}
	ge = resolve(&g.top, deflt, &found, path, sizeof(path));
	if (!found && reads_more(ctx, seen->config, &g.sources)) {
		kp_source_doubt(
			ctx,
			"%s: the default '%s' is no entry here, and GRUB also reads other files (source, configfile)",
			seen->config, deflt);
		goto out;
	}
	if (!ge) {
		kp_source_doubt(ctx, "%s: the default %s is a submenu with no entry", seen->config,
				path);
		goto out;
	}
	err = to_entry(ctx, seen->config, ge, path, e);
	if (err > 0) {
		e->why = kp_strdupf("GRUB default entry %s (%s: %s%s) in %s", path, how, deflt,
				    found ? "" : ", which names no entry: GRUB boots the first",
				    seen->config);
		if (!e->why)
			err = -ENOMEM;
	}
out:
	free(deflt);
	free(env);
	free(g.deflt);
	kp_strv_free(&g.fix);
	kp_strv_free(&g.sources);
	menu_free(&g.top);
	return err;
}

const struct kp_source kp_source_grub = {"grub", find};
