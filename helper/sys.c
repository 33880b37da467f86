/* The seam (see sys.h): the only file that knows about --dry-run. */
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/reboot.h>
#include <linux/watchdog.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "str.h"

#ifndef KEXEC_FILE_UNLOAD
#define KEXEC_FILE_UNLOAD	0x00000001
#define KEXEC_FILE_NO_INITRAMFS 0x00000004
#endif

static bool dry_run;
/* how long a command may run: long enough to stage a large initramfs on a
 * slow disk, short enough that nothing hangs for good */
static unsigned child_limit = 300;
static char deadline_msg[512], term_msg[512], int_msg[512];
/* the watchdog armed for the jump, which giving up stops */
static volatile sig_atomic_t armed_watchdog = -1;

void kp_sys_set_dry_run(bool on)
{
	dry_run = on;
}

static void on_deadline(int sig)
{
	const char *msg = sig == SIGTERM ? term_msg : sig == SIGINT ? int_msg : deadline_msg;
	ssize_t n;

	if (armed_watchdog >= 0) {
		n = write(armed_watchdog, "V", 1);
		close(armed_watchdog);
	}
	n = write(STDERR_FILENO, msg, strlen(msg));
	(void)n;
	_exit(1);
}

void kp_sys_deadline(unsigned seconds, const char *msg, const char *applet, const char *stopped)
{
	struct sigaction sa = {.sa_handler = on_deadline};

	snprintf(deadline_msg, sizeof(deadline_msg), "%s\n", msg);
	snprintf(term_msg, sizeof(term_msg), " * %s: stopped by SIGTERM%s\n", applet, stopped);
	snprintf(int_msg, sizeof(int_msg), " * %s: stopped by SIGINT%s\n", applet, stopped);
	/* one handler at a time: no message cut into another */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGALRM);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	alarm(seconds);
	child_limit = seconds;
}

const char *kp_sys_said(const char *done, const char *would)
{
	return dry_run ? would : done;
}

int kp_sys_file_load(const struct kp_sys_fd *kernel, const struct kp_sys_fd *initrd,
		     const char *cmdline)
{
	unsigned long flags = initrd ? 0 : KEXEC_FILE_NO_INITRAMFS;
	size_t len = strlen(cmdline) + 1; /* the kernel counts the NUL */

	if (dry_run) {
		printf("dry-run: kexec_file_load(kernel_fd=<%s>, initrd_fd=", kernel->name);
		if (initrd)
			printf("<%s>", initrd->name);
		else
			fputs("-1", stdout);
		printf(", cmdline_len=%zu, cmdline=\"%s\", flags=%s)\n", len, cmdline,
		       flags ? "KEXEC_FILE_NO_INITRAMFS" : "0");
		return 0;
	}
	if (syscall(SYS_kexec_file_load, kernel->fd, initrd ? initrd->fd : -1, len, cmdline,
		    flags) < 0)
		return -errno;
	return 0;
}

int kp_sys_file_unload(void)
{
	if (dry_run) {
		puts("dry-run: kexec_file_load(-1, -1, 0, NULL, KEXEC_FILE_UNLOAD)");
		return 0;
	}
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, (unsigned long)KEXEC_FILE_UNLOAD) < 0)
		return -errno;
	return 0;
}

/* Wait for the child, at most child_limit seconds: then it is killed and
 * this is -ETIMEDOUT. */
static int wait_for(pid_t pid, int *status)
{
	const struct timespec tick = {0, 20 * 1000 * 1000};
	unsigned long waited = 0;
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		if (waited >= child_limit * 50UL) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
		waited++;
	}
	return r < 0 ? -errno : 0;
}

/* Run argv (no shell) with the descriptors in keep inherited, in an
 * environment of its own: nothing kexec-prep was started with (LD_*,
 * PATH, TMPDIR, locale, LIBMOUNT_*) reaches kexec(8) or mount(8), which
 * are given every path they need. -errno, or the exit status (positive). */
