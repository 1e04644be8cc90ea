#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <check.h>
#include <ftw.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(FILE *f, size_t *n)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t got;
	while ((got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[len] = '\0';
	*n = len;
	return buf;
}

char *ax_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t n;
	char *s = slurp(f, &n);
	fclose(f);
	if (len)
		*len = n;   /* the bytes read, NULs included */
	return s;
}

void ax_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		abort();
	}
}

const char *ax_src(const char *rel)
{
	static char bufs[8][4096];
	static int slot;
	const char *src = getenv("AXSIM_SRC");
	char *b = bufs[slot++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", src ? src : ".", rel);
	return b;
}

char *ax_tmp(const char *rel)
{
	static char dir[512];
	if (!dir[0]) {
		const char *base = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/axsim-test-XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			abort();
		}
	}
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, rel);
	return p;
}

int ax_count_str(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static struct ax_run run_args(const char *args);

struct ax_run ax_run_axsim(const char *fmt, ...)
{
	char args[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return run_args(args);
}

void ax_expect_fail(const char *needle, const char *fmt, ...)
{
	char args[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	struct ax_run r = run_args(args);
	ck_assert_msg(r.status == 2, "axsim %s: exit status %d; expected 2 (stderr: %s)", args,
		      r.status, r.err);
	ck_assert_msg(!*r.out, "axsim %s: printed on stdout: %s", args, r.out);
	ck_assert_msg(strstr(r.err, needle) != NULL, "axsim %s: expected \"%s\" in:\n%s", args,
		      needle, r.err);
	ax_run_free(&r);
}

char *ax_expect_generated(const char *args, const char *doc)
{
	struct ax_run r = run_args(args);
	ck_assert_msg(r.status == 0 && !*r.err, "axsim %s: exit status %d: %s", args, r.status, r.err);
	char *text = ax_read_file(ax_src(doc), NULL);
	ck_assert_msg(text != NULL, "%s is missing; generate it with `axsim %s > %s`", doc, args, doc);
	ck_assert_msg(!strcmp(text, r.out), "%s is stale; regenerate it with `axsim %s > %s`", doc, args, doc);
	ax_run_free(&r);
	return text;
}

static struct ax_run run_args(const char *args)
{
	struct ax_run r = { 0 };
	const char *bin = getenv("AXSIM_BIN");
	if (!bin) {
		fprintf(stderr, "AXSIM_BIN is not set (run the suites through ctest)\n");
		abort();
	}
	char *outp = ax_tmp("run.out"), *errp = ax_tmp("run.err");
	char cmd[16384];
	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>'%s' </dev/null", bin, args, outp, errp);
	int st = system(cmd);
	if (st == -1) {
		perror("system");
		abort();
	}
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = ax_read_file(outp, NULL);
	r.err = ax_read_file(errp, NULL);
	free(outp);
	free(errp);
	return r;
}

void ax_run_free(struct ax_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

char *ax_compiled(const char *net_yaml)
{
	const char *base = strrchr(net_yaml, '/');
	base = base ? base + 1 : net_yaml;
	char name[512];
	snprintf(name, sizeof(name), "%s.elf", base);
	char *elf = ax_tmp(name);
	struct stat st;
	if (stat(elf, &st) == 0)
		return elf;
	struct ax_run r = ax_run_axsim("compile '%s' -o '%s'", net_yaml, elf);
	if (r.status != 0) {
		fprintf(stderr, "compiling %s failed (%d): %s\n", net_yaml, r.status, r.err);
		abort();
	}
	ax_run_free(&r);
	return elf;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int ax_check_run(Suite *s)
{
	/* the scratch directory is made here, in the parent, so that every
	 * forked test shares it (and ax_compiled's ELFs), and removed at the end
	 * (AXSIM_KEEP_TMP=1 keeps it for a look) */
	char *dir = ax_tmp("");
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!getenv("AXSIM_KEEP_TMP"))
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		fprintf(stderr, "scratch files kept in %s\n", dir);
	free(dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
