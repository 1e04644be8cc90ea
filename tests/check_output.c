/*
 * check_output.c - outputs (sim/common/output.c): a regular file is replaced
 * through a temporary file keeping its mode, a symlink is followed, a FIFO
 * and a device node are written in place and never replaced, `-` is standard
 * output (and standard input for inputs), an output that is an input or
 * another output is refused before any work with exit status 2, and ^C
 * leaves no temporary file.  Every output option of every command is tried.
 * Device nodes are private ones made with mknod in the scratch directory
 * (root only; skipped with a message otherwise), never those of /dev.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/output.h"
#include "testutil.h"

#define TINY_NET "models/tiny/tiny.net.yaml"

static mode_t mode_of(const char *path)
{
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_mode;
}

/* No "*.tmp-*" or "axsim-out-*" file left in dir. */
static void no_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));)
		ck_assert_msg(!strstr(e->d_name, ".tmp-") && strncmp(e->d_name, "axsim-out-", 10),
			      "left behind in %s: %s", dir, e->d_name);
	closedir(d);
}

/* ---- the library ---- */

START_TEST(regular_file_keeps_mode)
{
	char *f = ax_tmp("mode.txt");
	ax_write_file(f, "old\n");
	ck_assert_int_eq(chmod(f, 0640), 0);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_out_write(f, "new\n", 4, &err), AX_OK);
	ck_assert_int_eq(mode_of(f) & 07777, 0640);
	char *s = ax_read_file(f, NULL);
	ck_assert_str_eq(s, "new\n");
	free(s);
	/* a new file: 0666 less the umask */
	char *g = ax_tmp("new.txt");
	mode_t mask = umask(022);
	ck_assert_int_eq(ax_out_write(g, "x", 1, &err), AX_OK);
	umask(mask);
	ck_assert_int_eq(mode_of(g) & 07777, 0644);
	ax_err_release(&err);
	char *dir = ax_tmp("");
	no_temporaries(dir);
	free(dir);
	free(f);
	free(g);
}
END_TEST

START_TEST(symlink_followed)
{
	char *target = ax_tmp("link-target.json"), *link = ax_tmp("link.json");
	ax_write_file(target, "old\n");
	ck_assert_int_eq(symlink("link-target.json", link), 0);
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_out_write(link, "new\n", 4, &err), AX_OK);
	ck_assert(S_ISLNK(mode_of(link)));
	char *s = ax_read_file(target, NULL);
	ck_assert_str_eq(s, "new\n");
	free(s);
	/* a dangling link: its target is created, the link stays */
	char *dangling = ax_tmp("dangling.json"), *made = ax_tmp("made.json");
	ck_assert_int_eq(symlink(made, dangling), 0);
	ck_assert_int_eq(ax_out_write(dangling, "x\n", 2, &err), AX_OK);
	ck_assert(S_ISLNK(mode_of(dangling)));
	ck_assert(S_ISREG(mode_of(made)));
	/* a loop of links is a message, not a hang */
	char *l1 = ax_tmp("loop1"), *l2 = ax_tmp("loop2");
	ck_assert_int_eq(symlink(l2, l1), 0);
	ck_assert_int_eq(symlink(l1, l2), 0);
	ck_assert_int_eq(ax_out_write(l1, "x", 1, &err), AX_EIO);
	ck_has(ax_err_str(&err), "too many levels of symbolic links");
	ax_err_release(&err);
	free(target);
	free(link);
	free(dangling);
	free(made);
	free(l1);
	free(l2);
}
END_TEST

/* ---- every output option of the tool ---- */

/* The output options: command VERB INPUT ARGS OUT writes the output to OUT. */
static const struct {
	const char *option, *verb, *args;
} writers[] = {
	{ "run --json", "run", "--quiet --inferences 1 --json" },
	{ "run --csv", "run", "--quiet --inferences 1 --csv" },
	{ "run --trace", "run", "--quiet --inferences 1 --trace" },
	{ "run --vcd", "run", "--quiet --inferences 1 --vcd" },
	{ "compile -o", "compile", "-o" },
	{ "sweep --json", "sweep", "--tiling-depth 1 --json" },
	{ "sweep --csv", "sweep", "--tiling-depth 1 --csv" },
	{ "sweep --emit-jobs", "sweep", "--tiling-depth 1 --emit-jobs" },
};
#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

