#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include "str.h"

/* openat2(2), as linux/openat2.h defines it: not every libc's headers do. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
struct kp_open_how {
	uint64_t flags, mode, resolve;
};
#define KP_RESOLVE_NO_MAGICLINKS 0x02
#define KP_RESOLVE_IN_ROOT	 0x10

int kp_root_open(struct kp_root *r, const char *path)
{
	struct stat st, slash;

	r->path = NULL;
	r->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	r->path = strdup(path);
	if (!r->path || fstat(r->fd, &st) < 0) {
		int err = r->path ? -errno : -ENOMEM;

		kp_root_close(r);
		return err;
	}
	r->owner = st.st_uid;
	r->whole = stat("/", &slash) == 0 && slash.st_dev == st.st_dev && slash.st_ino == st.st_ino;
	return 0;
}

void kp_root_close(struct kp_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	r->path = NULL;
	r->fd = -1;
}

int kp_root_reopen(struct kp_root *r)
{
	int fd = open(r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(r->fd);
	r->fd = fd;
	return 0;
}

char *kp_root_host_path(const struct kp_root *r, const char *path)
{
	size_t l = strlen(r->path);

	while (*path == '/')
		path++;
	if (l && r->path[l - 1] == '/')
		return kp_strdupf("%s%s", r->path, path);
	return kp_strdupf("%s/%s", r->path, path);
}

/* What /proc/self/fd/fd names, malloc'd; NULL with errno. */
static char *fd_path(int fd)
{
	char link[64], buf[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	if ((size_t)n == sizeof(buf) - 1) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	buf[n] = '\0';
	return strdup(buf);
}

char *kp_root_resolve(const struct kp_root *r, const char *path)
{
	int fd = kp_root_openat(r, path, O_PATH);
	char *top, *p;
	size_t l;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	p = fd_path(fd);
	close(fd);
	top = fd_path(r->fd);
	l = top ? strlen(top) : 0;
	/* the kernel's own answer; inside the root, or the open would have
	 * failed: checked all the same, as it goes to another program */
	if (p && top && strcmp(top, "/") != 0 &&
	    (strncmp(p, top, l) != 0 || (p[l] != '/' && p[l] != '\0'))) {
		free(p);
		p = NULL;
		errno = EXDEV;
	}
	free(top);
	return p;
}

int kp_root_openat(const struct kp_root *r, const char *path, int flags)
{
	struct kp_open_how how = {0};
	int fd;

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	flags |= O_CLOEXEC;
	how.flags = (uint64_t)flags;
	how.resolve = KP_RESOLVE_IN_ROOT | KP_RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	/* Only a kernel without openat2 (before 5.6) gets a plain openat, and
	 * only for "/", where no symlink leads out. Refused (a seccomp filter,
	 * EPERM): refuse too, never leave the root. */
	if (errno != ENOSYS || !r->whole)
		return -errno;
	fd = openat(r->fd, path, flags);
	return fd < 0 ? -errno : fd;
}

int kp_root_open_file(const struct kp_root *r, const char *path, struct stat *st)
{
	int fd = kp_root_openat(r, path, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Where dir (an O_PATH descriptor) is, as a path inside the root. */
static void where(const struct kp_root *r, int dir, const char *fallback, char *out, size_t len)
{
	char link[64], real[4096];
	size_t rl = strlen(r->path);
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dir);
	n = readlink(link, real, sizeof(real) - 1);
	while (rl > 1 && r->path[rl - 1] == '/')
		rl--;
	if (n > 0) {
		real[n] = '\0';
		if (r->whole)
			snprintf(out, len, "%s", real);
		else if (!strncmp(real, r->path, rl) && (real[rl] == '/' || !real[rl]))
			snprintf(out, len, "%s", real[rl] ? real + rl : "/");
		else
			snprintf(out, len, "%s", fallback);
	} else {
		snprintf(out, len, "%s", fallback);
	}
}

/* Owned by the root's owner, and nobody else may write it. */
static int trusted(const struct kp_root *r, const struct stat *st, const char *what,
		   const char *name, char *why, size_t len)
{
	if (st->st_uid != r->owner) {
		snprintf(why, len, "%s %s is owned by uid %u, not by root: fix with chown root %s",
			 what, name, (unsigned)st->st_uid, name);
		return -EPERM;
	}
	if (!S_ISLNK(st->st_mode) && (st->st_mode & 022)) {
		snprintf(
			why, len,
			"%s %s is writable by %s: whoever can write it chooses the next kernel; fix with chmod go-w %s",
			what, name, (st->st_mode & 002) ? "everyone" : "its group", name);
		return -EPERM;
	}
	return 0;
}

/* Every directory from dir up to the root (or the top of the filesystem). */
static int walk_up(const struct kp_root *r, int dir, const char *name, char *why, size_t len)
{
	struct stat top, st, above;
	int fd, up, err = 0;

	if (fstat(r->fd, &top) < 0)
		return -errno;
	fd = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (;;) {
		char at[4096];

		if (fstat(fd, &st) < 0) {
			err = -errno;
			break;
		}
		where(r, fd, name, at, sizeof(at));
		err = trusted(r, &st, "the directory", at, why, len);
		if (err || (st.st_dev == top.st_dev && st.st_ino == top.st_ino))
			break;
		up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0) {
			err = -errno;
			break;
		}
		close(fd);
		fd = up;
		if (fstat(fd, &above) == 0 && above.st_dev == st.st_dev &&
		    above.st_ino == st.st_ino)
			break; /* the top: ".." is itself */
	}
	close(fd);
	return err;
}

/* Linux's limit on the symlinks one lookup follows (MAXSYMLINKS). */
#define KP_MAX_LINKS 40

/* Drop the last component of a resolved path ("" is the root). */
static void up_one(char *cur)
{
	char *slash = strrchr(cur, '/');

	*(slash ? slash : cur) = '\0';
}

int kp_root_trust(const struct kp_root *r, const char *path, char *why, size_t len)
{
	/* todo: what is left to resolve; cur: resolved so far, real
	 * directories only ("" is the root) */
	char todo[4096], next[4096], cur[4096] = "", target[4096];
	int links = 0, err = 0, fd;

	if (strlen(path) >= sizeof(todo))
		return -ENAMETOOLONG;
	snprintf(todo, sizeof(todo), "%s", path);
	/* as the kernel resolves it, a component at a time: every symlink met
	 * must be root's, every directory passed through root's and nobody
	 * else's to write, wherever the links lead */
	while (!err) {
		char *c = todo + strspn(todo, "/"), *rest;
		size_t n = strcspn(c, "/");
		struct stat st;
		ssize_t tl;

		if (!n)
			break;
		rest = c + n + strspn(c + n, "/");
		if (n == 1 && c[0] == '.') {
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			up_one(cur); /* at the root, ".." is the root */
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if ((size_t)snprintf(next, sizeof(next), "%s/%.*s", cur, (int)n, c) >= sizeof(next))
			return -ENAMETOOLONG;
		fd = kp_root_openat(r, next, O_PATH | O_NOFOLLOW);
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) < 0) {
			err = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			err = trusted(r, &st, "the symlink", next, why, len);
			tl = err ? 0 : readlinkat(fd, "", target, sizeof(target) - 1);
			if (!err && tl <= 0)
				err = tl < 0 ? -errno : -ENOENT;
			else if (!err && ++links > KP_MAX_LINKS)
				err = -ELOOP;
			else if (!err) {
				target[tl] = '\0';
				if (target[0] == '/')
					cur[0] = '\0';
				if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, rest) >=
				    sizeof(next))
					err = -ENAMETOOLONG;
				else
					memcpy(todo, next, strlen(next) + 1);
			}
		} else {
			/* a directory on the way: the checks below see the one
			 * that holds the file, and those above it */
			if (*rest && S_ISDIR(st.st_mode))
				err = trusted(r, &st, "the directory", next, why, len);
			if (!err) {
				memcpy(cur, next, strlen(next) + 1);
				memmove(todo, rest, strlen(rest) + 1);
			}
		}
		close(fd);
	}
	/* the directory that really holds it, and every one above */
	if (!err) {
		int dir;

		up_one(cur);
		dir = kp_root_openat(r, cur[0] ? cur : ".", O_PATH | O_DIRECTORY);
		if (dir < 0)
			return dir;
		err = walk_up(r, dir, cur[0] ? cur : "/", why, len);
		close(dir);
	}
	return err;
}

