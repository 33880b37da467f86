/* The readiness checks behind `kexec-prep check`. */
#ifndef KP_CHECK_H
#define KP_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "sysroot.h"

enum kp_status { KP_OK, KP_WARN, KP_FAIL };

struct kp_check {
	const char *id;
	enum kp_status status;
	char *detail;
	char *fix; /* NULL when ok */
};

/* What was read off the machine; -1 means "could not tell". */
struct kp_facts {
	char *release;	      /* proc/sys/kernel/osrelease */
	char *distro;	      /* ID= of os-release, "" when unknown */
	char *cmdline;	      /* proc/cmdline, raw */
	char *kconfig_source; /* file the kernel config came from */
	int kconfig_err;      /* 0, or -errno reading it */
	size_t kconfig_opts;  /* options found in it */
	size_t kconfig_bad;   /* lines in it that are not config syntax */
	int has_kexec;	      /* CONFIG_KEXEC */
	int has_kexec_file;   /* CONFIG_KEXEC_FILE */
	int has_kexec_sig;    /* CONFIG_KEXEC_SIG */
	long load_disabled;   /* kernel.kexec_load_disabled */
	long limit_reboot;    /* kernel.kexec_load_limit_reboot, -2 when absent */
	char *lockdown;	      /* active lockdown mode, NULL when no LSM file, "?" unparsable */
	int cap_sys_boot;     /* in this process's effective set */
	long kexec_loaded;    /* /sys/kernel/kexec_loaded */
	char *kexec_tools;    /* path of kexec(8) under the root, or NULL */
};

struct kp_report {
	struct kp_facts f;
	struct kp_check *checks;
	size_t n;
};

int kp_facts_read(const struct kp_root *r, struct kp_facts *f);
void kp_facts_free(struct kp_facts *f);
/* Which staging syscalls can work here, as far as the facts tell. */
bool kp_can_file_load(const struct kp_facts *f);
bool kp_can_kexec_load(const struct kp_facts *f);
/* The package-manager line that installs pkg on this distro. */
char *kp_install_hint(const struct kp_facts *f, const char *pkg);

/* Read the facts and run every check; -errno only when out of memory. */
int kp_check_run(const struct kp_root *r, struct kp_report *rep);
int kp_report_add(struct kp_report *rep, const char *id, enum kp_status st, char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool kp_report_ok(const struct kp_report *rep);
/* The checks that explain why the kernel refused a load with EPERM. */
void kp_report_print_failures(const struct kp_report *rep);
void kp_report_print_text(const struct kp_report *rep);
void kp_report_print_json(const struct kp_report *rep);
void kp_report_free(struct kp_report *rep);

#endif
