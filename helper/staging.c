/* One staging at a time (the lock in KP_STATE_DIR), and the service's
 * staging in the background (STAGE_IN_BACKGROUND): kexec-load returns at
 * once, the boot goes on, the staging starts once the runlevel is reached
 * and runs at the lowest priority, and what it said is reported where an OpenRC
 * user looks. The image is only needed at shutdown: kexec-load's
 * stop and exec wait for a staging that is still running. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <rc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "kexec-prep.h"
#include "shconf.h"
#include "sys.h"

int kp_staging_lock(struct kp_ctx *ctx, const char *doing)
{
	long holder;
	int fd = kp_sys_state_lock(&ctx->root, KP_STATE_DIR, KP_LOCK_NAME, false, &holder);

	if (fd == -EWOULDBLOCK) {
		kp_sys_boost(holder); /* a staging in the background: now it counts */
		if (holder > 0)
			einfo("%s waits for the staging in progress (pid %ld) to finish", doing,
			      holder);
		else
			einfo("%s waits for the staging in progress to finish", doing);
		fd = kp_sys_state_lock(&ctx->root, KP_STATE_DIR, KP_LOCK_NAME, true, &holder);
	}
	if (fd >= 0 && kp_sys_state_lock_own(fd) < 0)
		ewarn("%s: cannot write this process's pid into %s", ctx->applet, KP_LOCK);
	return fd;
}

long kp_staging_running(struct kp_ctx *ctx)
{
	return kp_sys_state_lock_holder(&ctx->root, KP_LOCK);
}

/* rc_logger and rc_log_path from the root's /etc/rc.conf, read as sh would:
 * the file OpenRC's own logger appends to, or NULL when it is off. */
static char *rc_log_path(struct kp_ctx *ctx)
{
	struct kp_shconf c = {0};
	struct kp_shconf_error e;
	const char *logger, *path;
	char *text, *ret = NULL;
	size_t len;

	if (kp_read_file(&ctx->root, "/etc/rc.conf", 1 << 20, &text, &len) < 0)
		return NULL;
	if (kp_shconf_parse(text, len, &c, &e) == 0) {
		logger = kp_shconf_get(&c, "rc_logger");
		path = kp_shconf_get(&c, "rc_log_path");
		if (logger && rc_yesno(logger))
			ret = strdup(path && *path == '/' ? path : "/var/log/rc.log");
	}
	kp_shconf_free(&c);
	free(text);
	return ret;
}

static void write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = write(fd, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/* The child's output, once the staging is over: each line to syslog; all
 * of it to rc.log when rc_logger is on; on failure to the console too. */
static void report(struct kp_ctx *ctx, int logfd, int console, bool ok)
{
	char *text = NULL, *line, *save = NULL, *path, head[160];
	size_t len = 0;
	time_t now = time(NULL);
	struct stat st;
	struct tm tm;
	int fd;

	if (lseek(logfd, 0, SEEK_SET) < 0 || kp_read_fd(logfd, 1 << 16, &text, &len) < 0)
		return;
	strftime(head, sizeof(head), "%a %b %e %H:%M:%S %Y", localtime_r(&now, &tm));
	path = rc_log_path(ctx);
	if (path) {
		/* appended to as OpenRC's logger left it: a file, never made here */
		fd = kp_root_openat(&ctx->root, path,
				    O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			dprintf(fd, "\nkexec-prep: staging in the background %s at %s\n",
				ok ? "done" : "FAILED", head);
			write_all(fd, text, len);
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
	if (!ok && console >= 0) {
		dprintf(console, "\n * kexec-prep: the staging in the background failed:\n");
		write_all(console, text, len);
		dprintf(console, " * Not staged: the next reboot goes through the firmware\n");
	}
	openlog("kexec-prep", LOG_PID, LOG_DAEMON);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		syslog(ok ? LOG_INFO : LOG_ERR, "%s", line + strspn(line, " *"));
	closelog();
	free(text);
}

/* The boot first: staging starts once OpenRC has started the runlevel (a
 * minute at most), or at once when someone waits for it (a shutdown, an
 * unload, exec: kp_staging_lock raised its priority). */
static void wait_for_boot(void)
{
	const struct timespec tick = {0, 100 * 1000 * 1000};
	int i;

	for (i = 0; i < 600 && rc_runlevel_starting() && !kp_sys_boosted(); i++)
		nanosleep(&tick, NULL);
}

static void child(struct kp_ctx *ctx, int (*load)(struct kp_ctx *), int lock, int logfd,
		  const char *waiting_log)
{
	int console = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3), null, ret;

	setsid();
	/* the boot first: the lowest priority for CPU and disk, until someone
	 * waits for it (kp_staging_lock raises it again) */
	kp_sys_background_priority();
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN); /* a console that went away is no reason to stop */
	/* the report is ours to make: libeinfo would send errors to syslog too */
	unsetenv("EINFO_LOG");
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0)
		dup2(null, STDIN_FILENO);
	dup2(logfd, STDOUT_FILENO);
	dup2(logfd, STDERR_FILENO);
	if (lock < 0) {
		lock = kp_staging_lock(ctx, "This staging");
		/* the one before is done with its log: this one's takes the name */
		kp_sys_state_rename(&ctx->root, KP_STATE_DIR, waiting_log, KP_LOG_NAME);
	} else if (kp_sys_state_lock_own(lock) < 0) {
		ewarn("%s: cannot write this process's pid into %s", ctx->applet, KP_LOCK);
	}
	wait_for_boot();
	ret = load(ctx);
	fflush(stdout);
	fflush(stderr);
	report(ctx, logfd, console, ret == 0);
	if (ret == 0) {
		/* the log stays: what it said */
		kp_sys_state_remove(&ctx->root, KP_STATE_DIR, KP_FAILED_NAME);
	} else {
		kp_sys_state_rename(&ctx->root, KP_STATE_DIR, KP_LOG_NAME, KP_FAILED_NAME);
	}
	_exit(ret); /* and the lock goes with this process */
}

int kp_staging_background(struct kp_ctx *ctx, int (*load)(struct kp_ctx *))
{
	long holder;
	int lock = kp_sys_state_lock(&ctx->root, KP_STATE_DIR, KP_LOCK_NAME, false, &holder);
	char name[32];
	int logfd;
	pid_t pid;

	if (lock < 0 && lock != -EWOULDBLOCK) {
		eerror("%s: cannot take the staging lock %s: %s", ctx->applet, KP_LOCK,
		       strerror(-lock));
		return 1;
	}
	/* while another staging holds the lock, its log keeps the name */
	snprintf(name, sizeof(name), lock >= 0 ? "%s" : "%s.%ld", KP_LOG_NAME, (long)getpid());
	logfd = kp_sys_state_create(&ctx->root, KP_STATE_DIR, name,
				    "log the staging in the background");
	if (logfd == -EROFS) { /* --dry-run: what it would stage, here and now */
		if (lock >= 0)
			close(lock);
		return -EAGAIN;
	}
	if (logfd < 0) {
		eerror("%s: cannot create %s/%s: %s", ctx->applet, KP_STATE_DIR, name,
		       strerror(-logfd));
		if (lock >= 0)
			close(lock);
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		child(ctx, load, lock, logfd, name);
	close(logfd);
	if (lock >= 0)
		close(lock); /* the child holds it now */
	if (pid < 0) {
		eerror("%s: cannot start the staging in the background (%s): staging now",
		       ctx->applet, strerror(errno));
		return -EAGAIN;
	}
	einfo("Staging the next kernel for kexec in the background (pid %ld): rc-service kexec-load status says when it is done",
	      (long)pid);
	return 0;
}