int kp_root_is_file(const struct kp_root *r, const char *path)
{
	struct stat st;
	int fd = kp_root_openat(r, path, O_PATH);
	bool reg;

	if (fd < 0)
		return 0;
	reg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return reg;
}

int kp_root_exists(const struct kp_root *r, const char *path)
{
	int fd = kp_root_openat(r, path, O_PATH);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* One chunk from src into p, at most n bytes: bytes read, 0 at the end,
 * or -errno. */
typedef ssize_t reader(void *src, char *p, size_t n);

static ssize_t read_plain(void *src, char *p, size_t n)
{
	ssize_t got;

	do
		got = read(*(int *)src, p, n);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -errno : got;
}

static ssize_t read_gzip(void *src, char *p, size_t n)
{
	int got = gzread(src, p, n > INT_MAX ? INT_MAX : (unsigned)n);

	return got < 0 ? -EBADMSG : got;
}

static int read_all(reader *rd, void *src, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *p = malloc(cap + 1), *q;
	ssize_t got;
	int err;

	if (!p)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			err = -EFBIG;
			if (cap > max)
				goto fail;
			cap *= 2;
			err = -ENOMEM;
			q = realloc(p, cap + 1);
			if (!q)
				goto fail;
			p = q;
		}
		got = rd(src, p + n, cap - n);
		err = (int)got;
		if (got < 0)
			goto fail;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	err = -EFBIG;
	if (n > max)
		goto fail;
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return 0;
fail:
	free(p);
	return err;
}

