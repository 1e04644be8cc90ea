// toml.cpp - the TOML reader behind toml.h: a thin shell around toml++
// (Debian's libtomlplusplus; there is no packaged C TOML parser).  No
// exception crosses the extern "C" boundary.

#include "toml.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <toml++/toml.h>

extern "C" {
#include "../common/file.h"
}

namespace {

// Nesting accepted, as for YAML (ydoc.c): guards the recursion.
constexpr int max_depth = 64;

ax_ynode *new_node(ax_ykind kind, const toml::source_region &src)
{
	auto *n = static_cast<ax_ynode *>(ax_xcalloc(1, sizeof(ax_ynode)));
	n->kind = kind;
	n->line = src.begin.line ? int(src.begin.line) : 1;
	n->col = src.begin.column ? int(src.begin.column) : 1;
	return n;
}

void push(ax_ynode *parent, ax_ynode *key, ax_ynode *val)
{
	parent->items = static_cast<ax_ynode **>(ax_xrealloc(parent->items, parent->n + 1, sizeof(ax_ynode *)));
	if (key)
		parent->keys = static_cast<ax_ynode **>(ax_xrealloc(parent->keys, parent->n + 1, sizeof(ax_ynode *)));
	parent->items[parent->n] = val;
	if (key)
		parent->keys[parent->n] = key;
	parent->n++;
}

std::string scalar_text(const toml::node &v, int *plain)
{
	*plain = 1;
	if (auto b = v.as_boolean())
		return b->get() ? "true" : "false";
	if (auto i = v.as_integer())
		return std::to_string(i->get());
	if (auto f = v.as_floating_point()) {
		char buf[64];
		std::snprintf(buf, sizeof(buf), "%.15g", f->get());
		return buf;
	}
	if (auto s = v.as_string()) {
		*plain = 0;
		return s->get();
	}
	std::ostringstream o;  // dates and times, as TOML writes them
	if (auto d = v.as_date())
		o << d->get();
	else if (auto t = v.as_time())
		o << t->get();
	else if (auto dt = v.as_date_time())
		o << dt->get();
	return o.str();
}

ax_ynode *convert(const toml::node &v, int depth, const char *path, ax_err *err)
{
	if (depth > max_depth) {
		ax_err_add(err, "%s:%u:%u: nesting deeper than %d levels", path, v.source().begin.line,
			   v.source().begin.column, max_depth);
		return nullptr;
	}
	if (auto t = v.as_table()) {
		ax_ynode *n = new_node(AX_Y_MAP, v.source());
		for (auto &&[k, item] : *t) {
			ax_ynode *kn = new_node(AX_Y_SCALAR, k.source());
			kn->str = ax_xstrdup(std::string(k.str()).c_str());
			kn->plain = 1;
			ax_ynode *vn = convert(item, depth + 1, path, err);
			push(n, kn, vn);
			if (!vn)
				return n;  // freed by the caller with the whole tree
		}
		return n;
	}
	if (auto a = v.as_array()) {
		ax_ynode *n = new_node(AX_Y_SEQ, v.source());
		for (auto &&item : *a) {
			ax_ynode *vn = convert(item, depth + 1, path, err);
			if (!vn)
				return n;
			push(n, nullptr, vn);
		}
		return n;
	}
	ax_ynode *n = new_node(AX_Y_SCALAR, v.source());
	std::string s = scalar_text(v, &n->plain);
	n->str = ax_xstrdup(s.c_str());
	if (s.size() != std::strlen(n->str))
		ax_err_add(err, "%s:%d:%d: string contains a NUL character", path, n->line, n->col);
	return n;
}

}  // namespace

extern "C" int ax_toml_load_file(struct ax_ydoc *doc, const char *path, struct ax_err *err)
{
	doc->file = ax_xstrdup(path);
	doc->root = nullptr;
	unsigned char *buf = nullptr;
	size_t len = 0;
	int rc = ax_slurp(path, AX_YAML_MAX_FILE_BYTES, "a TOML file", &buf, &len, err);
	if (rc)
		return rc;
	int before = err->count;
	try {
		toml::table t = toml::parse(std::string_view(reinterpret_cast<const char *>(buf), len),
					    std::string_view(path));
		doc->root = convert(t, 0, path, err);
		if (doc->root) {  // the whole file: its position is its start
			doc->root->line = 1;
			doc->root->col = 1;
		}
	} catch (const toml::parse_error &e) {
		const auto &b = e.source().begin;
		ax_err_add(err, "%s:%u:%u: invalid TOML: %s", path, unsigned(b.line), unsigned(b.column),
			   std::string(e.description()).c_str());
	} catch (const std::exception &e) {
		ax_err_add(err, "%s: cannot read the TOML file: %s", path, e.what());
	} catch (...) {
		ax_err_add(err, "%s: cannot read the TOML file", path);
	}
	std::free(buf);
	if (err->count > before) {
		ax_ydoc_release(doc);
		doc->file = ax_xstrdup(path);
		return AX_EINPUT;
	}
	return AX_OK;
}
