/* The hardware watchdog armed across the jump (WATCHDOG, WATCHDOG_TIMEOUT).
 *
 * The shutdown's plan (journal.c) decides whether the jump is guarded: a
 * hardware watchdog (softdog stops with the kernel it runs in), one the
 * kernel jumped into can stop (its driver built in, or its module in that
 * kernel's module tree), and one that stops at all (no nowayout) unless a
 * watchdog daemon in a runlevel takes it over. exec arms it just before
 * the jump and leaves it running. In the new boot, once OpenRC has reached
 * the runlevel, kexec-load loads its driver when no device has that
 * identity yet, and stops it with the magic close, unless a daemon holds
 * it. A jump that hangs or never reaches the runlevel is reset by the
 * hardware, and the next boot counts a failed jump (journal.c).
 *
 * What the running kernel does to it at the jump: kernel_kexec() calls the
 * reboot notifiers, and the watchdog core stops every device whose driver
 * asked for that (watchdog_stop_on_reboot(): i6300esb, iTCO_wdt and most
 * others) unless the kernel runs with watchdog.stop_on_reboot=0. */
#include <dirent.h>
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <rc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "sys.h"

#define WD_CLASS     "/sys/class/watchdog"
#define WD_MAX	     32
#define WD_REC_NAME  "watchdog"
#define WD_RUNLEVELS "sysinit", "boot", "default"
/* softdog's identity: it runs in the kernel it guards, and stops with it */
#define WD_SOFTDOG "Software Watchdog"

const char *kp_watchdog_device_name(const char *path)
{
	static char name[16];
	const char *n;

	if (strncmp(path, "/dev/watchdog", 13) != 0)
		return NULL;
	n = path + 13;
	if (!*n)
		return "watchdog0"; /* the first one's other name */
	if (strlen(n) > 3 || strspn(n, "0123456789") != strlen(n))
		return NULL;
	snprintf(name, sizeof(name), "watchdog%s", n);
	return name;
}

static char *attr(struct kp_ctx *ctx, const char *name, const char *what)
{
	char path[96], *v;

	snprintf(path, sizeof(path), WD_CLASS "/%s/%s", name, what);
	return kp_read_line(&ctx->root, path, &v) < 0 ? NULL : v;
}

static long attr_long(struct kp_ctx *ctx, const char *name, const char *what, long none)
{
	char *v = attr(ctx, name, what), *end;
	long n = v ? strtol(v, &end, 10) : none;

	if (v && (end == v || *end))
		n = none;
	free(v);
	return n;
}

/* The module at the end of a "module" link under the root, or NULL. */
static char *module_link(struct kp_ctx *ctx, const char *rel)
{
	char *path = kp_root_host_path(&ctx->root, rel), link[256], *base;
	ssize_t n = path ? readlink(path, link, sizeof(link) - 1) : -1;

	free(path);
	if (n <= 0)
		return NULL;
	link[n] = '\0';
	base = strrchr(link, '/');
	return strdup(base ? base + 1 : link);
}

/* The driver's module, as sysfs names it (built-in drivers of most buses
 * have the link too): through the device, when the driver gave its
 * watchdog one; else the driver named as the watchdog's identity, on any
 * bus (i6300esb gives no parent, and its driver's name is its identity).
 * "" when sysfs does not say. */
static char *driver_module(struct kp_ctx *ctx, const char *name, const char *identity)
{
	char rel[96], *bus, *mod;
	struct dirent *d;
	DIR *dir;

	snprintf(rel, sizeof(rel), WD_CLASS "/%s/device/driver/module", name);
	mod = module_link(ctx, rel);
	if (mod || strchr(identity, '/'))
		return mod ? mod : strdup("");
	bus = kp_root_host_path(&ctx->root, "/sys/bus");
	dir = bus ? opendir(bus) : NULL;
	while (dir && !mod && (d = readdir(dir))) {
		char *link;

		if (d->d_name[0] == '.')
			continue;
		link = kp_strdupf("/sys/bus/%s/drivers/%s/module", d->d_name, identity);
		mod = link ? module_link(ctx, link) : NULL;
		free(link);
	}
	if (dir)
		closedir(dir);
	free(bus);
	return mod ? mod : strdup("");
}

void kp_watchdog_free(struct kp_watchdog *w)
{
	free(w->name);
	free(w->identity);
	free(w->module);
	memset(w, 0, sizeof(*w));
}

static bool is_software(const struct kp_watchdog *w)
{
	return !strcmp(w->identity, WD_SOFTDOG) || !strcmp(w->module, "softdog");
}