const char *kp_read_strerror(int err)
{
	if (err == -EINVAL)
		return "not a regular file";
	if (err == -EFBIG)
		return "too large";
	return strerror(-err);
}

int kp_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	return read_all(read_plain, &fd, max, buf, len);
}

int kp_read_file(const struct kp_root *r, const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	int err, fd = kp_root_open_file(r, path, &st);

	if (fd < 0)
		return fd;
	err = kp_read_fd(fd, max, buf, len);
	close(fd);
	return err;
}

int kp_read_gz(const struct kp_root *r, const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	gzFile gz;
	int err, fd = kp_root_open_file(r, path, &st);

	if (fd < 0)
		return fd;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	err = read_all(read_gzip, gz, max, buf, len);
	/* A stream cut short reads as complete: only gzclose says so. */
	if (gzclose(gz) != Z_OK && err == 0) {
		free(*buf);
		*buf = NULL;
		err = -EBADMSG;
	}
	return err;
}

int kp_read_line(const struct kp_root *r, const char *path, char **line)
{
	char *buf, *nl;
	size_t n;
	int err = kp_read_file(r, path, 65536, &buf, NULL);

	if (err < 0)
		return err;
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	*line = buf;
	return 0;
}

int kp_read_long(const struct kp_root *r, const char *path, long *val)
{
	char *line, *end;
	long v;
	int err = kp_read_line(r, path, &line);

	if (err < 0)
		return err;
	errno = 0;
	v = strtol(line, &end, 10);
	if (errno || end == line || *end != '\0') {
		free(line);
		return -EINVAL;
	}
	free(line);
	*val = v;
	return 0;
}
