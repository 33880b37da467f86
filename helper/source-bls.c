/* systemd-boot: Boot Loader Specification entries (loader/entries/NAME.conf
 * on the ESP and XBOOTLDR, as kernel-install writes them) and unified
 * kernel images in EFI/Linux, sorted and chosen as systemd-boot does:
 * entries with no tries left last; entries with a sort-key first, by
 * sort-key, machine-id, then version newest first; then by id, newest
 * first. The default: LoaderEntryOneShot, else LoaderEntryDefault, else
 * loader.conf's default glob (@saved: LoaderEntryLastBooted), else the
 * first entry. Versions compare as kexec-prep compares them, which is
 * close to systemd's strverscmp_improved. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "efivar.h"
#include "source.h"
#include "uki.h"
#include "version.h"

/* Where the ESP and XBOOTLDR partitions are mounted. */
static const char *const parts[] = {"/efi", "/boot", "/boot/efi"};

struct bent {
	char *id, *file, *part;
	char *title, *version, *machine_id, *sort_key, *linux, *efi, *arch;
	struct kp_strv initrds, options;
	int tries_left; /* -1: no boot counting */
	int tries_done;
	bool uki;
};

struct bents {
	struct bent *v;
	size_t n, cap;
};

static void bent_free(struct bent *b)
{
	free(b->id);
	free(b->file);
	free(b->part);
	free(b->title);
	free(b->version);
	free(b->machine_id);
	free(b->sort_key);
	free(b->linux);
	free(b->efi);
	free(b->arch);
	kp_strv_free(&b->initrds);
	kp_strv_free(&b->options);
}

static void lower(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The id of a file name: lower case, without the boot counter of
 * "name+LEFT[-DONE].conf". */
static char *entry_id(const char *name, const char *suffix, int *left, int *done)
{
	size_t sl = strlen(suffix), nl = strlen(name) - sl;
	char *id = strdup(name), *plus;

	*left = *done = -1;
	if (!id)
		return NULL;
	id[nl] = '\0';
	plus = strrchr(id, '+');
	if (plus && isdigit((unsigned char)plus[1])) {
		char *end;

		*left = (int)strtol(plus + 1, &end, 10);
		*done = *end == '-' ? (int)strtol(end + 1, &end, 10) : 0;
		if (*end == '\0')
			*plus = '\0';
		else
			*left = *done = -1;
	}
	memcpy(id + strlen(id), suffix, sl + 1);
	lower(id);
	return id;
}

static int set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int parse_type1(char *text, struct bent *b)
{
	char *line, *save = NULL;
	int err = 0;

	for (line = strtok_r(text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save)) {
		char *key = line + strspn(line, " \t"), *v;
		size_t kl = strcspn(key, " \t\r"), l;

		if (*key == '#' || !kl)
			continue;
		v = key + kl + strspn(key + kl, " \t");
		key[kl] = '\0';
		l = strlen(v);
		while (l && strchr(" \t\r", v[l - 1]))
			v[--l] = '\0';
		if (!strcmp(key, "title"))
			err = set(&b->title, v);
		else if (!strcmp(key, "version"))
			err = set(&b->version, v);
		else if (!strcmp(key, "machine-id"))
			err = set(&b->machine_id, v);
		else if (!strcmp(key, "sort-key"))
			err = set(&b->sort_key, v);
		else if (!strcmp(key, "linux"))
			err = set(&b->linux, v);
		else if (!strcmp(key, "efi") || !strcmp(key, "uki"))
			err = set(&b->efi, v);
		else if (!strcmp(key, "architecture"))
			err = set(&b->arch, v);
		else if (!strcmp(key, "initrd"))
			err = kp_strv_push(&b->initrds, v);
		else if (!strcmp(key, "options"))
			err = kp_strv_push(&b->options, v);
	}
	return err;
}

static int add(struct bents *l, struct bent *b)
{
	struct bent *v = kp_grow(l->v, l->n, &l->cap, sizeof(*v));

	if (!v) {
		bent_free(b);
		return -ENOMEM;
	}
	l->v = v;
	l->v[l->n++] = *b;
	return 0;
}

static int type1(struct kp_ctx *ctx, const char *part, const char *name, struct bents *l)
{
	struct bent b = {0};
	char *text;
	int err;

	b.part = strdup(part);
	b.file = kp_strdupf("%s/loader/entries/%s", strcmp(part, "/") ? part : "", name);
	b.id = entry_id(name, ".conf", &b.tries_left, &b.tries_done);
	if (!b.part || !b.file || !b.id) {
		bent_free(&b);
		return -ENOMEM;
	}
	err = kp_read_file(&ctx->root, b.file, 1 << 16, &text, NULL);
	if (err == 0) {
		err = parse_type1(text, &b);
		free(text);
	} else if (err != -ENOMEM) {
		kp_source_doubt(ctx, "%s: %s (systemd-boot skips it too)", b.file,
				kp_read_strerror(err));
		bent_free(&b);
		return 0;
	}
	return err ? (bent_free(&b), err) : add(l, &b);
}

static int type2(struct kp_ctx *ctx, const char *part, const char *name, struct bents *l)
{
	struct bent b = {0};
	struct kp_uki u;
	struct stat st;
	char *osrel = NULL;
	int fd, err = 0;

	b.part = strdup(part);
	b.file = kp_strdupf("%s/EFI/Linux/%s", strcmp(part, "/") ? part : "", name);
	b.id = entry_id(name, ".efi", &b.tries_left, &b.tries_done);
	b.uki = true;
	if (!b.part || !b.file || !b.id) {
		bent_free(&b);
		return -ENOMEM;
	}
	fd = kp_root_openat(&ctx->root, b.file, O_RDONLY | O_NONBLOCK);
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    kp_uki_parse(fd, st.st_size, &u) == 0 && u.has_osrel &&
	    kp_uki_text(fd, &u.osrel, &osrel) == 0) {
		char *id = kp_osrel_get(osrel, "IMAGE_ID"),
		     *ver = kp_osrel_get(osrel, "IMAGE_VERSION");

		b.sort_key = id ? id : kp_osrel_get(osrel, "ID");
		b.version = ver ? ver : kp_osrel_get(osrel, "VERSION_ID");
		b.title = kp_osrel_get(osrel, "PRETTY_NAME");
		err = set(&b.linux, b.file);
	} else {
		/* systemd-boot shows no entry for what is not a unified kernel image */
		bent_free(&b);
		b.id = NULL;
	}
	if (fd >= 0)
		close(fd);
	free(osrel);
	if (!b.id)
		return 0;
	return err ? (bent_free(&b), err) : add(l, &b);
}

