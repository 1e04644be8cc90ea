#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ax_slurp(const char *path, uint64_t max, const char *what, unsigned char **out, size_t *len,
	     struct ax_err *err)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		ax_err_add(err, "%s: cannot open: %s", path, strerror(errno));
		return AX_EIO;
	}
	struct stat st;
	int rc = AX_OK;
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;
	if (fstat(fd, &st)) {
		ax_err_add(err, "%s: cannot stat: %s", path, strerror(errno));
		rc = AX_EIO;
		goto out_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		ax_err_add(err, "%s: is a directory; expected %s", path, what);
		rc = AX_EIO;
		goto out_fd;
	}
	for (;;) {
		if (n > max) {
			rc = ax_err_add(err, "%s: the file is larger than %llu bytes; expected %s", path,
					(unsigned long long)max, what);
			goto out_buf;
		}
		AX_GROW(buf, cap, n + 65536);
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ax_err_add(err, "%s: cannot read: %s", path, strerror(errno));
			rc = AX_EIO;
			goto out_buf;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*out = buf;
	*len = n;
	goto out_fd;
out_buf:
	free(buf);
out_fd:
	close(fd);
	return rc;
}
