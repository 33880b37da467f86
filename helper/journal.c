/* The record that outlives a boot, under /var/lib/kexec-prep: the jump the
 * shutdown planned, how each boot came about (the last KP_BOOTS_KEPT), and
 * the suspension after jumps that did not come up.
 *
 * The shutdown writes "planned" when kexec-load stops, while the disks are
 * still writable (kexec-exec runs after mount-ro and can write nothing).
 * The next boot's kexec-load finds out whether it came from that jump: on
 * x86 the kexec paths set the boot protocol's loader type to 0xD
 * (/sys/kernel/boot_params/data), elsewhere the staged command line
 * carries KP_JUMP_MARKER, a module parameter the kernel keeps from init. A
 * plan with no jump behind it is a jump that did not come up (a panic, a
 * hang the watchdog or a person ended), unless exec could still write
 * down that it refused. */
#include <einfo.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "cmdline.h"
#include "kexec-prep.h"
#include "sys.h"

#define KP_PLANNED_NAME	  "planned"
#define KP_REFUSED_NAME	  "refused"
#define KP_FAILURES_NAME  "failures"
#define KP_SUSPENDED_NAME "suspended"
#define KP_BOOTS_NAME	  "boots"
#define KP_BOOTS_KEPT	  50
/* In boot_params' setup header: the boot loader's type, high nibble. */
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADER_KEXEC	  0xd

static const char *const var_dir_rule =
	"it must be a directory (no symlink) that root owns and nobody else may write";

static const char *var_path(const char *name)
{
	static char path[sizeof(KP_VAR_DIR) + 16];

	snprintf(path, sizeof(path), "%s/%s", KP_VAR_DIR, name);
	return path;
}

static long field_long(const char *text, char sep, const char *key)
{
	char *v = kp_kv_get(text, sep, key);
	long n = v ? strtol(v, NULL, 10) : 0;

	free(v);
	return n;
}

/* A value fit for a field: no separator, no control character, no white
 * space at its end (/proc/cmdline ends in a newline). */
static void put(FILE *fp, char sep, const char *key, const char *v)
{
	size_t n = v ? strlen(v) : 0, i;

	while (n && ((unsigned char)v[n - 1] <= ' ' || v[n - 1] == 0x7f))
		n--;
	fprintf(fp, "%s=", key);
	for (i = 0; i < n; i++)
		putc((unsigned char)v[i] < 0x20 || v[i] == 0x7f ? ' ' : v[i], fp);
	putc(sep, fp);
}

/* A file of the record, read as it is written: through the directory,
 * which must be root's alone and no symlink (nothing planted there is
 * believed); NULL when it is not there. */
static char *read_var(struct kp_ctx *ctx, const char *name)
{
	static bool said;
	char *text;
	int err = kp_sys_state_read(&ctx->root, KP_VAR_DIR, name, 1 << 20, &text);

	if ((err == -EPERM || err == -ELOOP || err == -ENOTDIR) && !said) {
		said = true;
		ewarn("%s: the record in %s is not believed: %s", ctx->applet, KP_VAR_DIR,
		      var_dir_rule);
	}
	return err < 0 ? NULL : text;
}

static bool var_exists(struct kp_ctx *ctx, const char *name)
{
	char *text = read_var(ctx, name);

	free(text);
	return text != NULL;
}

static char *boot_id(struct kp_ctx *ctx)
{
	char *id;

	return kp_read_line(&ctx->root, "/proc/sys/kernel/random/boot_id", &id) < 0 ? strdup("")
										    : id;
}

static bool is_x86(const char *arch)
{
	size_t n = strlen(arch);

	return !strncmp(arch, "x86", 3) || (n == 4 && arch[0] == 'i' && !strcmp(arch + 2, "86"));
}

bool kp_journal_needs_marker(const struct kp_facts *f)
{
	return !is_x86(f->arch);
}

/* What the boot record needs of the running kernel: read here, not
 * through kp_facts, which reads its configuration and the boot loaders
 * too, in kexec-load's start, while the boot waits. */
struct running {
	char *release, *arch, *cmdline;
	size_t cmdline_len;
};

static void running_free(struct running *r)
{
	free(r->release);
	free(r->arch);
	free(r->cmdline);
}