static int scan(struct kp_ctx *ctx, const char *part, const char *sub, const char *suffix,
		struct bents *l)
{
	char *dir = kp_strdupf("%s%s", strcmp(part, "/") ? part : "", sub);
	struct dirent *de;
	DIR *d = NULL;
	int fd = dir ? kp_root_openat(&ctx->root, dir, O_RDONLY | O_DIRECTORY) : -ENOMEM, err = 0;

	free(dir);
	if (fd == -ENOMEM)
		return fd;
	if (fd >= 0 && !(d = fdopendir(fd)))
		close(fd);
	while (d && !err && (de = readdir(d))) {
		char low[256];

		snprintf(low, sizeof(low), "%s", de->d_name);
		lower(low);
		if (de->d_name[0] == '.' || !kp_str_ends_with(low, suffix))
			continue;
		err = !strcmp(suffix, ".conf") ? type1(ctx, part, de->d_name, l)
					       : type2(ctx, part, de->d_name, l);
	}
	if (d)
		closedir(d);
	return err;
}

static int vcmp(const char *a, const char *b)
{
	return kp_version_cmp(a ? a : "", b ? b : "");
}

static int compare(const void *pa, const void *pb)
{
	const struct bent *a = pa, *b = pb;
	int r;

	if ((a->tries_left == 0) != (b->tries_left == 0))
		return a->tries_left == 0 ? 1 : -1;
	if (!a->sort_key != !b->sort_key)
		return a->sort_key ? -1 : 1;
	if (a->sort_key && b->sort_key) {
		if ((r = strcmp(a->sort_key, b->sort_key)))
			return r;
		if (a->machine_id != b->machine_id &&
		    (r = !a->machine_id	  ? -1
			 : !b->machine_id ? 1
					  : strcmp(a->machine_id, b->machine_id)))
			return r;
		if ((r = -vcmp(a->version, b->version)))
			return r;
	}
	if ((r = -vcmp(a->id, b->id)))
		return r;
	if (a->tries_left < 0 || b->tries_left < 0)
		return 0;
	if (a->tries_left != b->tries_left)
		return a->tries_left > b->tries_left ? -1 : 1;
	return a->tries_done - b->tries_done;
}

static int by_pattern(const struct bents *l, const char *pattern)
{
	char p[512];
	size_t i;

	if (!pattern)
		return -1;
	snprintf(p, sizeof(p), "%s", pattern);
	lower(p);
	for (i = 0; i < l->n; i++)
		if (fnmatch(p, l->v[i].id, 0) == 0)
			return (int)i;
	return -1;
}

static char *loader_conf_default(struct kp_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		char *path = kp_strdupf("%s/loader/loader.conf", parts[i]), *text, *line,
		     *save = NULL;
		char *found = NULL;

		if (!path || kp_read_file(&ctx->root, path, 1 << 16, &text, NULL) < 0) {
			free(path);
			continue;
		}
		free(path);
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			char *k = line + strspn(line, " \t");

			if (!strncmp(k, "default", 7) && (k[7] == ' ' || k[7] == '\t')) {
				char *v = k + 7 + strspn(k + 7, " \t");

				v[strcspn(v, " \t\r")] = '\0';
				free(found);
				found = strdup(v);
			}
		}
		free(text);
		return found;
	}
	return NULL;
}

