/* Every file kexec-prep reads is reached under one root directory. */
#ifndef KP_ROOT_H
#define KP_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct kp_root {
	int fd;	     /* O_DIRECTORY of --root, owned by the struct */
	uid_t owner; /* owner of the root directory: "root" for this tree */
	char *path;  /* as given, for the paths handed to other programs */
	bool whole;  /* it is this machine's "/" */
};

int kp_root_open(struct kp_root *r, const char *path);
void kp_root_close(struct kp_root *r);
/* Open the same path again: after a change of mount namespace, lookups
 * from the old descriptor still walk the old mounts. */
int kp_root_reopen(struct kp_root *r);
/* path inside the root as this process's file system sees it. */
char *kp_root_host_path(const struct kp_root *r, const char *path);
/* The same, for a path that exists, with its symlinks and ".." resolved
 * inside the root as kp_root_openat resolves them: a path to hand another
 * program (mount(8)) that cannot lead out of the root. NULL with errno. */
char *kp_root_resolve(const struct kp_root *r, const char *path);

/* Open path (absolute or relative, always taken inside the root). Returns an
 * fd or -errno. Symlinks resolve inside the root (openat2 RESOLVE_IN_ROOT);
 * where that is refused, so is the open. */
int kp_root_openat(const struct kp_root *r, const char *path, int flags);
int kp_root_exists(const struct kp_root *r, const char *path);
/* A regular file, opened for reading without ever blocking (a FIFO in its
 * place is -EINVAL, not a hang); st filled in. */
int kp_root_open_file(const struct kp_root *r, const char *path, struct stat *st);
/* May path be trusted to choose the next boot? It is followed as the
 * kernel resolves it (inside the root): every symlink met is owned by the
 * root's owner, and every directory passed through, and the one that
 * really holds it and every one above it up to the root, too, and nobody
 * else may write them. -EPERM with why (a message with its fix) when not;
 * -errno when it cannot be told. */
int kp_root_trust(const struct kp_root *r, const char *path, char *why, size_t len);
/* Is path a regular file (after symlinks)? */
int kp_root_is_file(const struct kp_root *r, const char *path);

/* What a read error means, for a message: -EINVAL from kp_read_file is a
 * file that is not a regular one. */
const char *kp_read_strerror(int err);
/* Read a whole file, at most max bytes (-EFBIG beyond), NUL-terminated. */
int kp_read_fd(int fd, size_t max, char **buf, size_t *len);
int kp_read_file(const struct kp_root *r, const char *path, size_t max, char **buf, size_t *len);
/* Read a gzip-compressed file, decompressed size at most max. */
int kp_read_gz(const struct kp_root *r, const char *path, size_t max, char **buf, size_t *len);
/* First line, trailing white space removed. */
int kp_read_line(const struct kp_root *r, const char *path, char **line);
/* A decimal integer file such as a sysctl: -EINVAL if it holds anything else. */
int kp_read_long(const struct kp_root *r, const char *path, long *val);

#endif
