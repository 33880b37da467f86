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
	bool path_var;	   /* that path, or an initrd's, holds a $variable */
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

/* Where parse is: the blocks open, the menus they are, the entry read. */
struct pstate {
	enum block stack[GRUB_DEPTH];
	/* the top menu, and one for each submenu open on the stack */
	struct gmenu *menus[GRUB_DEPTH + 1];
	struct gentry *cur;
	size_t depth, nmenus;
};

/* One command (w: its words; inside a block, where an entry's linux and
 * initrd lines are, no ';' among them). */
static int command(struct grub *g, struct pstate *ps, const struct words *w)
{
	const char *cmd = w->v[0].s;
	bool opens = !strcmp(w->v[w->n - 1].s, "{");
	int err = 0;

	if (!strcmp(cmd, "}")) {
		if (!ps->depth)
			return -EINVAL;
		if (ps->stack[--ps->depth] == B_SUBMENU)
			ps->nmenus--;
		if (ps->stack[ps->depth] == B_ENTRY)
			ps->cur = NULL;
	} else if (!strcmp(cmd, "menuentry") || !strcmp(cmd, "submenu")) {
		struct gentry *e;

		/* one that opens no block here is no shape GRUB's generators
		 * write: not read, so not silently skipped either */
		if (!opens)
			return -EBADMSG;
		if (ps->depth >= ARRAY_SIZE(ps->stack) || ps->cur)
			return -EINVAL;
		e = add_entry(ps->menus[ps->nmenus - 1]);
		err = e ? entry_head(w, e) : -ENOMEM;
		if (err)
			return err;
		if (cmd[0] == 's') {
			e->sub = calloc(1, sizeof(*e->sub));
			if (!e->sub)
				return -ENOMEM;
			ps->menus[ps->nmenus++] = e->sub;
			ps->stack[ps->depth++] = B_SUBMENU;
		} else {
			ps->cur = e;
			ps->stack[ps->depth++] = B_ENTRY;
		}
	} else if (opens) {
		if (ps->depth >= ARRAY_SIZE(ps->stack))
			return -EINVAL;
		ps->stack[ps->depth++] = B_OTHER;
	} else if (ps->cur &&
		   (!strcmp(cmd, "linux") || !strcmp(cmd, "linux16") || !strcmp(cmd, "linuxefi")) &&
		   w->n > 1) {
		struct gentry *c = ps->cur;

		free(c->linux);
		words_free(&c->args);
		c->linux = strdup(w->v[1].s);
		c->path_var = w->v[1].var;
		for (size_t i = 2; i < w->n && !err; i++)
			err = push_word(&c->args, w->v[i].s, strlen(w->v[i].s), w->v[i].var);
		if (!c->linux)
			err = -ENOMEM;
	} else if (ps->cur && (!strcmp(cmd, "initrd") || !strcmp(cmd, "initrd16") ||
			       !strcmp(cmd, "initrdefi"))) {
		kp_strv_free(&ps->cur->initrds);
		for (size_t i = 1; i < w->n && !err; i++) {
			ps->cur->path_var |= w->v[i].var;
			err = kp_strv_push(&ps->cur->initrds, w->v[i].s);
		}
	} else if (!ps->cur && ps->depth == 0) {
		/* top level: the default, the corrections, what GRUB reads besides */
		for (size_t i = 0; i < w->n && !err; i++) {
			const char *s = w->v[i].s;

			if ((!strcmp(s, "source") || !strcmp(s, "configfile") || !strcmp(s, ".")) &&
			    i + 1 < w->n)
				err = kp_strv_push(&g->sources, w->v[i + 1].s);
			if (!strcmp(s, "cmostest"))
				g->unsure = true;
			if (!strcmp(s, "x$default") && i + 1 < w->n &&
			    !strcmp(w->v[i + 1].s, "=") && i + 2 < w->n) {
				for (size_t j = i + 3; j < w->n; j++)
					if (!strncmp(w->v[j].s, "default=", 8)) {
						err = kp_strv_push(&g->fix, w->v[i + 2].s);
						if (!err)
							err = kp_strv_push(&g->fix, w->v[j].s + 8);
						i = w->n;
						break;
					}
				continue;
			}
			if (!strncmp(s, "default=", 8) &&
			    (i == 0 || !strcmp(w->v[i - 1].s, "set") ||
			     !strcmp(w->v[i - 1].s, ";"))) {
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
	return err;
}

/* A line's commands as GRUB's parser finds them: a block's head ends at
 * its '{', and a '}' where a command starts closes the block; inside a
 * block ';' separates commands too (menuentry 'x' { linux ...; initrd
 * ...; }), at the top level a line is read whole, as 00_header's
 * corrections span its ';'. */
static int parse(char *text, struct grub *g)
{
	struct pstate ps = {.menus = {&g->top}, .nmenus = 1};
	char *line, *save = NULL;
	int err = 0;

	for (line = strtok_r(text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		struct words w = {0};
		size_t start = 0;

		if (line[strspn(line, " \t")] == '#')
			continue;
		err = split(line, &w);
		while (!err && start < w.n) {
			bool inside = ps.depth > 0;
			size_t end = start;
			struct words one;

			if (inside && !strcmp(w.v[start].s, ";")) {
				start++;
				continue;
			}
			if (!strcmp(w.v[start].s, "}"))
				end = start + 1;
			else
				while (end < w.n && !(inside && !strcmp(w.v[end].s, ";")))
					if (!strcmp(w.v[end++].s, "{"))
						break;
			one = (struct words){w.v + start, end - start, 0};
			err = command(g, &ps, &one);
			start = end;
		}
		words_free(&w);
	}
	if (!err && ps.depth)
		err = -EINVAL;
	return err;
}

/* grubenv, as GRUB's load_env reads it (lib/envblk.c): no block at all
 * unless it starts with the signature; then name=value lines, a backslash
 * taking the next character (a newline too), a line starting with '#'
 * skipped (the padding), a name running to the next '=' whatever lies
 * between, a value to the next newline; where either runs to the end of
 * the file the block is broken and nothing after counts; a name given
 * twice, the last value. */
struct genv {
	const char *buf;
	size_t size;
};

#define GRUB_ENVBLK_SIGNATURE "# GRUB Environment Block\n"

static const char *env_next_line(const char *p, const char *pend)
{
	while (p < pend && *p != '\n')
		p += *p == '\\' ? 2 : 1;
	return p + 1;
}

static char *env_get(const struct genv *env, const char *name)
{
	size_t nl = strlen(name);
	const char *p, *pend;
	char *found = NULL;

	if (!env->buf || env->size < sizeof(GRUB_ENVBLK_SIGNATURE) ||
	    memcmp(env->buf, GRUB_ENVBLK_SIGNATURE, sizeof(GRUB_ENVBLK_SIGNATURE) - 1) != 0)
		return NULL;
	pend = env->buf + env->size;
	for (p = env->buf + sizeof(GRUB_ENVBLK_SIGNATURE) - 1; p < pend;
	     p = env_next_line(p, pend)) {
		const char *name_start = p, *value;
		char *v, *o;

		if (*p == '#')
			continue;
		while (p < pend && *p != '=')
			p++;
		if (p >= pend)
			break;
		value = ++p;
		while (p < pend && *p != '\n')
			p += *p == '\\' ? 2 : 1;
		if (p >= pend)
			break;
		if ((size_t)(value - 1 - name_start) != nl || memcmp(name_start, name, nl) != 0)
			continue;
		v = malloc((size_t)(p - value) + 1);
		if (!v)
			break;
		for (o = v; value < p; value++)
			*o++ = *value == '\\' ? *++value : *value;
		*o = '\0';
		free(found);
		found = v;
	}
	return found;
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
	if (g->path_var) {
		kp_source_doubt(
			ctx,
			"%s: %s names its kernel or an initramfs with a variable GRUB expands when it boots",
			config, why);
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
static char *default_of(struct grub *g, const struct genv *env, const char **how, char **var)
{
	char *next = env_get(env, "next_entry"), *d = NULL;
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
		char *prev = env_get(env, "prev_saved_entry");

		*how = "saved_entry";
		d = prev && *prev ? prev : env_get(env, "saved_entry");
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
	struct genv genv = {NULL, 0};
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
	if (envpath && kp_read_file(&ctx->root, envpath, 1 << 20, &env, &genv.size) < 0)
		env = NULL;
	genv.buf = env;
	free(envpath);
	err = parse(text, &g);
	free(text);
	if (err == -ENOMEM)
		goto out;
	if (err) {
		kp_source_doubt(ctx, "%s: not in the shape grub-mkconfig writes (%s)", seen->config,
				err == -E2BIG ? "a line too long"
				: err == -EBADMSG
					? "a menuentry or submenu whose { is no word of its own"
					: "unbalanced quotes or braces");
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
	deflt = default_of(&g, &genv, &how, &var);
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
