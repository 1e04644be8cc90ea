#include "ydoc.h"

#include "file.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <yaml.h>

/* Deepest nesting accepted: guards the recursive loader against hostile input. */
#define AX_YDOC_MAX_DEPTH 64

static void ynode_free(struct ax_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		ynode_free(n->items[i]);
		if (n->keys)
			ynode_free(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->str);
	free(n);
}

void ax_ydoc_release(struct ax_ydoc *doc)
{
	ynode_free(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

struct loader {
	yaml_parser_t parser;
	const char *file;
	struct ax_err *err;
	const unsigned char *buf;  /* the text, for the place of an encoding error */
	size_t len;
};

static int parse_error(struct loader *l)
{
	yaml_parser_t *p = &l->parser;
	const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->mark;
	if (p->error == YAML_READER_ERROR) {
		/* libyaml gives an encoding error a byte offset, not a mark */
		size_t line = 1, col = 1;
		for (size_t i = 0; i < p->problem_offset && i < l->len; i++) {
			if (l->buf[i] == '\n') {
				line++;
				col = 1;
			} else if ((l->buf[i] & 0xc0) != 0x80) {
				col++;
			}
		}
		return ax_err_add(l->err, "%s:%zu:%zu: invalid YAML: %s (byte %zu)", l->file, line, col,
				  p->problem ? p->problem : "error", p->problem_offset);
	}
	if (p->context)
		return ax_err_add(l->err, "%s:%zu:%zu: invalid YAML: %s %s",
				  l->file, m->line + 1, m->column + 1,
				  p->problem ? p->problem : "error", p->context);
	return ax_err_add(l->err, "%s:%zu:%zu: invalid YAML: %s", l->file,
			  m->line + 1, m->column + 1,
			  p->problem ? p->problem : "error");
}

static int next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return parse_error(l);
	return AX_OK;
}

static int load_node(struct loader *l, yaml_event_t *ev, int depth,
		     struct ax_ynode **out);

static int load_children(struct loader *l, struct ax_ynode *n, int depth)
{
	size_t icap = 0, kcap = 0;
	for (;;) {
		yaml_event_t ev;
		if (next_event(l, &ev))
			return AX_EINPUT;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return AX_OK;
		}
		struct ax_ynode *key = NULL, *val = NULL;
		if (n->kind == AX_Y_MAP) {
			int rc = load_node(l, &ev, depth + 1, &key);
			if (rc)
				return rc;
			if (key->kind != AX_Y_SCALAR) {
				int r = ax_err_add(l->err, "%s:%d:%d: mapping keys must be plain scalars, found a %s",
						   l->file, key->line, key->col, ax_ykind_name(key->kind));
				ynode_free(key);
				return r;
			}
			for (size_t i = 0; i < n->n; i++) {
				if (!strcmp(n->keys[i]->str, key->str)) {
					int r = ax_err_add(l->err, "%s:%d:%d: duplicate key '%s' (first at line %d)",
							   l->file, key->line, key->col, key->str, n->keys[i]->line);
					ynode_free(key);
					return r;
				}
			}
			if (next_event(l, &ev)) {
				ynode_free(key);
				return AX_EINPUT;
			}
		}
		int rc = load_node(l, &ev, depth + 1, &val);
		if (rc) {
			ynode_free(key);
			return rc;
		}
		AX_GROW(n->items, icap, n->n + 1);
		if (n->kind == AX_Y_MAP) {
			AX_GROW(n->keys, kcap, n->n + 1);
			n->keys[n->n] = key;
		}
		n->items[n->n++] = val;
	}
}

/* Builds the node that starts with *ev (which it consumes). */
static int load_node(struct loader *l, yaml_event_t *ev, int depth,
		     struct ax_ynode **out)
{
	*out = NULL;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	if (depth > AX_YDOC_MAX_DEPTH) {
		yaml_event_delete(ev);
		return ax_err_add(l->err, "%s:%d:%d: nesting deeper than %d levels",
				  l->file, line, col, AX_YDOC_MAX_DEPTH);
	}
	/* anchors are rejected like aliases (see ydoc.h) */
	const yaml_char_t *anchor = ev->type == YAML_SCALAR_EVENT ? ev->data.scalar.anchor :
		ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor :
		ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.anchor : NULL;
	if (anchor) {
		int r = ax_err_add(l->err, "%s:%d:%d: YAML anchors ('&%s') are not supported; write the value out",
				   l->file, line, col, (const char *)anchor);
		yaml_event_delete(ev);
		return r;
	}
	struct ax_ynode *n = ax_xcalloc(1, sizeof(*n));
	n->line = line;
	n->col = col;
	int rc = AX_OK;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		rc = ax_err_add(l->err, "%s:%d:%d: YAML aliases ('*%s') are not supported; write the value out",
				l->file, line, col, (const char *)ev->data.alias.anchor);
		break;
	case YAML_SCALAR_EVENT:
		n->kind = AX_Y_SCALAR;
		n->str = ax_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen(n->str) != ev->data.scalar.length)
			rc = ax_err_add(l->err, "%s:%d:%d: scalar contains a NUL character",
					l->file, line, col);
		break;
	case YAML_SEQUENCE_START_EVENT:
		n->kind = AX_Y_SEQ;
		break;
	case YAML_MAPPING_START_EVENT:
		n->kind = AX_Y_MAP;
		break;
	default:
		rc = ax_err_add(l->err, "%s:%d:%d: unexpected YAML event", l->file, line, col);
		break;
	}
	yaml_event_type_t t = ev->type;
	yaml_event_delete(ev);
	if (!rc && (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT))
		rc = load_children(l, n, depth);
	if (rc) {
		ynode_free(n);
		return rc;
	}
	*out = n;
	return AX_OK;
}

