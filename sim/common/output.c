#define _GNU_SOURCE /* mkstemps */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- temporary files removed on SIGINT and SIGTERM ---- */

#define PENDING_MAX 64
/* Written only outside the handler, one pointer at a time; the handler only
 * reads them (unlink is async-signal-safe). */
static char *volatile pending[PENDING_MAX];

static void pending_add(char *p)
{
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (!pending[i]) {
			pending[i] = p;
			return;
		}
}

static void pending_del(const char *p)
{
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i] == p)
			pending[i] = NULL;
}

static void on_signal(int sig)
{
	for (size_t i = 0; i < PENDING_MAX; i++)
		if (pending[i])
			unlink(pending[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void ax_out_cleanup_on_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* ---- paths ---- */

/* The directory part of path ("." when it has none; heap). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ax_xstrdup(".");
	if (slash == path)
		return ax_xstrdup("/");
	return ax_xstrndup(path, (size_t)(slash - path));
}

/* path with its symlinks followed to what they name, existing or not (heap);
 * NULL with a message on a loop. */
static char *resolve(const char *path, struct ax_err *err)
{
	char *cur = ax_xstrdup(path);
	for (int hop = 0; hop < 40; hop++) {
		struct stat st;
		if (lstat(cur, &st) || !S_ISLNK(st.st_mode))
			return cur;
		char buf[PATH_MAX];
		ssize_t n = readlink(cur, buf, sizeof(buf) - 1);
		if (n < 0)
			return cur;
		buf[n] = '\0';
		char *next;
		if (buf[0] == '/') {
			next = ax_xstrdup(buf);
		} else {
			char *d = dir_of(cur);
			next = ax_xasprintf("%s/%s", d, buf);
			free(d);
		}
		free(cur);
		cur = next;
	}
	ax_err_add(err, "%s: cannot write: too many levels of symbolic links", path);
	free(cur);
	return NULL;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Opens a target that is not a regular file (or `-`) for writing in place. */
static int open_in_place(const struct ax_out *o)
{
	if (!o->target)
		return dup(STDOUT_FILENO);
	return open(o->target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
}

/* ---- one output ---- */

static void out_release(struct ax_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	if (o->tmp) {
		/* removed before it leaves the handler's list, never after */
		unlink(o->tmp);
		pending_del(o->tmp);
	}
	free(o->tmp);
	free(o->target);
	free(o->path);
	memset(o, 0, sizeof(*o));
	o->fd = -1;
}

/* Fills o->path, o->target and o->in_place; *st the target's status, with
 * *exists. */
static int out_locate(struct ax_out *o, const char *path, struct stat *st, int *exists,
		      struct ax_err *err)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = ax_xstrdup(path);
	*exists = 0;
	if (!strcmp(path, "-")) {
		o->in_place = 1;
		return AX_OK;
	}
	o->target = resolve(path, err);
	if (!o->target)
		return AX_EIO;
	if (!stat(o->target, st)) {
		*exists = 1;
		if (S_ISDIR(st->st_mode)) {
			ax_err_add(err, "%s: cannot write: is a directory; expected a file", path);
			return AX_EIO;
		}
		o->in_place = !S_ISREG(st->st_mode);
	}
	return AX_OK;
}

int ax_out_begin(struct ax_out *o, const char *path, const char *suffix, struct ax_err *err)
{
	struct stat st;
	int exists;
	if (out_locate(o, path, &st, &exists, err)) {
		out_release(o);
		return AX_EIO;
	}
	if (o->in_place) {
		const char *dir = getenv("TMPDIR");
		o->tmp = ax_xasprintf("%s/axsim-out-XXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
	} else {
		o->tmp = ax_xasprintf("%s.tmp-XXXXXX%s", o->target, suffix);
	}
	/* the file and its registration for the signal handler come together:
	 * a signal between the two would leave the file behind */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	o->fd = mkstemps(o->tmp, (int)strlen(suffix));
	if (o->fd >= 0)
		pending_add(o->tmp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (o->fd < 0) {
		ax_err_add(err, "%s: cannot create a temporary file %s: %s", path, o->tmp, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		out_release(o);
		return AX_EIO;
	}
	if (!o->in_place) {
		mode_t mode;
		if (exists) {
			mode = st.st_mode & 07777;
			if (geteuid() == 0 && fchown(o->fd, st.st_uid, st.st_gid))
				(void)0; /* the owner is kept where possible */
		} else {
			mode_t mask = umask(0);
			umask(mask);
			mode = 0666 & ~mask;
		}
		if (fchmod(o->fd, mode)) {
			ax_err_add(err, "%s: cannot set the mode of %s: %s", path, o->tmp, strerror(errno));
			out_release(o);
			return AX_EIO;
		}
	}
	return AX_OK;
}

int ax_out_commit(struct ax_out *o, struct ax_err *err)
{
	int rc = AX_OK;
	if (o->fd >= 0) {
		int c = close(o->fd);
		o->fd = -1;
		if (c) {
			ax_err_add(err, "%s: cannot write: %s", o->path, strerror(errno));
			rc = AX_EIO;
			goto out;
		}
	}
	if (!o->in_place) {
		if (rename(o->tmp, o->target)) {
			ax_err_add(err, "%s: cannot rename %s to it: %s", o->path, o->tmp, strerror(errno));
			rc = AX_EIO;
			goto out;
		}
		pending_del(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		goto out;
	}
	/* a device, a FIFO or standard output: the bytes go into it */
	int in = open(o->tmp, O_RDONLY | O_CLOEXEC);
	int fd = in < 0 ? -1 : open_in_place(o);
	if (in < 0 || fd < 0) {
		ax_err_add(err, "%s: cannot write: %s", o->path, strerror(errno));
		rc = AX_EIO;
	}
	static char buf[1 << 16];
	while (!rc) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && write_all(fd, buf, (size_t)n))) {
			ax_err_add(err, "%s: cannot write: %s", o->path, strerror(errno));
			rc = AX_EIO;
		}
		if (n <= 0)
			break;
	}
	if (fd >= 0 && close(fd) && !rc) {
		ax_err_add(err, "%s: cannot write: %s", o->path, strerror(errno));
		rc = AX_EIO;
	}
	if (in >= 0)
		close(in);
out:
	out_release(o);
	return rc;
}

void ax_out_abandon(struct ax_out *o)
{
	out_release(o);
}

int ax_out_write(const char *path, const void *data, size_t len, struct ax_err *err)
{
	struct ax_out o;
	struct stat st;
	int exists;
	if (out_locate(&o, path, &st, &exists, err)) {
		out_release(&o);
		return AX_EIO;
	}
	if (o.in_place) {
		/* no temporary file needed: the bytes are all here */
		int fd = open_in_place(&o);
		int rc = AX_OK;
		if (fd < 0 || write_all(fd, data, len)) {
			ax_err_add(err, "%s: cannot write: %s", path, strerror(errno));
			rc = AX_EIO;
		}
		if (fd >= 0 && close(fd) && !rc) {
			ax_err_add(err, "%s: cannot write: %s", path, strerror(errno));
			rc = AX_EIO;
		}
		out_release(&o);
		return rc;
	}
	out_release(&o);
	if (ax_out_begin(&o, path, "", err))
		return AX_EIO;
	if (write_all(o.fd, data, len)) {
		ax_err_add(err, "%s: cannot write: %s", path, strerror(errno));
		ax_out_abandon(&o);
		return AX_EIO;
	}
	return ax_out_commit(&o, err);
}

/* ---- checks before work ---- */

struct ident {
	int known;        /* exists: dev and ino valid */
	dev_t dev;
	ino_t ino;
	int chardev;
	char *name;       /* canonical name when it does not exist, "-" for stdout */
};

static int same(const struct ident *a, const struct ident *b)
{
	if (a->known && b->known)
		return a->dev == b->dev && a->ino == b->ino;
	if (!a->known && !b->known && a->name && b->name)
		return !strcmp(a->name, b->name);
	return 0;
}

/* Checks one output; fills id.  Returns non-zero when it cannot be written. */
static int check_one(const struct ax_out_spec *s, struct ident *id, struct ax_err *err)
{
	memset(id, 0, sizeof(*id));
	if (!s->path[0])
		return ax_err_add(err, "%s: an empty file name; expected a file or - for standard output", s->option);
	if (!strcmp(s->path, "-")) {
		id->name = ax_xstrdup("-");
		return AX_OK;
	}
	struct ax_err local;
	ax_err_init(&local);
	char *target = resolve(s->path, &local);
	if (!target) {
		ax_err_append(err, &local);
		ax_err_release(&local);
		return AX_EINPUT;
	}
	ax_err_release(&local);
	int rc = AX_OK;
	struct stat st;
	int exists = !stat(target, &st);
	if (exists) {
		id->known = 1;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->chardev = S_ISCHR(st.st_mode);
		if (S_ISDIR(st.st_mode)) {
			rc = ax_err_add(err, "%s %s: is a directory; expected a file", s->option, s->path);
			goto out;
		}
		if (access(target, W_OK)) {
			rc = ax_err_add(err, "%s %s: cannot write: %s", s->option, s->path, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			goto out; /* written in place */
	}
	/* a regular file: a temporary file beside it, renamed */
	char *dir = dir_of(target);
	struct stat ds;
	if (stat(dir, &ds) || !S_ISDIR(ds.st_mode))
		rc = ax_err_add(err, "%s %s: the directory %s does not exist; expected an existing directory",
				s->option, s->path, dir);
	else if (access(dir, W_OK | X_OK))
		rc = ax_err_add(err, "%s %s: cannot write in the directory %s: %s", s->option, s->path, dir,
				strerror(errno));
	if (!rc && !exists) {
		char real[PATH_MAX];
		const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		id->name = realpath(dir, real) ? ax_xasprintf("%s/%s", real, base) : ax_xstrdup(target);
	}
	free(dir);
out:
	free(target);
	return rc;
}

int ax_out_check(const struct ax_out_spec *outs, size_t n_outs, const char *const *inputs,
		 size_t n_inputs, struct ax_err *err)
{
	int n0 = err->count;
	struct ident *ids = ax_xcalloc(n_outs + 1, sizeof(*ids));
	int *ok = ax_xcalloc(n_outs + 1, sizeof(*ok));
	for (size_t i = 0; i < n_outs; i++) {
		if (!outs[i].path)
			continue;
		ok[i] = !check_one(&outs[i], &ids[i], err);
		if (!ok[i] || !ids[i].known)
			continue;
		for (size_t k = 0; k < n_inputs; k++) {
			struct stat st;
			if (!inputs[k] || !strcmp(inputs[k], "-") || stat(inputs[k], &st))
				continue;
			if (st.st_dev == ids[i].dev && st.st_ino == ids[i].ino && !ids[i].chardev) {
				ax_err_add(err, "%s %s: is the input %s; expected another file (it would be replaced)",
					   outs[i].option, outs[i].path, inputs[k]);
				ok[i] = 0;
				break;
			}
		}
	}
	for (size_t i = 0; i < n_outs; i++)
		for (size_t k = i + 1; k < n_outs && ok[i]; k++)
			if (ok[k] && !ids[i].chardev && same(&ids[i], &ids[k])) {
				ax_err_add(err, "%s %s and %s %s: the same file; expected a file of its own for each output",
					   outs[i].option, outs[i].path, outs[k].option, outs[k].path);
				ok[k] = 0;
			}
	for (size_t i = 0; i < n_outs; i++)
		free(ids[i].name);
	free(ids);
	free(ok);
	return err->count > n0 ? AX_EINPUT : AX_OK;
}