static int fill(struct kp_ctx *ctx, const char *name, struct kp_watchdog *w)
{
	static const char *const runlevels[] = {WD_RUNLEVELS};
	long least, most;
	size_t i;

	memset(w, 0, sizeof(*w));
	w->identity = attr(ctx, name, "identity");
	if (!w->identity)
		return -ENOENT;
	w->name = strdup(name);
	w->module = driver_module(ctx, name, w->identity);
	if (!w->name || !w->module) {
		kp_watchdog_free(w);
		return -ENOMEM;
	}
	snprintf(w->dev, sizeof(w->dev), "/dev/%s", name);
	w->nowayout = attr_long(ctx, name, "nowayout", 0) == 1;
	/* the core's parameter (linux >= 5.7), when the kernel has it */
	w->keeps = -2;
	{
		char *v;

		if (kp_read_line(&ctx->root, "/sys/module/watchdog/parameters/stop_on_reboot",
				 &v) == 0) {
			w->keeps = !strcmp(v, "0") ? 0 : !strcmp(v, "1") ? 1 : -1;
			free(v);
		}
	}
	/* busybox's (busybox-openrc) and the watchdog package's service */
	for (i = 0; i < ARRAY_SIZE(runlevels) && !w->daemon; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/etc/runlevels/%s/watchdog", runlevels[i]);
		w->daemon = kp_root_exists(&ctx->root, path);
	}
	w->timeout = ctx->conf.watchdog_timeout;
	least = attr_long(ctx, name, "min_timeout", 0);
	most = attr_long(ctx, name, "max_timeout", 0);
	if (most > 0 && w->timeout > (unsigned long)most)
		w->timeout = (unsigned)most;
	if (least > 0 && w->timeout < (unsigned long)least)
		w->timeout = (unsigned)least;
	return 0;
}

/* The device WATCHDOG names: 1 found (w filled), 0 none (*why), -errno
 * (*why: a setting that names no device). */
static int find(struct kp_ctx *ctx, struct kp_watchdog *w, char **why)
{
	const char *want = ctx->conf.watchdog;
	char name[16];
	int i, err;

	if (!strcmp(want, "no")) {
		*why = strdup("WATCHDOG=no");
		return 0;
	}
	if (strcmp(want, "auto") != 0) {
		err = fill(ctx, kp_watchdog_device_name(want), w);
		if (err == -ENOENT)
			*why = kp_strdupf(
				"WATCHDOG=%s names no watchdog this kernel has (no %s/%s/identity): load its driver, or set WATCHDOG=auto",
				want, WD_CLASS, kp_watchdog_device_name(want));
		if (err < 0)
			return err;
		if (is_software(w)) {
			*why = kp_strdupf(
				"WATCHDOG=%s is softdog, a software watchdog, which stops with the kernel at the jump",
				want);
			kp_watchdog_free(w);
			return 0;
		}
		return 1;
	}
	for (i = 0; i < WD_MAX; i++) {
		snprintf(name, sizeof(name), "watchdog%d", i);
		err = fill(ctx, name, w);
		if (err == -ENOMEM)
			return err;
		if (err == 0 && !is_software(w))
			return 1;
		if (err == 0)
			kp_watchdog_free(w);
	}
	*why = strdup("no hardware watchdog in " WD_CLASS
		      " (softdog does not count: it stops with the kernel at the jump)");
	return 0;
}

/* module, its name as the kernel has it: dashes are underscores */
static bool same_module(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return false;
	for (i = 0; i < n; i++)
		if ((a[i] == '-' ? '_' : a[i]) != (b[i] == '-' ? '_' : b[i]))
			return false;
	return true;
}

/* Does an index of the module tree (modules.builtin: one path a line;
 * modules.dep: "path: deps") name the module? */
static bool index_has(struct kp_ctx *ctx, const char *version, const char *index,
		      const char *module)
{
	char *path = kp_strdupf("/lib/modules/%s/%s", version, index), *text, *line, *save = NULL;
	bool found = false;

	if (!path || kp_read_file(&ctx->root, path, 64 << 20, &text, NULL) < 0) {
		free(path);
		return false;
	}
	for (line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t end = strcspn(line, ":");
		const char *base = line, *p, *ko;

		for (p = line; p < line + end; p++)
			if (*p == '/')
				base = p + 1;
		/* name.ko, name.ko.xz, .gz, .zst */
		ko = strstr(base, ".ko");
		found = ko && ko < line + end && same_module(base, (size_t)(ko - base), module);
	}
	free(text);
	free(path);
	return found;
}

