#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zlib.h>

#include "str.h"

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

int kp_root_open(struct kp_root *r, const char *path)
{
	struct stat st;

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

char *kp_root_host_path(const struct kp_root *r, const char *path)
{
	size_t l = strlen(r->path);

	while (*path == '/')
		path++;
	if (l && r->path[l - 1] == '/')
		return kp_strdupf("%s%s", r->path, path);
	return kp_strdupf("%s/%s", r->path, path);
}

int kp_root_openat(const struct kp_root *r, const char *path, int flags)
{
	int fd;

	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	flags |= O_CLOEXEC;
#ifdef SYS_openat2
	{
		struct open_how how = {
			.flags = (unsigned long long)flags,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		fd = (int)syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS && errno != EPERM)
			return -errno;
	}
#endif
	fd = openat(r->fd, path, flags);
	return fd < 0 ? -errno : fd;
}

int kp_root_exists(const struct kp_root *r, const char *path)
{
	int fd = kp_root_openat(r, path, O_PATH);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int kp_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *p = malloc(cap + 1);

	if (!p)
		return -ENOMEM;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *q;

			if (cap > max) {
				free(p);
				return -EFBIG;
			}
			cap *= 2;
			q = realloc(p, cap + 1);
			if (!q) {
				free(p);
				return -ENOMEM;
			}
			p = q;
		}
		got = read(fd, p + n, cap - n);
		if (got < 0) {
			int err = -errno;

			if (errno == EINTR)
				continue;
			free(p);
			return err;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > max) {
		free(p);
		return -EFBIG;
	}
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return 0;
}

int kp_read_file(const struct kp_root *r, const char *path, size_t max, char **buf, size_t *len)
{
	int err, fd = kp_root_openat(r, path, O_RDONLY);

	if (fd < 0)
		return fd;
	err = kp_read_fd(fd, max, buf, len);
	close(fd);
	return err;
}

int kp_read_gz(const struct kp_root *r, const char *path, size_t max, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *p;
	gzFile gz;
	int fd = kp_root_openat(r, path, O_RDONLY);

	if (fd < 0)
		return fd;
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return -ENOMEM;
	}
	p = malloc(cap + 1);
	if (!p) {
		gzclose(gz);
		return -ENOMEM;
	}
	for (;;) {
		int got;

		if (n == cap) {
			char *q;

			if (cap > max)
				goto too_big;
			cap *= 2;
			q = realloc(p, cap + 1);
			if (!q) {
				free(p);
				gzclose(gz);
				return -ENOMEM;
			}
			p = q;
		}
		got = gzread(gz, p + n, (unsigned)(cap - n > INT_MAX ? INT_MAX : cap - n));
		if (got < 0) {
			free(p);
			gzclose(gz);
			return -EBADMSG;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(gz);
	if (n > max) {
		free(p);
		return -EFBIG;
	}
	p[n] = '\0';
	*buf = p;
	if (len)
		*len = n;
	return 0;
too_big:
	free(p);
	gzclose(gz);
	return -EFBIG;
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
