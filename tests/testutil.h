/* testutil.h - helpers shared by the Check suites. */
#ifndef AX_TESTUTIL_H
#define AX_TESTUTIL_H

#include <stddef.h>

/* Result of running the axsim binary. */
struct ax_run {
	int status;   /* exit status, or 128 + signal */
	char *out;    /* captured stdout (heap) */
	char *err;    /* captured stderr (heap) */
};

/* Runs "$AXSIM_BIN args..." (args is a shell-quoted string) in a shell;
 * the caller frees with ax_run_free. */
struct ax_run ax_run_axsim(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ax_run_free(struct ax_run *r);
/* Runs axsim as ax_run_axsim does and asserts bad input: exit status 2,
 * nothing on stdout, and needle in the message on stderr. */
void ax_expect_fail(const char *needle, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Asserts that the generated document doc (a path under the source tree) is
 * what `axsim ARGS` prints, with the command to regenerate it in the message;
 * returns the document (heap), for more checks. */
char *ax_expect_generated(const char *args, const char *doc);

/* How many times needle occurs in hay (not overlapping). */
int ax_count_str(const char *hay, const char *needle);

/* Asserts that needle occurs in hay (needs <check.h> and <string.h>). */
#define ck_has(hay, needle)                                                       \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "expected \"%s\" in:\n%s", \
		      (needle), (hay))

/* Path under the source tree (AXSIM_SRC) or a fresh scratch dir; static buffer per call slot. */
const char *ax_src(const char *rel);
/* Creates a unique temporary directory once per process and returns path/rel in a heap string. */
char *ax_tmp(const char *rel);
/* Writes text to path (aborting on failure). */
void ax_write_file(const char *path, const char *text);
/* Reads a whole file into a heap buffer with a NUL after it, or NULL; *len (when
 * len is not NULL) is the number of bytes read, binary contents included. */
char *ax_read_file(const char *path, size_t *len);
/* Compiles models/<rel>.yaml (or any network description path) to an ELF in the scratch dir once; returns its path. */
char *ax_compiled(const char *net_yaml);

struct Suite;
/* Runs a Check suite (fork mode) in a scratch directory it removes afterwards,
 * and returns the process exit status. */
int ax_check_run(struct Suite *s);

#endif
