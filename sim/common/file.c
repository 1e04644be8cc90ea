#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path (`-`: standard input, not closed later: *owned 0) and stats it. */
static int open_input(const char *path, const char *what, struct stat *st, int *owned,
		      struct ax_err *err)
{
	int fd;
	*owned = strcmp(path, "-") != 0;
	fd = *owned ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		ax_err_add(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, st)) {
		ax_err_add(err, "%s: cannot stat: %s", path, strerror(errno));
	} else if (S_ISDIR(st->st_mode)) {
		ax_err_add(err, "%s: is a directory; expected %s", path, what);
	} else {
		return fd;
	}
	if (*owned)
		close(fd);
	return -1;
}

static int too_large(const char *path, uint64_t max, const char *what, struct ax_err *err)
{
	return ax_err_add(err, "%s: the file is larger than %llu bytes; expected %s", path,
			  (unsigned long long)max, what);
}

/* Reads fd to its end into a heap buffer with a NUL after the bytes: one
 * read of the expected size for a regular file, growing (not zero-filled)
 * for a pipe or a device. */
static int read_fd(int fd, const char *path, uint64_t max, const char *what, size_t expect,
		   unsigned char **out, size_t *len, struct ax_err *err)
{
	size_t cap = expect + 1, n = 0;
	unsigned char *buf = malloc(cap);
	if (!buf)
		AX_BUG("out of memory reading %s (%zu bytes)", path, cap);
	for (;;) {
		if (n > max) {
			free(buf);
			return too_large(path, max, what, err);
		}
		if (cap - n < 2) {
			size_t grow = cap < 65536 ? 65536 : cap;
			buf = ax_xrealloc(buf, cap + grow, 1);
			cap += grow;
		}
		ssize_t got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ax_err_add(err, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			return AX_EIO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return AX_OK;
}

int ax_slurp(const char *path, uint64_t max, const char *what, unsigned char **out, size_t *len,
	     struct ax_err *err)
{
	*out = NULL;
	*len = 0;
	struct stat st;
	int owned;
	int fd = open_input(path, what, &st, &owned, err);
	if (fd < 0)
		return AX_EIO;
	int rc;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		rc = too_large(path, max, what, err);
	else
		rc = read_fd(fd, path, max, what, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, out, len, err);
	if (owned)
		close(fd);
	return rc;
}

int ax_input_read(struct ax_input *in, const char *path, uint64_t max, const char *what,
		  struct ax_err *err)
{
	memset(in, 0, sizeof(*in));
	struct stat st;
	int owned;
	int fd = open_input(path, what, &st, &owned, err);
	if (fd < 0)
		return AX_EIO;
	int rc = AX_OK;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		rc = too_large(path, max, what, err);
	} else if (S_ISREG(st.st_mode) && st.st_size > 0) {
		/* private and writable: a reader may patch its copy, never the file */
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			in->buf = m;
			in->len = (size_t)st.st_size;
			in->map_len = in->len;
		} else {
			rc = read_fd(fd, path, max, what, (size_t)st.st_size, &in->buf, &in->len, err);
		}
	} else {
		rc = read_fd(fd, path, max, what, 0, &in->buf, &in->len, err);
	}
	if (owned)
		close(fd);
	return rc;
}

void ax_input_release(struct ax_input *in)
{
	if (in->map_len)
		munmap(in->buf, in->map_len);
	else
		free(in->buf);
	memset(in, 0, sizeof(*in));
}