/* Can the kernel of this version stop it after the jump? NULL when it
 * can, else why not. */
static char *why_not_stoppable(struct kp_ctx *ctx, const struct kp_watchdog *w, const char *version)
{
	const struct kp_facts *f = kp_facts(ctx);
	bool same = f && version[0] && !strcmp(version, f->release);

	if (!w->module[0])
		return same ? NULL
			    : kp_strdupf(
				      "sysfs does not name the module of %s's driver (%s), so whether kernel %s has it cannot be told",
				      w->name, w->identity, version[0] ? version : "(no version)");
	if (version[0] && (index_has(ctx, version, "modules.builtin", w->module) ||
			   index_has(ctx, version, "modules.dep", w->module)))
		return NULL;
	return kp_strdupf(
		"kernel %s has no %s (neither built in nor in /lib/modules/%s), the driver of %s (%s): after the jump nothing could stop it",
		version[0] ? version : "(no version)", w->module, version, w->name, w->identity);
}

int kp_watchdog_decide(struct kp_ctx *ctx, const char *version, struct kp_watchdog *w, char **why)
{
	int found = find(ctx, w, why);

	if (found <= 0)
		return found;
	*why = why_not_stoppable(ctx, w, version);
	if (!*why && w->nowayout && !w->daemon)
		*why = kp_strdupf(
			"%s (%s) cannot be stopped once started (nowayout), and no watchdog daemon is in a runlevel to take it over after the jump",
			w->name, w->identity);
	if (*why) {
		kp_watchdog_free(w);
		return 0;
	}
	return 1;
}

/* What check says: what the jump will be guarded by, and what may undo it. */
int kp_watchdog_check(struct kp_ctx *ctx, const char *version, struct kp_report *rep)
{
	struct kp_watchdog w;
	char *why = NULL;
	int err, got = kp_watchdog_decide(ctx, version, &w, &why);

	if (got == -ENOMEM)
		return got;
	if (got < 0)
		err = kp_report_add(rep, "watchdog", KP_FAIL,
				    strdup("correct WATCHDOG in " KP_CONFD), "%s", why);
	else if (got == 0 && !strcmp(ctx->conf.watchdog, "no"))
		err = kp_report_add(rep, "watchdog", KP_OK, NULL,
				    "WATCHDOG=no: no watchdog is armed across the jump");
	else if (got == 0 && strstr(why, "no hardware watchdog"))
		err = kp_report_add(
			rep, "watchdog", KP_OK, NULL,
			"%s: a jump that hangs stays hung until someone resets the machine", why);
	else if (got == 0)
		err = kp_report_add(
			rep, "watchdog", KP_WARN,
			strdup("stage a kernel that has the driver, give it a watchdog daemon, or set WATCHDOG=no to say the jump goes unguarded"),
			"not armed across the jump: %s", why);
	else if (w.keeps != 0)
		err = kp_report_add(
			rep, "watchdog", KP_WARN,
			strdup("add watchdog.stop_on_reboot=0 to the kernel command line the boot loader gives (and so to the staged one)"),
			"%s (%s) is armed for %u s at the jump, but this kernel %s, and most drivers (i6300esb and iTCO_wdt among them) have their watchdog stopped at every reboot, the jump included: then nothing guards the jump",
			w.dev, w.identity, w.timeout,
			w.keeps == 1 ? "runs with watchdog.stop_on_reboot=1"
				     : "leaves stop_on_reboot to each driver");
	else
		err = kp_report_add(
			rep, "watchdog", KP_OK, NULL,
			"%s (%s) is armed for %u s at the jump, and kept running through it (watchdog.stop_on_reboot=0); after it, kexec-load %s once OpenRC has reached the runlevel",
			w.dev, w.identity, w.timeout,
			w.daemon
				? "leaves it to the watchdog daemon (or stops it, when none holds it)"
				: "stops it");
	if (got == 1)
		kp_watchdog_free(&w);
	free(why);
	return err;
}

