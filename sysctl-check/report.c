/* The report of `kexec-prep check`: one line per check, as text through
 * libeinfo or as one JSON object. */
#include "readiness.h"

#include <einfo.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kp_report_add(struct kp_report *rep, const char *id, enum kp_status st, char *fix,
		  const char *fmt, ...)
{
	struct kp_check *c;
	va_list ap;
	char *detail;

	va_start(ap, fmt);
	if (vasprintf(&detail, fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	if (!detail || (st != KP_OK && !fix))
		goto fail;
	c = realloc(rep->checks, (rep->n + 1) * sizeof(*c));
	if (!c)
		goto fail;
	rep->checks = c;
	rep->checks[rep->n++] = (struct kp_check){id, st, detail, fix};
	return 0;
fail:
	free(detail);
	free(fix);
	return -ENOMEM;
}

bool kp_report_ok(const struct kp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->checks[i].status == KP_FAIL)
			return false;
	return true;
}

static const char *const status_words[] = {[KP_OK] = "ok", [KP_WARN] = "warn", [KP_FAIL] = "FAIL"};
static const char *const json_words[] = {[KP_OK] = "ok", [KP_WARN] = "warn", [KP_FAIL] = "fail"};

static void print_check(const struct kp_check *c)
{
	switch (c->status) {
	case KP_OK:
		einfo("%-5s %s: %s", status_words[c->status], c->id, c->detail);
		break;
	case KP_WARN:
		ewarn("%-5s %s: %s", status_words[c->status], c->id, c->detail);
		ewarn("      fix: %s", c->fix);
		break;
	case KP_FAIL:
		eerror("%-5s %s: %s", status_words[c->status], c->id, c->detail);
		eerror("      fix: %s", c->fix);
		break;
	}
}

void kp_report_print_failures(const struct kp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->checks[i].status == KP_FAIL)
			print_check(&rep->checks[i]);
}

void kp_report_print_text(const struct kp_report *rep)
{
	size_t i, fails = 0;

	for (i = 0; i < rep->n; i++) {
		print_check(&rep->checks[i]);
		fails += rep->checks[i].status == KP_FAIL;
	}
	if (fails)
		eerror("kexec cannot work here: %zu check%s failed", fails, fails == 1 ? "" : "s");
	else
		einfo("kexec can work here");
}

void kp_json_str(FILE *out, const char *s)
{
	putc('"', out);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f || c >= 0x80)
			fprintf(out, "\\u%04x", c); /* bytes, not UTF-8: keep the output valid */
		else
			putc(c, out);
	}
	putc('"', out);
}

void kp_report_print_json(const struct kp_report *rep, const struct kp_facts *f, FILE *out)
{
	size_t i;

	fputs("{\"release\":", out);
	kp_json_str(out, f->release);
	fputs(",\"distro\":", out);
	kp_json_str(out, f->distro);
	fprintf(out, ",\"ok\":%s,\"checks\":[", kp_report_ok(rep) ? "true" : "false");
	for (i = 0; i < rep->n; i++) {
		const struct kp_check *c = &rep->checks[i];

		fputs(i ? ",{\"id\":" : "{\"id\":", out);
		kp_json_str(out, c->id);
		fputs(",\"status\":", out);
		kp_json_str(out, json_words[c->status]);
		fputs(",\"detail\":", out);
		kp_json_str(out, c->detail);
		fputs(",\"fix\":", out);
		if (c->fix)
			kp_json_str(out, c->fix);
		else
			fputs("null", out);
		putc('}', out);
	}
	fputs("]}\n", out);
}

void kp_report_free(struct kp_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++) {
		free(rep->checks[i].detail);
		free(rep->checks[i].fix);
	}
	free(rep->checks);
	memset(rep, 0, sizeof(*rep));
}