static int running_read(struct kp_ctx *ctx, struct running *r)
{
	struct utsname u;

	memset(r, 0, sizeof(*r));
	if (kp_read_line(&ctx->root, "/proc/sys/kernel/osrelease", &r->release) < 0)
		r->release = strdup("");
	if (kp_read_line(&ctx->root, "/proc/sys/kernel/arch", &r->arch) < 0)
		r->arch = strdup(uname(&u) == 0 ? u.machine : "");
	if (kp_read_file(&ctx->root, "/proc/cmdline", 1 << 16, &r->cmdline, &r->cmdline_len) < 0) {
		r->cmdline = strdup("");
		r->cmdline_len = 0;
	}
	if (!r->release || !r->arch || !r->cmdline) {
		running_free(r);
		return -ENOMEM;
	}
	return 0;
}

/* Did this boot come from a kexec jump? *how says what told. */
static bool came_by_kexec(struct kp_ctx *ctx, const struct running *f, const char **how)
{
	struct kp_cmdline cl;
	bool marked = false;
	char *bp;
	size_t len;

	if (is_x86(f->arch)) {
		*how = "boot_params";
		if (kp_read_file(&ctx->root, "/sys/kernel/boot_params/data", 1 << 16, &bp, &len) <
		    0)
			return false;
		marked = len > BP_TYPE_OF_LOADER &&
			 (unsigned char)bp[BP_TYPE_OF_LOADER] >> 4 == BP_LOADER_KEXEC;
		free(bp);
		return marked;
	}
	*how = "marker";
	if (kp_cmdline_parse(&cl, f->cmdline, f->cmdline_len) == 0) {
		marked = kp_cmdline_find(&cl, KP_JUMP_MARKER) >= 0;
		kp_cmdline_free(&cl);
	}
	return marked;
}

static void print_time(char *buf, size_t n, long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, n, "an unknown time");
}

/* The watchdog exec arms, when the jump is to be guarded. */
static void plan_watchdog(struct kp_ctx *ctx, FILE *fp, const char *version)
{
	struct kp_watchdog w;
	char *why = NULL;

	if (kp_watchdog_decide(ctx, version ? version : "", &w, &why) == 1) {
		put(fp, '\n', "watchdog", w.dev);
		put(fp, '\n', "watchdog_identity", w.identity);
		put(fp, '\n', "watchdog_module", w.module);
		fprintf(fp, "watchdog_timeout=%u\nwatchdog_daemon=%s\n", w.timeout,
			w.daemon ? "yes" : "no");
		kp_watchdog_free(&w);
	} else if (why && strcmp(ctx->conf.watchdog, "no") != 0 &&
		   !strstr(why, "no hardware watchdog")) {
		ewarn("%s: the jump is not guarded by a watchdog: %s", ctx->applet, why);
	}
	free(why);
}

char *kp_journal_planned(struct kp_ctx *ctx)
{
	return read_var(ctx, KP_PLANNED_NAME);
}

void kp_journal_unplan(struct kp_ctx *ctx)
{
	if (var_exists(ctx, KP_PLANNED_NAME))
		kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_PLANNED_NAME);
}