int kp_watchdog_arm(struct kp_ctx *ctx, const char *plan)
{
	char *dev = plan ? kp_kv_get(plan, '\n', "watchdog") : NULL,
	     *identity = plan ? kp_kv_get(plan, '\n', "watchdog_identity") : NULL,
	     *secs = plan ? kp_kv_get(plan, '\n', "watchdog_timeout") : NULL, *now = NULL;
	const char *name = dev ? kp_watchdog_device_name(dev) : NULL;
	unsigned timeout = secs ? (unsigned)strtoul(secs, NULL, 10) : 0;
	int fd = -1;

	if (!name || !identity)
		goto out;
	now = attr(ctx, name, "identity");
	if (!now || strcmp(now, identity) != 0) {
		ewarn("%s: %s is not the watchdog the shutdown planned to arm (%s) any more: the jump goes on unguarded",
		      ctx->applet, dev, identity);
		goto out;
	}
	fd = kp_sys_watchdog_arm(&ctx->root, dev, &timeout);
	if (fd < 0)
		ewarn("%s: cannot arm %s (%s): %s: the jump goes on unguarded", ctx->applet, dev,
		      identity, strerror(-fd));
	else
		einfo("Watchdog %s (%s) armed for %u s: a jump that does not reach the runlevel is reset",
		      dev, identity, timeout);
out:
	free(dev);
	free(identity);
	free(secs);
	free(now);
	return fd;
}

static bool runlevel_starting(struct kp_ctx *ctx)
{
	return ctx->root.whole ? rc_runlevel_starting()
			       : kp_root_exists(&ctx->root, "/run/openrc/rc.starting");
}

static double uptime(struct kp_ctx *ctx)
{
	char *v;
	double t;

	if (kp_read_line(&ctx->root, "/proc/uptime", &v) < 0)
		return -1;
	t = strtod(v, NULL);
	free(v);
	return t;
}

/* The watchdog of that identity in this boot: its name, or NULL. */
static char *by_identity(struct kp_ctx *ctx, const char *identity)
{
	char name[16], *id;
	int i;

	for (i = 0; i < WD_MAX; i++) {
		snprintf(name, sizeof(name), "watchdog%d", i);
		id = attr(ctx, name, "identity");
		if (id && !strcmp(id, identity)) {
			free(id);
			return strdup(name);
		}
		free(id);
	}
	return NULL;
}

/* What became of the watchdog after the jump, in the record's words. */
static const struct {
	const char *how, *words;
} outcomes[] = {
	{"stopped", "stopped once OpenRC had reached the runlevel"},
	{"daemon", "held by a watchdog daemon: left to it"},
	{"nowayout", "left running (nowayout): a watchdog daemon must keep it"},
	{"missing", "not found in this boot (its driver did not load): it resets the machine"},
	{"failed", "could not be stopped: it resets the machine"},
};

static const char *outcome_words(const char *how)
{
	size_t i;

	for (i = 0; how && i < ARRAY_SIZE(outcomes); i++)
		if (!strcmp(how, outcomes[i].how))
			return outcomes[i].words;
	return "unknown";
}

/* Stop the watchdog the plan armed, say and record what became of it. */
static void stop_now(struct kp_ctx *ctx, const char *plan, const char *boot)
{
	char *identity = kp_kv_get(plan, '\n', "watchdog_identity"),
	     *module = kp_kv_get(plan, '\n', "watchdog_module"),
	     *secs = kp_kv_get(plan, '\n', "watchdog_timeout"), *name, *text, dev[32];
	const char *how;
	double up;
	int err;

	if (!identity)
		goto out;
	name = by_identity(ctx, identity);
	if (!name && module && module[0]) {
		/* no udev, or it has not got to it: the driver as before the jump */
		err = kp_sys_modprobe(module);
		if (err != 0)
			ewarn("%s: modprobe %s: %s", ctx->applet, module,
			      err < 0 ? strerror(-err) : "failed");
		name = by_identity(ctx, identity);
	}
	up = uptime(ctx);
	snprintf(dev, sizeof(dev), "/dev/%s", name ? name : "?");
	if (!name) {
		how = "missing";
		err = -ENOENT;
	} else if ((err = kp_sys_watchdog_stop(&ctx->root, dev, -1)) == -EBUSY) {
		how = "daemon";
	} else if (err < 0) {
		how = "failed";
	} else {
		how = attr_long(ctx, name, "nowayout", 0) == 1 ? "nowayout" : "stopped";
	}
	if (!strcmp(how, "stopped") || !strcmp(how, "daemon"))
		einfo("The watchdog armed across the jump (%s, %s) is %s, %.1f s into this boot",
		      dev, identity, outcome_words(how), up);
	else if (!strcmp(how, "missing"))
		eerror("%s: the watchdog armed across the jump (%s) has no device in this boot (its driver, %s, did not load): it resets the machine within %s s of the jump, and the next boot counts a failed jump",
		       ctx->applet, identity, module && module[0] ? module : "unknown",
		       secs ? secs : "?");
	else if (!strcmp(how, "failed"))
		eerror("%s: cannot stop the watchdog armed across the jump (%s, %s): %s: it resets the machine within %s s of the jump, and the next boot counts a failed jump",
		       ctx->applet, dev, identity, strerror(-err), secs ? secs : "?");
	else
		ewarn("%s: the watchdog armed across the jump (%s, %s) cannot be stopped (nowayout), and no watchdog daemon holds it: it resets the machine within %s s unless one takes it over",
		      ctx->applet, dev, identity, secs ? secs : "?");
	/* it will not reset the machine: the jump has come up */
	if (strcmp(how, "missing") != 0 && strcmp(how, "failed") != 0)
		kp_journal_unplan(ctx);
	text = kp_strdupf("boot=%s\nhow=%s\ndevice=%s\nidentity=%s\nuptime=%.1f\n", boot, how, dev,
			  identity, up);
	if (text)
		kp_sys_state_write(&ctx->root, KP_VAR_DIR, WD_REC_NAME, text,
				   "record what became of the watchdog");
	free(text);
	free(name);
out:
	free(identity);
	free(module);
	free(secs);
}

