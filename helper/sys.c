/* The seam: every syscall and command that changes the machine goes through
 * here, so --dry-run prints exactly the call and makes none. */
#include <einfo.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kexec-prep.h"

#ifndef KEXEC_FILE_UNLOAD
#define KEXEC_FILE_UNLOAD	0x00000001
#define KEXEC_FILE_NO_INITRAMFS 0x00000004
#endif

extern char **environ;

char *kp_host_path(const struct kp_ctx *ctx, const char *path)
{
	size_t l = strlen(ctx->root_path);

	while (*path == '/')
		path++;
	if (l && ctx->root_path[l - 1] == '/')
		return kp_strdupf("%s%s", ctx->root_path, path);
	return kp_strdupf("%s/%s", ctx->root_path, path);
}

int kp_sys_file_load(struct kp_ctx *ctx, const struct kp_target *t, int initrd_fd)
{
	unsigned long flags = initrd_fd < 0 ? KEXEC_FILE_NO_INITRAMFS : 0;
	size_t len = strlen(t->cmdline) + 1; /* the kernel counts the NUL */
	long rc;

	if (ctx->dry_run) {
		printf("dry-run: kexec_file_load(kernel_fd=<%s>, initrd_fd=", t->kernel.path);
		if (initrd_fd < 0)
			fputs("-1", stdout);
		else if (t->ninitrds == 1)
			printf("<%s>", t->initrds[0].path);
		else
			printf("<memfd: %s>", t->initrd_names);
		printf(", cmdline_len=%zu, cmdline=\"%s\", flags=%s)\n", len, t->cmdline,
		       flags ? "KEXEC_FILE_NO_INITRAMFS" : "0");
		return 0;
	}
	rc = syscall(SYS_kexec_file_load, t->kernel.fd, initrd_fd, len, t->cmdline, flags);
	return rc < 0 ? -errno : 0;
}

int kp_sys_file_unload(struct kp_ctx *ctx)
{
	if (ctx->dry_run) {
		puts("dry-run: kexec_file_load(-1, -1, 0, NULL, KEXEC_FILE_UNLOAD)");
		return 0;
	}
	if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, (unsigned long)KEXEC_FILE_UNLOAD) < 0)
		return -errno;
	return 0;
}

/* Run argv (no shell), keep_fd inherited when >= 0; -errno, or the exit
 * status as a positive number. */
int kp_sys_run(struct kp_ctx *ctx, char *const argv[], int keep_fd)
{
	posix_spawn_file_actions_t fa;
	int status, err, i;
	pid_t pid;

	if (ctx->dry_run) {
		fputs("dry-run: run", stdout);
		for (i = 0; argv[i]; i++)
			printf(" '%s'", argv[i]);
		putchar('\n');
		return 0;
	}
	if (keep_fd >= 0 && fcntl(keep_fd, F_SETFD, 0) < 0)
		return -errno;
	posix_spawn_file_actions_init(&fa);
	err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (keep_fd >= 0)
		fcntl(keep_fd, F_SETFD, FD_CLOEXEC);
	if (err)
		return -err;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int kp_sys_kexec_reboot(struct kp_ctx *ctx)
{
	if (ctx->dry_run) {
		puts("dry-run: sync(); reboot(LINUX_REBOOT_CMD_KEXEC)");
		return 0;
	}
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	return -errno; /* only reached when the jump did not happen */
}