/* The default entry, as systemd-boot chooses it, and how. */
static int choose(struct kp_ctx *ctx, const struct bents *l, const char **how)
{
	static const struct {
		const char *var, *how;
	} vars[] = {
		{"LoaderEntryOneShot", "LoaderEntryOneShot, for one boot"},
		{"LoaderEntryDefault", "LoaderEntryDefault, from bootctl set-default"},
	};
	char *v, *conf;
	size_t i;
	int at = -1;

	for (i = 0; i < ARRAY_SIZE(vars) && at < 0; i++)
		if (kp_efivar_string(&ctx->root, vars[i].var, KP_EFI_LOADER, &v) == 0) {
			if (!strcmp(v, "@saved")) {
				free(v);
				v = NULL;
				kp_efivar_string(&ctx->root, "LoaderEntryLastBooted", KP_EFI_LOADER,
						 &v);
			}
			at = by_pattern(l, v);
			*how = vars[i].how;
			free(v);
		}
	conf = at < 0 ? loader_conf_default(ctx) : NULL;
	if (conf && !strcmp(conf, "@saved")) {
		free(conf);
		conf = NULL;
		kp_efivar_string(&ctx->root, "LoaderEntryLastBooted", KP_EFI_LOADER, &conf);
		*how = "loader.conf default @saved: LoaderEntryLastBooted";
	} else if (conf) {
		*how = "loader.conf default";
	}
	if (at < 0)
		at = by_pattern(l, conf);
	free(conf);
	if (at < 0) {
		*how = "the first entry";
		at = 0;
	}
	return at;
}

static const char *efi_arch(const char *machine)
{
	if (!strcmp(machine, "x86_64"))
		return "x64";
	if (!strcmp(machine, "aarch64"))
		return "aa64";
	return machine;
}

static int to_entry(struct kp_ctx *ctx, const struct bent *b, const char *how, struct kp_entry *e)
{
	size_t i;
	int err = 0;

	if (!b->linux) {
		kp_source_doubt(ctx, "%s: the default entry boots no Linux kernel (%s)", b->file,
				b->efi ? b->efi : "no linux line");
		return 0;
	}
	e->uki = b->uki;
	e->kernel = b->uki ? strdup(b->linux) : kp_part_path(b->part, b->linux);
	for (i = 0; e->kernel && i < b->initrds.n && !err; i++) {
		char *p = kp_part_path(b->part, b->initrds.v[i]);

		err = p ? kp_strv_take(&e->initrds, p) : -EXDEV;
	}
	if (!e->kernel || err == -EXDEV) {
		kp_source_doubt(ctx, "%s names a file outside its partition (%s)", b->file,
				b->part);
		return 0;
	}
	e->has_initrds = !b->uki;
	if (!b->uki)
		e->cmdline = kp_strv_join(&b->options, " ");
	e->why = kp_strdupf("systemd-boot default entry %s%s%s%s (%s) in %s", b->id,
			    b->title ? " '" : "", b->title ? b->title : "", b->title ? "'" : "",
			    how, b->file);
	return err ? err : (!b->uki && !e->cmdline) || !e->why ? -ENOMEM : 1;
}

static int find(struct kp_ctx *ctx, const struct kp_loader_seen *seen, struct kp_entry *e)
{
	const struct kp_facts *f = kp_facts(ctx);
	struct bents l = {0};
	dev_t devs[ARRAY_SIZE(parts)];
	ino_t inos[ARRAY_SIZE(parts)];
	size_t i, j, nseen = 0;
	const char *how = NULL;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(parts) && !err; i++) {
		struct stat st;
		int fd = kp_root_openat(&ctx->root, parts[i], O_PATH | O_DIRECTORY);
		bool dup = false;

		if (fd < 0)
			continue;
		if (fstat(fd, &st) < 0)
			dup = true;
		for (j = 0; j < nseen && !dup; j++)
			dup = devs[j] == st.st_dev && inos[j] == st.st_ino;
		close(fd);
		if (dup)
			continue;
		devs[nseen] = st.st_dev;
		inos[nseen++] = st.st_ino;
		err = scan(ctx, parts[i], "/loader/entries", ".conf", &l);
		if (!err)
			err = scan(ctx, parts[i], "/EFI/Linux", ".efi", &l);
	}
	/* systemd-boot ignores entries for another architecture */
	for (i = 0; !err && i < l.n;)
		if (l.v[i].arch && f && strcmp(l.v[i].arch, efi_arch(f->arch)) != 0) {
			bent_free(&l.v[i]);
			memmove(&l.v[i], &l.v[i + 1], (l.n - i - 1) * sizeof(l.v[0]));
			l.n--;
		} else {
			i++;
		}
	if (!err && !l.n)
		kp_source_doubt(ctx, "%s: no entry systemd-boot could boot",
				seen->config ? seen->config : "loader/entries");
	if (!err && l.n) {
		qsort(l.v, l.n, sizeof(l.v[0]), compare);
		size_t at = (size_t)choose(ctx, &l, &how);

		err = to_entry(ctx, &l.v[at], how, e);
	}
	for (i = 0; i < l.n; i++)
		bent_free(&l.v[i]);
	free(l.v);
	return err;
}

const struct kp_source kp_source_bls = {"systemd-boot", find};
