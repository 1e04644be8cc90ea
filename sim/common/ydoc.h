/*
 * ydoc.h - a YAML document loaded by libyaml into a tree of nodes that keep
 * their source position, so that every later check can name file:line:column.
 *
 * Aliases and anchors are rejected (no vendor file uses them, and they allow
 * exponential documents); duplicate mapping keys are rejected.  Only the first
 * document of a stream is read; a second one is an error.
 */
#ifndef AX_YDOC_H
#define AX_YDOC_H

#include <stddef.h>
#include "err.h"

enum ax_ykind { AX_Y_SCALAR, AX_Y_SEQ, AX_Y_MAP };

struct ax_ynode {
	enum ax_ykind kind;
	int line, col;           /* 1-based position of the node's start */
	char *str;               /* scalar text (AX_Y_SCALAR) */
	int plain;               /* scalar was unquoted (so 'null', 'true' have meaning) */
	size_t n;                /* number of items (seq) or pairs (map) */
	struct ax_ynode **items; /* seq items, or map values */
	struct ax_ynode **keys;  /* map keys (scalars), NULL for seq */
};

struct ax_ydoc {
	char *file;              /* name used in messages */
	struct ax_ynode *root;   /* NULL for an empty document */
};

/*
 * Parse a file or a buffer.  On failure returns AX_EINPUT/AX_EIO with one
 * message "file:line:col: ..." in err and leaves doc empty.  The caller
 * releases doc with ax_ydoc_release in every case.  A file is read through
 * ax_slurp: at most AX_YAML_MAX_FILE_BYTES (configurations and network
 * descriptions are kilobytes; the limit keeps /dev/zero from hanging).
 */
#define AX_YAML_MAX_FILE_BYTES ((uint64_t)64 << 20)
int ax_ydoc_load_file(struct ax_ydoc *doc, const char *path, struct ax_err *err);
int ax_ydoc_load_buf(struct ax_ydoc *doc, const char *name, const char *buf,
		     size_t len, struct ax_err *err);
void ax_ydoc_release(struct ax_ydoc *doc);

/* Value of key in a mapping node, or NULL (also when map is not a mapping). */
struct ax_ynode *ax_ynode_get(const struct ax_ynode *map, const char *key);
/* The key node of a mapping pair whose value is val (for its position). */
const char *ax_ykind_name(enum ax_ykind k);

/* The words YAML 1.1 reads as booleans (true/yes/on, false/no/off and their
 * capitalised forms): 0 with *out set, or -1. */
int ax_parse_bool(const char *s, int *out);

/* Typed scalar readers.  Each returns AX_OK or appends
 * "file:line:col: what: 'value' is ...; expected ..." to err. */
int ax_ynode_bool(const struct ax_ydoc *d, const struct ax_ynode *n,
		  const char *what, int *out, struct ax_err *err);
int ax_ynode_i64(const struct ax_ydoc *d, const struct ax_ynode *n,
		 const char *what, long long lo, long long hi, long long *out,
		 struct ax_err *err);
int ax_ynode_f64(const struct ax_ydoc *d, const struct ax_ynode *n,
		 const char *what, double lo, double hi, double *out,
		 struct ax_err *err);
/* Requires a scalar; *out points into the node. */
int ax_ynode_str(const struct ax_ydoc *d, const struct ax_ynode *n,
		 const char *what, const char **out, struct ax_err *err);
/* Requires a node of the given kind. */
int ax_ynode_expect(const struct ax_ydoc *d, const struct ax_ynode *n,
		    enum ax_ykind kind, const char *what, struct ax_err *err);

/* Edit distance, for did-you-mean suggestions. */
size_t ax_edit_distance(const char *a, const char *b);
/* Best match of s among the NULL-terminated list names, or NULL if none is
 * close (distance at most a third of the length, at least 2). */
const char *ax_suggest(const char *s, const char *const *names, size_t n);

#endif
