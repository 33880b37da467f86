/* Run a command with chosen system calls failing with chosen errors, as a
 * kernel would answer them, through a seccomp filter: the call never
 * reaches the kernel. For the paths that only a real kernel reaches: a
 * kernel without kexec_file_load (ENOSYS), a rejected signature, ...
 *   sysfail SYSCALL=ERRNO... [--] COMMAND [ARGS...]
 *   sysfail kexec_file_load=EKEYREJECTED kexec_load=EPERM reboot=EPERM -- kexec-prep load
 * SYSCALL: a name in the table below; ERRNO: a name below. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_RULES     8
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#error "sysfail: add this architecture's AUDIT_ARCH_*"
#endif

struct name {
	const char *name;
	int value;
};

static const struct name syscalls[] = {
	{"kexec_file_load", SYS_kexec_file_load},
	{"kexec_load", SYS_kexec_load},
	{"reboot", SYS_reboot},
	{"memfd_create", SYS_memfd_create},
#ifdef SYS_openat2
	{"openat2", SYS_openat2},
#endif
/* a read-only disk, for the writes that replace a file */
#ifdef SYS_renameat
	{"renameat", SYS_renameat},
#endif
	{"renameat2", SYS_renameat2},
};

static const struct name errnos[] = {
	{"EPERM", EPERM},     {"ENOSYS", ENOSYS},
	{"ENOEXEC", ENOEXEC}, {"EKEYREJECTED", EKEYREJECTED},
	{"EBADMSG", EBADMSG}, {"ENOKEY", ENOKEY},
	{"EBUSY", EBUSY},     {"ETXTBSY", ETXTBSY},
	{"EINVAL", EINVAL},   {"EMFILE", EMFILE},
	{"EROFS", EROFS},
};

static int lookup(const struct name *t, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !strncmp(t[i].name, s, len))
			return t[i].value;
	return -1;
}

static int usage(void)
{
	fputs("usage: sysfail SYSCALL=ERRNO... [--] COMMAND [ARGS...]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	struct sock_filter f[5 + 2 * MAX_RULES];
	struct sock_fprog prog = {.filter = f};
	unsigned short n = 0;
	int i, nrules = 0;

	/* Calls from another ABI pass untouched: the numbers differ there. */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int sc, err;

		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!eq || argv[i][0] == '/')
			break;
		sc = lookup(syscalls, ARRAY_SIZE(syscalls), argv[i], (size_t)(eq - argv[i]));
		err = lookup(errnos, ARRAY_SIZE(errnos), eq + 1, strlen(eq + 1));
		if (sc < 0 || err < 0 || nrules == MAX_RULES) {
			fprintf(stderr,
				"sysfail: %s: unknown system call or error name, or too many\n",
				argv[i]);
			return usage();
		}
		f[n++] =
			(struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)sc, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
						      SECCOMP_RET_ERRNO | (unsigned)err);
		nrules++;
	}
	if (i >= argc || nrules == 0)
		return usage();
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("sysfail: seccomp");
		return 1;
	}
	execv(argv[i], argv + i);
	perror(argv[i]);
	return 127;
}