static const char *writer_input(size_t i);

/* Runs writer i with its output at out. */
static struct ax_run writer_run(int i, const char *out)
{
	return ax_run_axsim("%s '%s' %s '%s'", writers[i].verb, writer_input((size_t)i), writers[i].args, out);
}

/* The input each writer reads: the description for compile, the ELF otherwise. */
static const char *writer_input(size_t i)
{
	static char *elf;
	if (!strncmp(writers[i].option, "compile", 7))
		return ax_src(TINY_NET);
	if (!elf)
		elf = ax_compiled(ax_src(TINY_NET));
	return elf;
}

/* A FIFO is written in place: a reader gets the bytes and the FIFO stays. */
START_TEST(fifo_written_in_place)
{
	char name[64];
	snprintf(name, sizeof(name), "fifo-%d", _i);
	char *fifo = ax_tmp(name), *got = ax_tmp("fifo-read");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char cmd[4096];
		snprintf(cmd, sizeof(cmd), "cat '%s' > '%s'", fifo, got);
		_exit(system(cmd) == 0 ? 0 : 1);
	}
	struct ax_run r = writer_run(_i, fifo);
	int st;
	waitpid(pid, &st, 0);
	ck_assert_msg(r.status == 0, "%s FIFO: status %d: %s", writers[_i].option, r.status, r.err);
	ck_assert(S_ISFIFO(mode_of(fifo)));
	size_t n;
	char *s = ax_read_file(got, &n);
	ck_assert_msg(s && n > 0, "%s: the reader of the FIFO got nothing", writers[_i].option);
	free(s);
	char *dir = ax_tmp("");
	no_temporaries(dir);
	free(dir);
	ax_run_free(&r);
	free(fifo);
	free(got);
}
END_TEST

/* Private device nodes (the numbers of /dev/null and /dev/full) in the
 * scratch directory: written in place, never replaced; a full device is
 * exit status 1 with the reason. */
START_TEST(device_nodes_written_in_place)
{
	if (geteuid() != 0) {
		fprintf(stderr, "check_output: device_nodes_written_in_place skipped: mknod needs root\n");
		return;
	}
	char name[64];
	snprintf(name, sizeof(name), "null-%d", _i);
	char *null = ax_tmp(name);
	snprintf(name, sizeof(name), "full-%d", _i);
	char *full = ax_tmp(name);
	ck_assert_int_eq(mknod(null, S_IFCHR | 0666, makedev(1, 3)), 0);
	ck_assert_int_eq(mknod(full, S_IFCHR | 0666, makedev(1, 7)), 0);
	struct ax_run r = writer_run(_i, null);
	ck_assert_msg(r.status == 0, "%s null node: status %d: %s", writers[_i].option, r.status, r.err);
	ck_assert(S_ISCHR(mode_of(null)));
	ax_run_free(&r);
	r = writer_run(_i, full);
	ck_assert_msg(r.status == 1 || r.status == 2, "%s full node: status %d", writers[_i].option, r.status);
	ck_has(r.err, "No space left on device");
	ck_assert(S_ISCHR(mode_of(full)));
	ax_run_free(&r);
	char *dir = ax_tmp("");
	no_temporaries(dir);
	free(dir);
	free(null);
	free(full);
}
END_TEST