int kp_journal_plan(struct kp_ctx *ctx, bool poweroff)
{
	/* the runlevel OpenRC goes to, as openrc-run says */
	const char *rl = getenv("RC_RUNLEVEL");
	const struct kp_facts *f = kp_facts(ctx);
	char *staged = NULL, *text = NULL, *id = NULL, *kernel = NULL, *version = NULL,
	     *cmdline = NULL;
	size_t len = 0;
	bool cut_short;
	FILE *fp;
	int err;

	/* a plan of an earlier shutdown that did not end in a reboot (to
	 * single user, say) is no longer this one's */
	kp_journal_unplan(ctx);
	/* only a jump exec will make: it refuses all else before the jump */
	cut_short = kp_root_exists(&ctx->root, KP_MARK);
	if (!f || (poweroff && !ctx->conf.kexec_on_poweroff) ||
	    (rl && strcmp(rl, "shutdown") != 0 && strcmp(rl, "reboot") != 0) ||
	    !kp_root_exists(&ctx->root, "/etc/runlevels/shutdown/kexec-exec") ||
	    (!cut_short && (f->kexec_loaded != 1 || !kp_root_exists(&ctx->root, KP_STATE))))
		return 0;
	/* what exec will find: the configured kernel, staged again if it
	 * changed since (a kernel upgraded before the reboot), or if a staging
	 * was cut short */
	if (kp_confirm_staged(ctx) < 0 ||
	    kp_read_file(&ctx->root, KP_STATE, 1 << 20, &staged, NULL) < 0)
		return 0;
	id = boot_id(ctx);
	kernel = kp_state_value(staged, "kernel");
	version = kp_state_value(staged, "version");
	cmdline = kp_state_value(staged, "cmdline");
	fp = open_memstream(&text, &len);
	err = fp && id ? 0 : -ENOMEM;
	if (!err) {
		fprintf(fp, "time=%ld\n", (long)ctx->started.tv_sec);
		put(fp, '\n', "boot", id);
		put(fp, '\n', "release", f->release);
		put(fp, '\n', "kernel", kernel);
		put(fp, '\n', "version", version);
		put(fp, '\n', "cmdline", cmdline);
		plan_watchdog(ctx, fp, version);
	}
	if (fp && fclose(fp) != 0 && !err)
		err = -ENOMEM;
	if (!err) {
		/* an older refusal is not this jump's */
		kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_REFUSED_NAME);
		err = kp_sys_state_write(&ctx->root, KP_VAR_DIR, KP_PLANNED_NAME, text,
					 "record the planned jump");
	}
	if (err < 0)
		ewarn("%s: cannot record the planned jump in %s (%s; %s): the next boot cannot tell whether it came up, and a jump that does not is not held back",
		      ctx->applet, var_path(KP_PLANNED_NAME), strerror(-err), var_dir_rule);
	free(staged);
	free(text);
	free(id);
	free(kernel);
	free(version);
	free(cmdline);
	return err;
}

void kp_journal_refused(struct kp_ctx *ctx)
{
	char text[64];
	int err;

	if (!var_exists(ctx, KP_PLANNED_NAME))
		return;
	snprintf(text, sizeof(text), "time=%ld\n", (long)ctx->started.tv_sec);
	err = kp_sys_state_write(&ctx->root, KP_VAR_DIR, KP_REFUSED_NAME, text,
				 "record that the planned jump was not made");
	if (err < 0)
		ewarn("%s: cannot record that it did not jump (%s: %s): the next boot counts this as a jump that did not come up%s",
		      ctx->applet, var_path(KP_REFUSED_NAME), strerror(-err),
		      ctx->conf.max_failed_jumps ? " and may suspend kexec until kexec-prep resume"
						 : "");
}

/* The non-empty lines of text, split in place: an array of pointers into
 * it (free the array only), NULL when none or out of memory. */
static char **split_lines(char *text, size_t *n)
{
	char **v = NULL, *line, *save = NULL;
	size_t cap = 0;

	*n = 0;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char **nv = kp_grow(v, *n, &cap, sizeof(*v));

		if (!nv)
			break;
		v = nv;
		v[(*n)++] = line;
	}
	return v;
}

/* The newest boot on record: the last line of the history. */
static char *last_boot(const char *boots)
{
	const char *end = boots + strlen(boots), *start;

	while (end > boots && end[-1] == '\n')
		end--;
	start = end;
	while (start > boots && start[-1] != '\n')
		start--;
	return end > start ? strndup(start, (size_t)(end - start)) : NULL;
}

/* The history with line appended, the oldest dropped beyond KP_BOOTS_KEPT. */
static char *append_boot(const char *boots, const char *line)
{
	const char *p = boots ? boots : "";
	size_t n = 0;
	const char *q;

	for (q = p; *q; q++)
		n += *q == '\n';
	while (n >= KP_BOOTS_KEPT && (q = strchr(p, '\n'))) {
		p = q + 1;
		n--;
	}
	return kp_strdupf("%s%s\n", p, line);
}

char *kp_journal_suspended(struct kp_ctx *ctx)
{
	char *s = read_var(ctx, KP_SUSPENDED_NAME), *kernel, *cmdline, *why;
	char when[64];
	long n;

	if (!s)
		return NULL;
	kernel = kp_kv_get(s, '\n', "kernel");
	cmdline = kp_kv_get(s, '\n', "cmdline");
	print_time(when, sizeof(when), field_long(s, '\n', "since"));
	n = field_long(s, '\n', "failures");
	if (n == 1)
		why = kp_strdupf(
			"kexec is suspended since %s: the planned jump into %s with \"%s\" did not come up",
			when, kernel ? kernel : "?", cmdline ? cmdline : "");
	else
		why = kp_strdupf(
			"kexec is suspended since %s: %ld planned jumps in a row did not come up, the last into %s with \"%s\"",
			when, n, kernel ? kernel : "?", cmdline ? cmdline : "");
	free(kernel);
	free(cmdline);
	free(s);
	return why;
}

