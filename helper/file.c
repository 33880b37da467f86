/* Files that choose the next boot: held open, and refused unless root owns
 * them and nobody else may write them. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kexec-prep.h"

static int refuse(struct kp_file *f, int fd, int err)
{
	close(fd);
	f->fd = -1;
	return err;
}

int kp_file_open_checked(struct kp_ctx *ctx, const char *path, const char *what, struct kp_file *f)
{
	char why[1024] = "";
	int fd = kp_root_trust(&ctx->root, path, why, sizeof(why));

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (fd == -EPERM && why[0]) {
		eerror("%s: %s %s: %s", ctx->applet, what, path, why);
		return fd;
	}
	if (fd == -EPERM) {
		eerror("%s: %s %s: opening it was refused (%s): kexec-prep opens files only with openat2, which keeps to the root, and never without; run it where openat2 is allowed (not under a seccomp filter or a container that refuses it)",
		       ctx->applet, what, path, strerror(EPERM));
		return fd;
	}
	/* never blocks: a FIFO in its place is refused below, not waited on */
	fd = kp_root_openat(&ctx->root, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		eerror("%s: %s %s: %s", ctx->applet, what, path, strerror(-fd));
		return fd;
	}
	if (fstat(fd, &f->st) < 0) {
		int err = -errno;

		eerror("%s: %s %s: %s", ctx->applet, what, path, strerror(-err));
		return refuse(f, fd, err);
	}
	if (!S_ISREG(f->st.st_mode)) {
		eerror("%s: %s %s is not a regular file", ctx->applet, what, path);
		return refuse(f, fd, -EINVAL);
	}
	if (f->st.st_uid != ctx->root.owner) {
		eerror("%s: %s %s is owned by uid %u, not by root: fix with chown root:root %s",
		       ctx->applet, what, path, (unsigned)f->st.st_uid, path);
		return refuse(f, fd, -EPERM);
	}
	if (f->st.st_mode & 022) {
		/* Whoever can write it chooses the kernel of the next boot. */
		eerror("%s: %s %s is writable by %s: anyone who can write it owns the next boot; fix with chmod go-w %s",
		       ctx->applet, what, path, (f->st.st_mode & 002) ? "everyone" : "its group",
		       path);
		return refuse(f, fd, -EPERM);
	}
	f->path = strdup(path);
	if (!f->path)
		return refuse(f, fd, -ENOMEM);
	f->fd = fd;
	f->off = 0;
	f->size = f->st.st_size;
	return 0;
}

ssize_t kp_file_pread(const struct kp_file *f, void *buf, size_t n, off_t at)
{
	if (at < 0 || at >= f->size)
		return 0;
	if ((off_t)n > f->size - at)
		n = (size_t)(f->size - at);
	return pread(f->fd, buf, n, f->off + at);
}

int kp_file_window(const struct kp_file *f, off_t off, off_t size, const char *path,
		   struct kp_file *out)
{
	*out = *f;
	out->off = off;
	out->size = size;
	out->path = strdup(path);
	out->fd = out->path ? fcntl(f->fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (out->fd < 0) {
		int err = out->path ? -errno : -ENOMEM;

		free(out->path);
		out->path = NULL;
		return err;
	}
	return 0;
}

void kp_file_close(struct kp_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	f->path = NULL;
	f->fd = -1;
}