/* A symlinked output: the link stays, its target gets the output, keeping its mode. */
START_TEST(symlinked_output)
{
	char name[64];
	snprintf(name, sizeof(name), "target-%d", _i);
	char *target = ax_tmp(name);
	snprintf(name, sizeof(name), "link-%d", _i);
	char *link = ax_tmp(name);
	ax_write_file(target, "old");
	ck_assert_int_eq(chmod(target, 0600), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	struct ax_run r = writer_run(_i, link);
	ck_assert_msg(r.status == 0, "%s: status %d: %s", writers[_i].option, r.status, r.err);
	ck_assert(S_ISLNK(mode_of(link)));
	ck_assert_int_eq(mode_of(target) & 07777, 0600);
	char *s = ax_read_file(target, NULL);
	ck_assert_str_ne(s, "old");
	free(s);
	ax_run_free(&r);
	free(target);
	free(link);
}
END_TEST

/* `-` is standard output for every output option. */
START_TEST(dash_is_stdout)
{
	struct ax_run r = writer_run(_i, "-");
	ck_assert_msg(r.status == 0, "%s -: status %d: %s", writers[_i].option, r.status, r.err);
	ck_assert_msg(strlen(r.out) > 0, "%s -: nothing on stdout", writers[_i].option);
	ck_assert_msg(access("-", F_OK) != 0, "%s -: wrote a file named '-'", writers[_i].option);
	ax_run_free(&r);
}
END_TEST

/* `-` is standard input where a network is read: compile to stdout, inspect
 * and run from stdin. */
START_TEST(dash_is_stdin)
{
	char *elf = ax_compiled(ax_src(TINY_NET)), *out = ax_tmp("stdin.out");
	const char *bin = getenv("AXSIM_BIN");
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "'%s' compile '%s' -o - | '%s' inspect - > '%s'", bin, ax_src(TINY_NET), bin, out);
	ck_assert_int_eq(system(cmd), 0);
	char *s = ax_read_file(out, NULL);
	ck_has(s, "network tiny: 8 layers");
	free(s);
	snprintf(cmd, sizeof(cmd), "'%s' run - --quiet --json - < '%s' > '%s'", bin, elf, out);
	ck_assert_int_eq(system(cmd), 0);
	s = ax_read_file(out, NULL);
	ck_has(s, "\"latency_us\"");
	free(s);
	free(out);
	free(elf);
}
END_TEST

/* An output that names an input, or another output, is refused before any
 * work (exit status 2), and the file is left as it was. */
START_TEST(output_is_an_input)
{
	char *elf = ax_tmp("in.elf"), *yaml = ax_tmp("in.net.yaml"), *cfg = ax_tmp("in.yaml");
	char *src = ax_read_file(ax_src(TINY_NET), NULL);
	ax_write_file(yaml, src);
	free(src);
	struct ax_run r = ax_run_axsim("compile '%s' -o '%s'", yaml, elf);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_write_file(cfg, "compilation_config:\n  backend_config: {tiling_depth: 2}\n");
	size_t n0;
	char *before = ax_read_file(elf, &n0);
	ax_expect_fail("is the input", "run '%s' --quiet --json '%s'", elf, elf);
	ax_expect_fail("is the input", "run '%s' --quiet --csv '%s'", elf, elf);
	ax_expect_fail("is the input", "run '%s' --quiet --trace '%s'", elf, elf);
	ax_expect_fail("is the input", "run '%s' --quiet --vcd '%s'", elf, elf);
	ax_expect_fail("is the input", "run '%s' --quiet --config '%s' --json '%s'", elf, cfg, cfg);
	ax_expect_fail("is the input", "run '%s' --quiet --arch '%s' --json '%s'", elf, cfg, cfg);
	ax_expect_fail("is the input", "compile '%s' -o '%s'", yaml, yaml);
	ax_expect_fail("is the input", "sweep '%s' --tiling-depth 1 --json '%s'", elf, elf);
	ax_expect_fail("is the input", "sweep '%s' --tiling-depth 1 --emit-jobs '%s'", elf, elf);
	/* through a link to it: the same file by device and inode */
	char *link = ax_tmp("in-link.json");
	ck_assert_int_eq(symlink(elf, link), 0);
	ax_expect_fail("is the input", "run '%s' --quiet --json '%s'", elf, link);
	/* two outputs on one file */
	char *f = ax_tmp("twice.out");
	ax_expect_fail("the same file", "run '%s' --quiet --json '%s' --csv '%s'", elf, f, f);
	ax_expect_fail("the same file", "run '%s' --quiet --json - --csv -", elf);
	ck_assert_int_ne(access(f, F_OK), 0);
	size_t n1;
	char *after = ax_read_file(elf, &n1);
	ck_assert_uint_eq(n0, n1);
	ck_assert_int_eq(memcmp(before, after, n0), 0);
	/* merge: a point of the directory read */
	char *out = ax_tmp("merge-in");
	r = ax_run_axsim("sweep '%s' --tiling-depth 1,2 --out '%s'", elf, out);
	ck_assert_int_eq(r.status, 0);
	ax_run_free(&r);
	ax_expect_fail("is the input", "merge '%s' --json '%s/tiling_depth=1.json'", out, out);
	ax_expect_fail("is the input", "merge '%s/tiling_depth=2.json' --csv '%s/tiling_depth=2.json'", out, out);
	/* a directory that does not exist, a directory as the file */
	ax_expect_fail("does not exist", "run '%s' --quiet --json /nonexistent/x.json", elf);
	ax_expect_fail("is a directory", "run '%s' --quiet --json '%s'", elf, out);
	ax_expect_fail("an empty file name", "run '%s' --quiet --json ''", elf);
	free(before);
	free(after);
	free(link);
	free(f);
	free(out);
	free(elf);
	free(yaml);
	free(cfg);
}
END_TEST