const char *kp_journal_resume_hint(void)
{
	return "kexec-prep resume (rc-service kexec-load resume)";
}

/* A failed jump: one more in a row; suspended at MAX_FAILED_JUMPS. */
static long count_failure(struct kp_ctx *ctx, const char *plan)
{
	char *s = read_var(ctx, KP_FAILURES_NAME), text[32], *sus = NULL;
	long n = (s ? strtol(s, NULL, 10) : 0) + 1;
	size_t len = 0;
	FILE *fp;

	free(s);
	snprintf(text, sizeof(text), "%ld\n", n);
	kp_sys_state_write(&ctx->root, KP_VAR_DIR, KP_FAILURES_NAME, text,
			   "count the failed jumps in a row");
	if (!ctx->conf.max_failed_jumps || n < (long)ctx->conf.max_failed_jumps)
		return n;
	fp = open_memstream(&sus, &len);
	if (!fp)
		return n;
	fprintf(fp, "since=%ld\nfailures=%ld\n", (long)ctx->started.tv_sec, n);
	fputs(plan, fp);
	if (fclose(fp) == 0 && kp_sys_state_write(&ctx->root, KP_VAR_DIR, KP_SUSPENDED_NAME, sus,
						  "suspend kexec after the failed jump") < 0)
		eerror("%s: cannot write %s: kexec is not suspended, and the next reboot jumps again",
		       ctx->applet, var_path(KP_SUSPENDED_NAME));
	free(sus);
	return n;
}

/* Do the running kernel and command line match the plan? NULL when they
 * do, else what differs. */
static char *mismatch(const struct running *f, const char *plan)
{
	char *version = kp_kv_get(plan, '\n', "version"),
	     *cmdline = kp_kv_get(plan, '\n', "cmdline");
	char *running = strndup(f->cmdline, f->cmdline_len), *why = NULL;
	size_t n;

	if (!running || !version || !cmdline) {
		why = strdup("the plan or the running command line cannot be read");
		goto out;
	}
	n = strlen(running);
	while (n && (running[n - 1] == '\n' || running[n - 1] == ' '))
		running[--n] = '\0';
	if (version[0] && strcmp(version, f->release) != 0)
		why = kp_strdupf("this boot runs kernel %s, but the jump was planned into %s",
				 f->release, version);
	else if (strcmp(cmdline, running) != 0)
		why = kp_strdupf(
			"this boot's command line is \"%s\", but the jump was planned with \"%s\"",
			running, cmdline);
out:
	free(version);
	free(cmdline);
	free(running);
	return why;
}

