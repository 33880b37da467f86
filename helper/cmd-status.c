/* kexec-prep status: what is staged, how this boot came about, whether
 * kexec is suspended; exit 3 when nothing is staged. --json: all of it,
 * the history too, as one object on standard output. */
#include <einfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kexec-prep.h"

/* What the last staging in the background said, when it failed. */
static void say_failed(struct kp_ctx *ctx)
{
	char *text, *line, *save = NULL;

	if (kp_read_file(&ctx->root, KP_FAILED, 1 << 16, &text, NULL) < 0)
		return;
	ewarn("The last staging in the background failed (%s):", KP_FAILED);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ewarn("  %s", line + strspn(line, " *"));
	free(text);
}

/* What is staged, said; *state names it for --json. The exit status. */
static int staged(struct kp_ctx *ctx, const char **state)
{
	const struct kp_facts *f = kp_facts(ctx);
	bool have_state = kp_root_exists(&ctx->root, KP_STATE);
	long running = kp_staging_running(ctx);

	*state = "unknown";
	if (!f)
		return 1;
	if (running) {
		*state = "staging";
		if (running > 0)
			einfo("Staging: kexec-prep (pid %ld) is staging the next kernel; ask again when it is done",
			      running);
		else
			einfo("Staging: a staging is in progress; ask again when it is done");
		return 0;
	}
	say_failed(ctx);
	if (f->kexec_loaded < 0) {
		eerror("%s: %s", ctx->applet, kp_state_why_unknown(ctx));
		return 1;
	}
	if (!f->kexec_loaded) {
		*state = "nothing";
		einfo("Nothing is staged: the next reboot goes through the firmware");
		if (have_state)
			ewarn("%s: %s is left over from an image that is no longer staged (kexec -u by hand?)",
			      ctx->applet, KP_STATE);
		return 3;
	}
	*state = "unaccounted";
	if (kp_root_exists(&ctx->root, KP_MARK)) {
		ewarn("%s: an image is staged, but a staging by kexec-prep was cut short before it was recorded (%s is there): exec stages the configured kernel again before it jumps (rc-service kexec-load restart stages it now)",
		      ctx->applet, KP_MARK);
		return 0;
	}
	if (!have_state) {
		const char *trace = kp_state_trace(ctx);

		if (trace) {
			ewarn("%s: an image is staged that kexec-prep did not record (no %s), yet %s shows kexec-prep has run in this boot: exec will not jump into it; stage again with rc-service kexec-load restart",
			      ctx->applet, KP_STATE, trace);
			return 0;
		}
		*state = "by-hand";
		einfo("An image is staged that kexec-prep did not stage (kexec -l by hand?): the next reboot jumps into it as it is");
		return 0;
	}
	*state = "staged";
	einfo("Staged: the next reboot jumps into it");
	kp_state_print(ctx);
	return 0;
}

/* {"state": ..., and for a staged kernel its kernel, version, command
 * line}: a JSON value, for status --json. */
static char *staged_json(struct kp_ctx *ctx, const char *state)
{
	static const char *const keys[] = {"kernel", "version", "cmdline", "method"};
	char *text = NULL, *rec = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&text, &len);

	if (!fp)
		return NULL;
	fputs("{\"state\": ", fp);
	kp_json_str(fp, state);
	if (!strcmp(state, "staged") &&
	    kp_read_file(&ctx->root, KP_STATE, 1 << 20, &rec, NULL) == 0)
		for (i = 0; i < ARRAY_SIZE(keys); i++) {
			char *v = kp_state_value(rec, keys[i]);

			fprintf(fp, ", \"%s\": ", keys[i]);
			kp_json_str(fp, v);
			free(v);
		}
	fputs("}", fp);
	free(rec);
	if (fclose(fp) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int kp_cmd_status(struct kp_ctx *ctx)
{
	FILE *out = ctx->json ? kp_json_out(ctx) : stdout;
	const char *state;
	char *json;
	int ret;

	if (!out)
		return 1;
	ret = staged(ctx, &state);
	if (!ctx->json) {
		kp_journal_print(ctx);
		return ret;
	}
	json = staged_json(ctx, state);
	if (json)
		kp_journal_print_json(ctx, out, json);
	free(json);
	if (fclose(out) != 0 || !json) {
		eerror("%s: status --json: standard output cannot be written", ctx->applet);
		return 1;
	}
	return ret;
}