/* An ONNX model is an input of import. */
START_TEST(import_onto_its_model)
{
	const char *model = "/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx";
	if (access(model, R_OK)) {
		fprintf(stderr, "check_output: import_onto_its_model skipped: no libonnx-testdata\n");
		return;
	}
	char *copy = ax_tmp("m.onnx");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", model, copy);
	ck_assert_int_eq(system(cmd), 0);
	ax_expect_fail("is the input", "import '%s' -o '%s'", copy, copy);
	size_t n;
	char *s = ax_read_file(copy, &n);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_ne(memcmp(s, "\177ELF", 4), 0);
	free(s);
	free(copy);
}
END_TEST

/* SIGINT or SIGTERM while --trace and --vcd are being written leaves no
 * temporary file: a run of seconds (64-byte DMA chunks) is interrupted
 * once its VCD's temporary file exists. */
START_TEST(signal_removes_temporaries)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	char *elf = ax_compiled(ax_src("models/yolov5s/yolov5s.net.yaml"));
	char name[64];
	snprintf(name, sizeof(name), "sig-%d", _i);
	char *dir = ax_tmp(name);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	char *vcd = ax_xasprintf("%s/run.vcd", dir), *trace = ax_xasprintf("%s/run.json", dir);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execl(getenv("AXSIM_BIN"), "axsim", "run", elf, "--quiet", "--inferences", "64", "--set",
		      "dma.chunk=64B", "--vcd", vcd, "--trace", trace, (char *)NULL);
		_exit(127);
	}
	/* wait for the VCD's temporary file */
	int seen = 0;
	for (int k = 0; k < 3000 && !seen; k++) {
		DIR *d = opendir(dir);
		for (struct dirent *e; d && (e = readdir(d));)
			seen |= strstr(e->d_name, ".tmp-") != NULL;
		if (d)
			closedir(d);
		if (!seen)
			usleep(10000);
	}
	ck_assert_msg(seen, "no temporary file appeared");
	kill(pid, sigs[_i]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == sigs[_i], "status %d", st);
	no_temporaries(dir);
	ck_assert_int_ne(access(vcd, F_OK), 0);
	free(vcd);
	free(trace);
	free(dir);
	free(elf);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("output");
	TCase *t = tcase_create("library");
	tcase_add_test(t, regular_file_keeps_mode);
	tcase_add_test(t, symlink_followed);
	suite_add_tcase(s, t);
	t = tcase_create("tool");
	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, fifo_written_in_place, 0, (int)N_WRITERS);
	tcase_add_loop_test(t, device_nodes_written_in_place, 0, (int)N_WRITERS);
	tcase_add_loop_test(t, symlinked_output, 0, (int)N_WRITERS);
	tcase_add_loop_test(t, dash_is_stdout, 0, (int)N_WRITERS);
	tcase_add_test(t, dash_is_stdin);
	tcase_add_test(t, output_is_an_input);
	tcase_add_test(t, import_onto_its_model);
	tcase_add_loop_test(t, signal_removes_temporaries, 0, 2);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