int kp_journal_boot(struct kp_ctx *ctx)
{
	struct running run, *f = &run;
	char *boots = NULL, *last = NULL, *id = NULL, *plan = NULL, *line = NULL, *all = NULL;
	char *differs = NULL, *last_id = NULL;
	const char *how = "firmware", *told = "";
	double secs = -1;
	long jumps, failed, n = 0;
	size_t len = 0;
	bool kexec;
	FILE *fp;
	int err = 0;

	if (running_read(ctx, &run) < 0)
		return -ENOMEM;
	id = boot_id(ctx);
	boots = read_var(ctx, KP_BOOTS_NAME);
	last = boots ? last_boot(boots) : NULL;
	last_id = last ? kp_kv_get(last, '\t', "boot") : NULL;
	/* once a boot: kexec-load may start again in it */
	if (!id || !id[0] || (last_id && !strcmp(last_id, id)))
		goto out;
	jumps = last ? field_long(last, '\t', "jumps") : 0;
	failed = last ? field_long(last, '\t', "failed") : 0;
	kexec = came_by_kexec(ctx, f, &told);
	plan = read_var(ctx, KP_PLANNED_NAME);
	if (plan && kexec) {
		how = "jump";
		jumps++;
		secs = (double)ctx->started.tv_sec + ctx->started.tv_nsec / 1e9 -
		       (double)field_long(plan, '\n', "time");
		differs = mismatch(f, plan);
		kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_FAILURES_NAME);
	} else if (plan && var_exists(ctx, KP_REFUSED_NAME)) {
		how = "refused";
	} else if (plan) {
		how = "failed";
		failed++;
		n = count_failure(ctx, plan);
	} else if (kexec) {
		how = "unplanned-jump";
	}
	fp = open_memstream(&line, &len);
	if (!fp) {
		err = -ENOMEM;
		goto out;
	}
	fprintf(fp, "boot=%s\ttime=%ld\thow=%s\t", id, (long)ctx->started.tv_sec, how);
	put(fp, '\t', "release", f->release);
	put(fp, '\t', "cmdline", f->cmdline);
	if (plan) {
		static const char *const keys[] = {"boot", "release", "kernel", "version",
						   "cmdline"};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			char *v = kp_kv_get(plan, '\n', keys[i]), key[32];

			snprintf(key, sizeof(key), "planned_%s", keys[i]);
			put(fp, '\t', key, v);
			free(v);
		}
		fprintf(fp, "planned_time=%ld\t", field_long(plan, '\n', "time"));
	}
	if (secs >= 0)
		fprintf(fp, "reboot_seconds=%.1f\t", secs);
	if (kexec)
		fprintf(fp, "seen_by=%s\t", told);
	if (plan && kexec)
		fprintf(fp, "matches=%s\t", differs ? "no" : "yes");
	if (differs)
		put(fp, '\t', "differs", differs);
	fprintf(fp, "jumps=%ld\tfailed=%ld", jumps, failed);
	if (fclose(fp) != 0) {
		err = -ENOMEM;
		goto out;
	}
	all = append_boot(boots, line);
	err = all ? kp_sys_state_write(&ctx->root, KP_VAR_DIR, KP_BOOTS_NAME, all,
				       "record how this boot came about")
		  : -ENOMEM;
	if (err < 0)
		ewarn("%s: cannot record how this boot came about in %s (%s): %s", ctx->applet,
		      var_path(KP_BOOTS_NAME), strerror(-err), var_dir_rule);
	if (plan) {
		/* a jump the watchdog guards has come up once it is stopped, at
		 * the runlevel: until then the plan stays, and a reset before
		 * it counts as a failed jump at the next boot (watchdog.c) */
		char *wd = strcmp(how, "jump") == 0 ? kp_kv_get(plan, '\n', "watchdog") : NULL;

		if (!wd)
			kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_PLANNED_NAME);
		free(wd);
		kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_REFUSED_NAME);
	}
	if (!strcmp(how, "jump")) {
		char *from = kp_kv_get(plan, '\n', "release");

		einfo("This boot came through a kexec jump from %s, %.1f s after kexec-load stopped for the reboot",
		      from ? from : "?", secs);
		free(from);
		if (differs)
			ewarn("%s: %s", ctx->applet, differs);
		kp_watchdog_after_jump(ctx, plan, id);
	} else if (!strcmp(how, "failed")) {
		char *kernel = kp_kv_get(plan, '\n', "kernel"),
		     *cmdline = kp_kv_get(plan, '\n', "cmdline");

		ewarn("%s: the planned kexec jump into %s with \"%s\" did not come up (%ld in a row): this boot came through the firmware",
		      ctx->applet, kernel ? kernel : "?", cmdline ? cmdline : "", n);
		free(kernel);
		free(cmdline);
	}
	kp_journal_metrics(ctx, false);
out:
	free(boots);
	free(last);
	free(last_id);
	free(id);
	free(plan);
	free(line);
	free(all);
	free(differs);
	running_free(&run);
	return err;
}

int kp_journal_resume(struct kp_ctx *ctx)
{
	bool was = var_exists(ctx, KP_SUSPENDED_NAME);
	int err = kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_SUSPENDED_NAME);

	if (err == 0)
		err = kp_sys_state_remove(&ctx->root, KP_VAR_DIR, KP_FAILURES_NAME);
	if (err < 0) {
		eerror("%s: cannot resume: %s: %s", ctx->applet, KP_VAR_DIR, strerror(-err));
		return err;
	}
	einfo(was ? "Resumed: kexec jumps again, from the next reboot on"
		  : "kexec was not suspended");
	return 0;
}

/* What each way a boot came about is called, in the record and in words. */
static const struct {
	const char *how, *words;
} hows[] = {
	{"jump", "a kexec jump"},
	{"unplanned-jump", "a kexec jump kexec-prep did not plan (an image staged by hand)"},
	{"firmware", "the firmware"},
	{"failed", "the firmware: the planned kexec jump did not come up"},
	{"refused", "the firmware: kexec-exec did not make the planned jump, and said why"},
};

