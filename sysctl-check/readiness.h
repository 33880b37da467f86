/* The readiness checks behind `kexec-prep check`: what was read off the
 * machine, the checks run on it, and their report. */
#ifndef KP_READINESS_H
#define KP_READINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "root.h"

/* The boot loaders kexec-prep reads, and the evidence that one of them
 * boots this machine (loader.c). */
enum kp_loader { KP_LOADER_EXTLINUX, KP_LOADER_GRUB, KP_LOADER_SDBOOT, KP_LOADER_UKI, KP_LOADERS };

struct kp_loader_seen {
	enum kp_loader id;
	int score; /* 0: no trace; 10: its configuration exists; 20 and up: this boot came through
		      it */
	char *why; /* the evidence, for the user */
	char *config;	       /* its configuration (file or directory) under the root, or NULL */
	struct timespec mtime; /* of config: of two configurations, the newer counts more */
	char *booted; /* what this boot says it booted: an entry id, an ESP path; or NULL */
};

const char *kp_loader_name(enum kp_loader id);

/* What was read off the machine, once per run; -1 means "could not tell". */
struct kp_facts {
	char *release;	      /* proc/sys/kernel/osrelease */
	char *arch;	      /* proc/sys/kernel/arch, else uname(2): "x86_64", "aarch64" */
	char *distro;	      /* ID= of os-release, "" when unknown */
	char *cmdline;	      /* proc/cmdline, raw; "" when unreadable */
	size_t cmdline_len;   /* its length: it may hold NUL bytes */
	int cmdline_err;      /* 0, or -errno reading it */
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
	bool efi_runtime;     /* /sys/firmware/efi/runtime: booted through EFI */
	char *kexec_tools;    /* path of kexec(8) under the root, or NULL */
	bool initd_foreign;   /* /etc/init.d/kexec-load is not ours (kexec-tools' SysV script) */
	bool tools_reboot;    /* LOAD_KEXEC=true in /etc/default/kexec: kexec-tools' own jump */
	/* every boot loader, the likeliest first */
	struct kp_loader_seen loaders[KP_LOADERS];
};

int kp_facts_read(const struct kp_root *r, struct kp_facts *f);
/* loader.c: fills f->loaders from the command line, EFI variables and the
 * configuration files; f->cmdline must be read. */
int kp_loaders_read(const struct kp_root *r, struct kp_facts *f);
void kp_loaders_free(struct kp_facts *f);
void kp_facts_free(struct kp_facts *f);
/* Which staging syscalls can work here, as far as the facts tell. */
bool kp_can_file_load(const struct kp_facts *f);
bool kp_can_kexec_load(const struct kp_facts *f);
/* The package-manager line that installs pkg on this distro. */
char *kp_install_hint(const struct kp_facts *f, const char *pkg);

enum kp_status { KP_OK, KP_WARN, KP_FAIL };

struct kp_check {
	const char *id;
	enum kp_status status;
	char *detail;
	char *fix; /* NULL when ok */
};

struct kp_report {
	struct kp_check *checks;
	size_t n;
};

/* Run every check on the facts; -errno only when out of memory. */
int kp_check_run(const struct kp_root *r, const struct kp_facts *f, struct kp_report *rep);
/* Takes fix; a check that is not ok needs one (NULL from a failed
 * allocation gives -ENOMEM). */
int kp_report_add(struct kp_report *rep, const char *id, enum kp_status st, char *fix,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
bool kp_report_ok(const struct kp_report *rep);
/* The checks that fail: they explain why the kernel refused a load. */
void kp_report_print_failures(const struct kp_report *rep);
void kp_report_print_text(const struct kp_report *rep);
/* One JSON object, one line, on out. */
/* s as a JSON string: its bytes, escaped, never invalid JSON. */
void kp_json_str(FILE *out, const char *s);
void kp_report_print_json(const struct kp_report *rep, const struct kp_facts *f, FILE *out);
void kp_report_free(struct kp_report *rep);

#endif