void kp_watchdog_after_jump(struct kp_ctx *ctx, const char *plan, const char *boot)
{
	char *dev = kp_kv_get(plan, '\n', "watchdog");
	const struct timespec tick = {0, 100 * 1000 * 1000};
	int i, fd;
	pid_t pid;

	free(dev);
	if (!dev)
		return;
	if (!runlevel_starting(ctx)) {
		stop_now(ctx, plan, boot);
		return;
	}
	/* the runlevel is not reached while this service starts: wait for it
	 * in a process of its own, on the console */
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ewarn("%s: cannot wait for the runlevel (%s): the watchdog is stopped now",
		      ctx->applet, strerror(errno));
		stop_now(ctx, plan, boot);
	}
	if (pid != 0)
		return;
	setsid();
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, STDIN_FILENO);
	fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	/* an hour at most: by then the watchdog has long decided */
	for (i = 0; i < 36000 && runlevel_starting(ctx); i++)
		nanosleep(&tick, NULL);
	stop_now(ctx, plan, boot);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

/* This boot's record of the watchdog (owned by the caller), or NULL. */
static char *this_boot(struct kp_ctx *ctx, const char *boot)
{
	char *text = NULL, *id;

	if (!boot || kp_sys_state_read(&ctx->root, KP_VAR_DIR, WD_REC_NAME, 4096, &text) < 0)
		return NULL;
	id = kp_kv_get(text, '\n', "boot");
	if (!id || strcmp(id, boot) != 0) {
		free(text);
		text = NULL;
	}
	free(id);
	return text;
}

void kp_watchdog_print(struct kp_ctx *ctx, const char *boot)
{
	char *r = this_boot(ctx, boot), *how, *dev, *identity, *up;

	if (!r)
		return;
	how = kp_kv_get(r, '\n', "how");
	dev = kp_kv_get(r, '\n', "device");
	identity = kp_kv_get(r, '\n', "identity");
	up = kp_kv_get(r, '\n', "uptime");
	if (how && (!strcmp(how, "stopped") || !strcmp(how, "daemon")))
		einfo("  the watchdog armed across the jump (%s, %s): %s, %s s into this boot",
		      dev ? dev : "?", identity ? identity : "?", outcome_words(how),
		      up ? up : "?");
	else
		ewarn("  the watchdog armed across the jump (%s, %s): %s", dev ? dev : "?",
		      identity ? identity : "?", outcome_words(how));
	free(how);
	free(dev);
	free(identity);
	free(up);
	free(r);
}

void kp_watchdog_print_json(struct kp_ctx *ctx, const char *boot, FILE *out)
{
	static const char *const strs[] = {"how", "device", "identity"};
	char *r = this_boot(ctx, boot), *v;
	size_t i;

	if (!r) {
		fputs("null", out);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		v = kp_kv_get(r, '\n', strs[i]);
		fprintf(out, "%s\"%s\": ", i ? ", " : "{", strs[i]);
		kp_json_str(out, v ? v : "");
		free(v);
	}
	v = kp_kv_get(r, '\n', "uptime");
	fprintf(out, ", \"uptime\": %s}",
		v && v[0] && strspn(v, "0123456789.") == strlen(v) ? v : "null");
	free(v);
	free(r);
}