static int spawn(char *const argv[], const int *keep, size_t nkeep)
{
	static char *const clean_env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
	int status, err = 0;
	size_t i;
	pid_t pid;

	for (i = 0; i < nkeep && !err; i++)
		if (fcntl(keep[i], F_SETFD, 0) < 0)
			err = -errno;
	if (!err)
		err = -posix_spawn(&pid, argv[0], NULL, NULL, argv, clean_env);
	for (i = 0; i < nkeep; i++)
		fcntl(keep[i], F_SETFD, FD_CLOEXEC);
	if (err)
		return err;
	err = wait_for(pid, &status);
	if (err)
		return err;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return KP_SYS_KILLED + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* spawn, or under --dry-run print shown instead. */
static int run(char *const argv[], char *const shown[], const int *keep, size_t nkeep)
{
	size_t i;

	if (!dry_run)
		return spawn(argv, keep, nkeep);
	/* as sh would read it back: a single quote as '\'' */
	fputs("dry-run: run", stdout);
	for (i = 0; shown[i]; i++) {
		const char *c;

		fputs(" '", stdout);
		for (c = shown[i]; *c; c++)
			fputs(*c == '\'' ? "'\\''" : (char[2]){*c, '\0'}, stdout);
		putchar('\'');
	}
	putchar('\n');
	return 0;
}

int kp_sys_tools_load(const char *kexec, const struct kp_sys_fd *kernel,
		      const struct kp_sys_fd *initrd, const char *cmdline)
{
	char *cmd = kp_strdupf("--command-line=%s", cmdline);
	char *kfd = kp_strdupf("/proc/self/fd/%d", kernel->fd);
	char *kname = kp_strdupf("/proc/self/fd/<%s>", kernel->name);
	char *ifd = initrd ? kp_strdupf("--initrd=/proc/self/fd/%d", initrd->fd) : NULL;
	char *iname = initrd ? kp_strdupf("--initrd=/proc/self/fd/<%s>", initrd->name) : NULL;
	/* -c: kexec_load(2), the path for kernels without the file call */
	char *argv[7] = {(char *)kexec, "-l", "-c", cmd},
	     *shown[7] = {(char *)kexec, "-l", "-c", cmd};
	int keep[2] = {kernel->fd, initrd ? initrd->fd : -1}, err = -ENOMEM;
	size_t n = 4;

	if (!cmd || !kfd || !kname || (initrd && (!ifd || !iname)))
		goto out;
	if (initrd) {
		argv[n] = ifd;
		shown[n++] = iname;
	}
	argv[n] = kfd;
	shown[n++] = kname;
	err = run(argv, shown, keep, initrd ? 2 : 1);
out:
	free(cmd);
	free(kfd);
	free(kname);
	free(ifd);
	free(iname);
	return err;
}

int kp_sys_tools_unload(const char *kexec)
{
	char *argv[] = {(char *)kexec, "-u", NULL};

	return run(argv, argv, NULL, 0);
}

int kp_sys_memfd_join(const struct kp_sys_fd *parts, size_t n, const char *name,
		      struct kp_sys_fd *out)
{
	int mfd = memfd_create("kexec-prep", MFD_CLOEXEC);
	size_t i;

	if (mfd < 0)
		return -errno;
	for (i = 0; i < n && !dry_run; i++) {
		off_t off = parts[i].off, end = parts[i].off + parts[i].len;
		ssize_t got = 1;

		while (off < end && got > 0)
			got = sendfile(mfd, parts[i].fd, &off,
				       (size_t)(end - off < 1 << 30 ? end - off : 1 << 30));
		if (off < end) {
			int err = got < 0 ? -errno : -EIO;

			close(mfd);
			return err;
		}
	}
	*out = (struct kp_sys_fd){mfd, name, 0, 0};
	return 0;
}

int kp_sys_private_mount_ro(const char *source, const char *type, const char *fstab_opts,
			    const char *target)
{
	static bool private;
	bool bind = strstr(fstab_opts, "bind") != NULL;
	char *argv[] = {"/bin/mount", "-o",	      bind ? "bind,ro" : "ro", "-t", (char *)type,
			"--",	      (char *)source, (char *)target,	       NULL};

	if (!private) {
		if (unshare(CLONE_NEWNS) < 0)
			return -errno;
		/* nothing mounted here propagates back to the host */
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return -errno;
		private = true;
	}
	return spawn(argv, NULL, 0);
}

/* The state directory itself, not a symlink; root's, and nobody else's to
 * write. */
static int state_dir_open(const struct kp_root *r, const char *dir)
{
	struct stat st;
	int dfd = kp_root_openat(r, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);

	if (dfd < 0)
		return dfd;
	if (fstat(dfd, &st) < 0 || st.st_uid != r->owner || (st.st_mode & 022)) {
		close(dfd);
		return -EPERM;
	}
	return dfd;
}

int kp_sys_state_read(const struct kp_root *r, const char *dir, const char *name, size_t max,
		      char **text)
{
	int dfd = state_dir_open(r, dir), fd, err;

	if (dfd < 0)
		return dfd;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	err = fd < 0 ? -errno : kp_read_fd(fd, max, text, NULL);
	if (fd >= 0)
		close(fd);
	close(dfd);
	return err;
}

/* The same, made when missing, but not under --dry-run. */
static int state_dir(const struct kp_root *r, const char *dir)
{
	if (!dry_run)
		mkdirat(r->fd, dir + (*dir == '/'), 0755);
	return state_dir_open(r, dir);
}

/* A fresh file in it: never through whatever someone left at its name. */
static int fresh_file(int dfd, const char *name)
{
	int fd;

	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	fd = openat(dfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	return fd < 0 ? -errno : fd;
}

int kp_sys_state_write(const struct kp_root *r, const char *dir, const char *name, const char *text,
		       const char *what)
{
	size_t len = strlen(text);
	char *tmp = kp_strdupf("%s.tmp", name);
	int dfd = -1, fd, err = 0;
	ssize_t written;

	if (dry_run) {
		printf("dry-run: %s in %s/%s\n", what, dir, name);
		goto out;
	}
	if (!tmp) {
		err = -ENOMEM;
		goto out;
	}
	dfd = state_dir(r, dir);
	if (dfd < 0) {
		err = dfd;
		goto out;
	}
	fd = fresh_file(dfd, tmp);
	if (fd < 0) {
		err = fd;
		goto out;
	}
	written = write(fd, text, len);
	if (written != (ssize_t)len)
		err = written < 0 ? -errno : -EIO;
	else if (fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && renameat(dfd, tmp, dfd, name) < 0)
		err = -errno;
	if (err)
		unlinkat(dfd, tmp, 0);
	if (!err && fsync(dfd) < 0)
		err = -errno;
out:
	if (dfd >= 0)
		close(dfd);
	free(tmp);
	return err;
}

int kp_sys_state_create(const struct kp_root *r, const char *dir, const char *name,
			const char *what)
{
	int dfd, fd;

	if (dry_run) {
		printf("dry-run: %s in %s/%s\n", what, dir, name);
		return -EROFS;
	}
	dfd = state_dir(r, dir);
	if (dfd < 0)
		return dfd;
	fd = fresh_file(dfd, name);
	close(dfd);
	return fd;
}

static pid_t staging_parent(pid_t pid);

/* The pid the lock's holder wrote, when it is a kexec-prep still: the one
 * before may have left its own, now another process's (-1: unknown). */
static long lock_holder(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	buf[n > 0 ? n : 0] = '\0';
	pid = n > 0 ? atol(buf) : 0;
	return pid > 0 && staging_parent((pid_t)pid) ? pid : -1;
}

int kp_sys_state_lock(const struct kp_root *r, const char *dir, const char *name, bool wait,
		      long *holder)
{
	int dfd, fd, err;
	struct stat st;

	*holder = 0;
	dfd = state_dir(r, dir);
	/* under --dry-run, no directory or no file: nobody holds the lock */
	if (dfd == -ENOENT && dry_run)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return dfd;
	/* root's alone: anyone who could open it could hold it, and stall every
	 * staging and jump behind a lock of their own */
	fd = openat(dfd, name,
		    (dry_run ? O_RDONLY : O_RDWR | O_CREAT) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		    0600);
	err = -errno;
	close(dfd);
	if (fd < 0 && err == -ENOENT && dry_run)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err;
	/* a plain file of root's, as the directory is */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != r->owner ||
	    ((st.st_mode & 077) && !dry_run && fchmod(fd, 0600) < 0)) {
		close(fd);
		return -EPERM;
	}
	/* waiting is bounded by the caller's deadline, when it has one */
	if (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) < 0) {
		err = -errno;
		if (err == -EWOULDBLOCK)
			*holder = lock_holder(fd);
		close(fd);
		return err;
	}
	return fd;
}