static int load(struct ax_ydoc *doc, const char *name, const unsigned char *buf,
		size_t len, struct ax_err *err)
{
	struct loader l = { .file = name, .err = err, .buf = buf, .len = len };
	doc->file = ax_xstrdup(name);
	doc->root = NULL;
	if (!yaml_parser_initialize(&l.parser))
		AX_BUG("libyaml could not initialise a parser");
	yaml_parser_set_input_string(&l.parser, buf, len);
	int rc = AX_OK, ndocs = 0;
	for (;;) {
		yaml_event_t ev;
		if ((rc = next_event(&l, &ev)))
			break;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (t == YAML_DOCUMENT_START_EVENT) {
			int line = (int)ev.start_mark.line + 1;
			yaml_event_delete(&ev);
			if (++ndocs > 1) {
				rc = ax_err_add(err, "%s:%d:1: a second YAML document; expected one document per file",
						name, line);
				break;
			}
			continue;
		}
		if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if ((rc = load_node(&l, &ev, 0, &doc->root)))
			break;
	}
	yaml_parser_delete(&l.parser);
	if (rc) {
		ynode_free(doc->root);
		doc->root = NULL;
	}
	return rc;
}

int ax_ydoc_load_buf(struct ax_ydoc *doc, const char *name, const char *buf,
		     size_t len, struct ax_err *err)
{
	return load(doc, name, (const unsigned char *)buf, len, err);
}

int ax_ydoc_load_file(struct ax_ydoc *doc, const char *path, struct ax_err *err)
{
	doc->file = NULL;
	doc->root = NULL;
	unsigned char *buf;
	size_t len;
	int rc = ax_slurp(path, AX_YAML_MAX_FILE_BYTES, "a YAML file", &buf, &len, err);
	if (rc) {
		doc->file = ax_xstrdup(path);
		return rc;
	}
	rc = load(doc, path, buf, len, err);
	free(buf);
	return rc;
}

struct ax_ynode *ax_ynode_get(const struct ax_ynode *map, const char *key)
{
	if (!map || map->kind != AX_Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i]->str, key))
			return map->items[i];
	return NULL;
}

const char *ax_ykind_name(enum ax_ykind k)
{
	switch (k) {
	case AX_Y_SCALAR: return "scalar";
	case AX_Y_SEQ: return "sequence";
	case AX_Y_MAP: return "mapping";
	}
	return "?";
}

int ax_ynode_expect(const struct ax_ydoc *d, const struct ax_ynode *n,
		    enum ax_ykind kind, const char *what, struct ax_err *err)
{
	if (n->kind == kind)
		return AX_OK;
	return ax_err_add(err, "%s:%d:%d: %s: found a %s; expected a %s", d->file,
			  n->line, n->col, what, ax_ykind_name(n->kind), ax_ykind_name(kind));
}

int ax_ynode_str(const struct ax_ydoc *d, const struct ax_ynode *n,
		 const char *what, const char **out, struct ax_err *err)
{
	if (ax_ynode_expect(d, n, AX_Y_SCALAR, what, err))
		return AX_EINPUT;
	*out = n->str;
	return AX_OK;
}

int ax_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "on", "On" };
	static const char *const no[] = { "false", "False", "FALSE", "no", "No", "off", "Off" };
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) { *out = 1; return 0; }
		if (!strcmp(s, no[i])) { *out = 0; return 0; }
	}
	return -1;
}

int ax_ynode_bool(const struct ax_ydoc *d, const struct ax_ynode *n,
		  const char *what, int *out, struct ax_err *err)
{
	if (ax_ynode_expect(d, n, AX_Y_SCALAR, what, err))
		return AX_EINPUT;
	if (!ax_parse_bool(n->str, out))
		return AX_OK;
	return ax_err_add(err, "%s:%d:%d: %s: '%s' is not a boolean; expected true or false",
			  d->file, n->line, n->col, what, n->str);
}

int ax_ynode_i64(const struct ax_ydoc *d, const struct ax_ynode *n,
		 const char *what, long long lo, long long hi, long long *out,
		 struct ax_err *err)
{
	if (ax_ynode_expect(d, n, AX_Y_SCALAR, what, err))
		return AX_EINPUT;
	char *end;
	errno = 0;
	long long v = strtoll(n->str, &end, 10);
	if (!n->str[0] || *end || errno == ERANGE || v < lo || v > hi)
		return ax_err_add(err, "%s:%d:%d: %s: '%s' is %s; expected an integer from %lld to %lld",
				  d->file, n->line, n->col, what, n->str,
				  (!n->str[0] || *end) ? "not an integer" : "out of range", lo, hi);
	*out = v;
	return AX_OK;
}

int ax_ynode_f64(const struct ax_ydoc *d, const struct ax_ynode *n,
		 const char *what, double lo, double hi, double *out,
		 struct ax_err *err)
{
	if (ax_ynode_expect(d, n, AX_Y_SCALAR, what, err))
		return AX_EINPUT;
	char *end;
	errno = 0;
	double v = strtod(n->str, &end);
	if (!n->str[0] || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
		return ax_err_add(err, "%s:%d:%d: %s: '%s' is %s; expected a number from %g to %g",
				  d->file, n->line, n->col, what, n->str,
				  (!n->str[0] || *end) ? "not a number" : "out of range", lo, hi);
	*out = v;
	return AX_OK;
}

size_t ax_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 256 || lb > 256)
		return SIZE_MAX;
	size_t row[257];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best) best = up + 1;
			if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *ax_suggest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t bestd = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t d = ax_edit_distance(s, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	size_t lim = strlen(s) / 3;
	if (lim < 2)
		lim = 2;
	return bestd <= lim ? best : NULL;
}