static const char *how_words(const char *how)
{
	size_t i;

	for (i = 0; how && i < ARRAY_SIZE(hows); i++)
		if (!strcmp(how, hows[i].how))
			return hows[i].words;
	return "unknown";
}

/* This boot's record, when kexec-load has made it; and the history. */
static char *this_boot(struct kp_ctx *ctx, char **boots)
{
	char *id = boot_id(ctx), *last, *last_id;

	*boots = read_var(ctx, KP_BOOTS_NAME);
	last = *boots ? last_boot(*boots) : NULL;
	last_id = last ? kp_kv_get(last, '\t', "boot") : NULL;
	if (!id || !last_id || strcmp(id, last_id) != 0) {
		free(last);
		last = NULL;
	}
	free(id);
	free(last_id);
	return last;
}

void kp_journal_print(struct kp_ctx *ctx)
{
	char *boots, *b = this_boot(ctx, &boots), *how, *why;

	if (!b) {
		einfo("This boot: not on record (kexec-load has not started in it)");
	} else {
		how = kp_kv_get(b, '\t', "how");
		if (how && !strcmp(how, "jump")) {
			char *from = kp_kv_get(b, '\t', "planned_release"),
			     *fromid = kp_kv_get(b, '\t', "planned_boot"),
			     *secs = kp_kv_get(b, '\t', "reboot_seconds"),
			     *match = kp_kv_get(b, '\t', "matches");
			char when[64];

			print_time(when, sizeof(when), field_long(b, '\t', "planned_time"));
			einfo("This boot: a kexec jump from kernel %s (boot %s), which went down at %s; %s s from there to this boot's kexec-load",
			      from ? from : "?", fromid ? fromid : "?", when, secs ? secs : "?");
			if (match && !strcmp(match, "yes")) {
				einfo("  it runs the kernel and command line that were staged");
			} else {
				char *differs = kp_kv_get(b, '\t', "differs");

				ewarn("  it does not run what was staged: %s",
				      differs ? differs : "?");
				free(differs);
			}
			{
				char *id = kp_kv_get(b, '\t', "boot");

				kp_watchdog_print(ctx, id);
				free(id);
			}
			free(from);
			free(fromid);
			free(secs);
			free(match);
		} else {
			einfo("This boot: through %s", how_words(how));
		}
		einfo("Jumps on record: %ld came up, %ld did not (the last %d boots are kept in %s)",
		      field_long(b, '\t', "jumps"), field_long(b, '\t', "failed"), KP_BOOTS_KEPT,
		      var_path(KP_BOOTS_NAME));
		free(how);
	}
	why = kp_journal_suspended(ctx);
	if (why)
		ewarn("%s; reboots go through the firmware until %s", why,
		      kp_journal_resume_hint());
	free(why);
	free(b);
	free(boots);
}

/* One boot of the history as a JSON object. */
static void json_boot(FILE *out, const char *line)
{
	static const char *const strs[] = {"boot",
					   "how",
					   "release",
					   "cmdline",
					   "seen_by",
					   "planned_boot",
					   "planned_release",
					   "planned_kernel",
					   "planned_version",
					   "planned_cmdline",
					   "differs"};
	static const char *const nums[] = {"time", "planned_time", "reboot_seconds"};
	char *v;
	size_t i;

	fputs("{", out);
	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		v = kp_kv_get(line, '\t', strs[i]);
		fprintf(out, "%s\"%s\": ", i ? ", " : "", strs[i]);
		if (v)
			kp_json_str(out, v);
		else
			fputs("null", out);
		free(v);
	}
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		v = kp_kv_get(line, '\t', nums[i]);
		/* numbers this program wrote, checked again: JSON must parse */
		fprintf(out, ", \"%s\": %s", nums[i],
			v && v[0] && strspn(v, "0123456789.") == strlen(v) ? v : "null");
		free(v);
	}
	v = kp_kv_get(line, '\t', "matches");
	fprintf(out, ", \"matches_staged\": %s}",
		!v		    ? "null"
		: !strcmp(v, "yes") ? "true"
				    : "false");
	free(v);
}