long kp_sys_state_lock_holder(const struct kp_root *r, const char *path)
{
	int fd = kp_root_openat(r, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	long holder = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		holder = errno == EWOULDBLOCK ? lock_holder(fd) : 0;
	close(fd); /* and with it the shared lock, if taken */
	return holder;
}

/* ioprio_set(2) has no wrapper in either libc */
#define KP_IOPRIO_WHO_PROCESS 1
#define KP_IOPRIO_CLASS_SHIFT 13
#define KP_IOPRIO_CLASS_BE    2
#define KP_NICE_LOW	      19

/* Low: nice 19 and the lowest best-effort I/O level, which never starve
 * (the idle classes would, behind one busy service); else the defaults. */
static void set_priority(pid_t pid, bool low)
{
	setpriority(PRIO_PROCESS, (id_t)pid, low ? KP_NICE_LOW : 0);
	syscall(SYS_ioprio_set, KP_IOPRIO_WHO_PROCESS, (int)pid,
		KP_IOPRIO_CLASS_BE << KP_IOPRIO_CLASS_SHIFT | (low ? 7 : 4));
}

void kp_sys_background_priority(void)
{
	if (!dry_run)
		set_priority(0, true);
}

bool kp_sys_boosted(void)
{
	int prio;

	errno = 0;
	prio = getpriority(PRIO_PROCESS, 0);
	return errno == 0 && prio < KP_NICE_LOW;
}

/* Is pid kexec-prep or kexec(8), and whose child? 0 when it is neither. */
static pid_t staging_parent(pid_t pid)
{
	char path[48], buf[512], *p;
	long ppid;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* pid (comm) state ppid ...; comm may hold anything but ends at the last ')' */
	p = strrchr(buf, ')');
	if (!p || (!strstr(buf, "(kexec-prep)") && !strstr(buf, "(kexec)")) ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

void kp_sys_boost(long holder)
{
	DIR *d;
	struct dirent *e;

	if (dry_run || holder <= 0 || !staging_parent((pid_t)holder))
		return;
	set_priority((pid_t)holder, false);
	/* and the kexec(8) it runs, which does the reading on that path */
	d = opendir("/proc");
	if (!d)
		return;
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atol(e->d_name);

		if (pid > 0 && staging_parent(pid) == (pid_t)holder)
			set_priority(pid, false);
	}
	closedir(d);
}

int kp_sys_state_lock_own(int fd)
{
	char buf[24];
	int n;

	if (dry_run)
		return 0;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		return -errno;
	return 0;
}

int kp_sys_state_rename(const struct kp_root *r, const char *dir, const char *from, const char *to)
{
	int dfd, err = 0;

	if (dry_run)
		return 0;
	dfd = state_dir(r, dir);
	if (dfd < 0)
		return dfd;
	if (renameat(dfd, from, dfd, to) < 0)
		err = -errno;
	close(dfd);
	return err;
}

int kp_sys_state_remove(const struct kp_root *r, const char *dir, const char *name)
{
	int dfd, err = 0;

	if (dry_run) {
		printf("dry-run: remove %s/%s\n", dir, name);
		return 0;
	}
	dfd = state_dir_open(r, dir);
	if (dfd == -ENOENT)
		return 0; /* no directory, nothing in it */
	if (dfd < 0)
		return dfd;
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		err = -errno;
	close(dfd);
	return err;
}

/* ioctl(2) through syscall(2): glibc declares the request unsigned long,
 * musl int, and the watchdog's requests do not fit an int */
static long wd_ioctl(int fd, unsigned long request, void *arg)
{
	return syscall(SYS_ioctl, fd, request, arg);
}

int kp_sys_watchdog_arm(const struct kp_root *r, const char *dev, unsigned *timeout)
{
	int fd, t = (int)*timeout, err;

	if (dry_run) {
		printf("dry-run: arm %s: WDIOC_SETTIMEOUT %u, WDIOC_KEEPALIVE, held open into the jump\n",
		       dev, *timeout);
		return INT_MAX;
	}
	fd = kp_root_openat(r, dev, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fd;
	/* opening it started it; a device whose timeout is fixed keeps its own */
	if (wd_ioctl(fd, WDIOC_SETTIMEOUT, &t) == 0 && t > 0)
		*timeout = (unsigned)t;
	else if (wd_ioctl(fd, WDIOC_GETTIMEOUT, &t) == 0 && t > 0)
		*timeout = (unsigned)t;
	if (wd_ioctl(fd, WDIOC_KEEPALIVE, NULL) < 0 && write(fd, "\0", 1) < 0) {
		err = -errno;
		kp_sys_watchdog_stop(r, dev, fd);
		return err;
	}
	armed_watchdog = fd;
	return fd;
}

int kp_sys_watchdog_stop(const struct kp_root *r, const char *dev, int fd)
{
	int err = 0;

	if (dry_run) {
		printf("dry-run: stop %s: write 'V', close\n", dev);
		return 0;
	}
	if (fd < 0)
		fd = kp_root_openat(r, dev, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fd;
	if (fd == armed_watchdog)
		armed_watchdog = -1;
	if (write(fd, "V", 1) != 1)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

int kp_sys_modprobe(const char *module)
{
	char *argv[] = {"/sbin/modprobe", "-q", "--", (char *)module, NULL};

	return run(argv, argv, NULL, 0);
}

int kp_sys_kexec_reboot(void)
{
	if (dry_run) {
		puts("dry-run: sync(); reboot(LINUX_REBOOT_CMD_KEXEC)");
		return 0;
	}
	sync();
	alarm(0); /* from here on, the jump or its failure */
	reboot(LINUX_REBOOT_CMD_KEXEC);
	return -errno;
}
