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

int kp_read_fd(int fd, size_t max, char **buf, size_t *len)
{
	return read_all(read_plain, &fd, max, buf, len);
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
	gzFile gz;
	int err, fd = kp_root_openat(r, path, O_RDONLY);

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