void kp_journal_print_json(struct kp_ctx *ctx, FILE *out, const char *staged_json)
{
	char *boots, *b = this_boot(ctx, &boots), *s = read_var(ctx, KP_SUSPENDED_NAME), *last;
	size_t i, n;
	/* the history, oldest first: the newest carries the running totals */
	char **lines = split_lines(boots, &n);

	last = n ? lines[n - 1] : NULL;
	fprintf(out, "{\"staged\": %s, \"this_boot\": ", staged_json);
	if (b)
		json_boot(out, b);
	else
		fputs("null", out);
	fputs(", \"watchdog\": ", out);
	{
		char *id = b ? kp_kv_get(b, '\t', "boot") : NULL;

		kp_watchdog_print_json(ctx, id, out);
		free(id);
	}
	fprintf(out, ", \"jumps\": %ld, \"failed_jumps\": %ld, \"suspended\": ",
		last ? field_long(last, '\t', "jumps") : 0,
		last ? field_long(last, '\t', "failed") : 0);
	if (s) {
		char *k = kp_kv_get(s, '\n', "kernel"), *c = kp_kv_get(s, '\n', "cmdline");

		fprintf(out, "{\"since\": %ld, \"failures\": %ld, \"kernel\": ",
			field_long(s, '\n', "since"), field_long(s, '\n', "failures"));
		kp_json_str(out, k);
		fputs(", \"cmdline\": ", out);
		kp_json_str(out, c);
		fputs(", \"resume\": ", out);
		kp_json_str(out, "kexec-prep resume");
		fputs("}", out);
		free(k);
		free(c);
	} else {
		fputs("null", out);
	}
	/* the history, newest first */
	fputs(", \"boots\": [", out);
	for (i = n; i-- > 0;) {
		fputs(i + 1 < n ? ", " : "", out);
		json_boot(out, lines[i]);
	}
	fputs("]}\n", out);
	free(lines);
	free(b);
	free(s);
	free(boots);
}

void kp_journal_metrics(struct kp_ctx *ctx, bool staged)
{
	const char *path = ctx->conf.metrics_file, *name;
	char *boots, *last, *how, *secs, *text = NULL, *dir;
	size_t len = 0;
	FILE *fp;
	int err;

	/* the default: nothing read, nothing written (it runs at every boot
	 * and every staging) */
	if (!path || !path[0])
		return;
	boots = read_var(ctx, KP_BOOTS_NAME);
	last = boots ? last_boot(boots) : NULL;
	how = last ? kp_kv_get(last, '\t', "how") : NULL;
	secs = last ? kp_kv_get(last, '\t', "reboot_seconds") : NULL;
	fp = open_memstream(&text, &len);
	if (!fp) {
		free(secs);
		goto out;
	}
#define METRIC(name, type, help, fmt, ...)                                                         \
	fprintf(fp,                                                                                \
		"# HELP kexec_prep_" name " " help "\n# TYPE kexec_prep_" name " " type            \
		"\nkexec_prep_" name " " fmt "\n",                                                 \
		__VA_ARGS__)
	METRIC("staged", "gauge", "1 when a kernel is staged for the next reboot's kexec jump.",
	       "%d", staged);
	METRIC("last_boot_jump", "gauge", "1 when this boot came through a kexec jump.", "%d",
	       how && strstr(how, "jump") != NULL);
	METRIC("jumps_total", "counter", "Planned kexec jumps that came up.", "%ld",
	       last ? field_long(last, '\t', "jumps") : 0);
	METRIC("failed_jumps_total", "counter", "Planned kexec jumps that did not come up.", "%ld",
	       last ? field_long(last, '\t', "failed") : 0);
	METRIC("suspended", "gauge", "1 when kexec is suspended after jumps that did not come up.",
	       "%d", var_exists(ctx, KP_SUSPENDED_NAME));
	if (secs && secs[0])
		METRIC("reboot_seconds", "gauge",
		       "Seconds from kexec-load's stop at the reboot to its start in this boot, after a jump.",
		       "%s", secs);
#undef METRIC
	free(secs);
	if (fclose(fp) != 0)
		goto out;
	/* an absolute path to a file: the settings checked it */
	name = strrchr(path, '/') + 1;
	dir = name - 1 == path ? strdup("/") : strndup(path, (size_t)(name - 1 - path));
	if (!dir)
		goto out;
	err = kp_sys_state_write(&ctx->root, dir, name, text, "write the metrics");
	if (err < 0)
		ewarn("%s: cannot write METRICS_FILE %s (%s): its directory must exist, root's alone",
		      ctx->applet, path, strerror(-err));
	free(dir);
out:
	free(text);
	free(how);
	free(last);
	free(boots);
}
