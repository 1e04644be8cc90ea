#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ax_key_find(const char *name, struct ax_key *k)
{
	const struct ax_arch_key *a = ax_arch_key_find(name);
	int cc = a ? -1 : ax_ccfg_find(name);
	if (!a && cc < 0)
		return -1;
	k->arch = a;
	k->cc = cc;
	k->name = a ? a->path : ax_ccfg_keyinfo((enum ax_ccfg_id)cc)->name;
	return 0;
}

const char **ax_key_names(size_t *n)
{
	size_t na;
	const struct ax_arch_key *keys = ax_arch_keys(&na);
	const char **names = ax_xcalloc(na + AX_CC_COUNT + 1, sizeof(*names));
	for (size_t i = 0; i < na; i++)
		names[i] = keys[i].path;
	for (int i = 0; i < AX_CC_COUNT; i++)
		names[na + (size_t)i] = ax_ccfg_keyinfo((enum ax_ccfg_id)i)->name;
	*n = na + AX_CC_COUNT;
	return names;
}

/* A real as the report writes it: 6 significant digits, so that the text is
 * stable and short. */
static json_t *real6(double v)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6g", v);
	return json_real(strtod(buf, NULL));
}

json_t *ax_key_json(const struct ax_key *k, const struct ax_arch *a, const struct ax_ccfg *c)
{
	if (k->arch)
		return json_integer((json_int_t)ax_arch_get(a, k->arch));
	enum ax_ccfg_id id = (enum ax_ccfg_id)k->cc;
	const struct ax_ccfg_keyinfo *ki = ax_ccfg_keyinfo(id);
	if (!strcmp(ki->type, "bool"))
		return json_boolean(c->v[id]);
	if (!strcmp(ki->type, "integer"))
		return json_integer(c->v[id]);
	if (!strcmp(ki->type, "fraction"))
		return real6((double)c->v[id] / 1000.0);
	if (id == AX_CC_CLOCK_PROFILE)
		return json_integer((json_int_t)ax_ccfg_clock_mhz(c));
	if (!strcmp(ki->type, "path"))
		return c->v[id] && c->config_file ? json_string(c->config_file) : json_null();
	if (!strcmp(ki->type, "list")) {
		json_t *l = json_array();
		for (int i = 0; i < 64; i++)
			if ((unsigned long long)c->v[id] >> i & 1)
				json_array_append_new(l, json_integer(i));
		return l;
	}
	char buf[64];
	ax_ccfg_format(c, id, buf, sizeof(buf));
	return json_string(buf);
}

json_t *ax_key_parse(const struct ax_key *k, const char *text, const char *origin, struct ax_err *err)
{
	if (k->arch) {
		char where[600];
		snprintf(where, sizeof(where), "--set '%s=%s'", k->name, text);
		uint64_t v;
		if (ax_arch_parse(k->arch, text, where, &v, err))
			return NULL;
		return json_integer((json_int_t)v);
	}
	struct ax_ccfg c;
	ax_ccfg_init(&c);
	json_t *j = NULL;
	if (!ax_ccfg_set(&c, k->name, text, origin, err))
		j = ax_key_json(k, NULL, &c);
	ax_ccfg_release(&c);
	return j;
}

void ax_key_text(const struct ax_key *k, const json_t *v, char *buf, size_t len)
{
	if (k->arch && json_is_integer(v)) {
		uint64_t x = (uint64_t)json_integer_value(v), back;
		const char *why;
		ax_unit_format(x, k->arch->unit, buf, len);
		if (ax_unit_parse(buf, k->arch->unit, &back, &why) || back != x)
			snprintf(buf, len, "%llu", (unsigned long long)x);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_TRUE: snprintf(buf, len, "true"); break;
	case JSON_FALSE: snprintf(buf, len, "false"); break;
	case JSON_INTEGER: snprintf(buf, len, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: snprintf(buf, len, "%g", json_real_value(v)); break;
	case JSON_STRING: snprintf(buf, len, "%s", json_string_value(v)); break;
	default: snprintf(buf, len, "?"); break;
	}
}

void ax_key_format(const struct ax_key *k, const struct ax_arch *a, const struct ax_ccfg *c, char *buf,
		   size_t len)
{
	if (k->arch)
		ax_unit_format(ax_arch_get(a, k->arch), k->arch->unit, buf, len);
	else
		ax_ccfg_format(c, (enum ax_ccfg_id)k->cc, buf, len);
}
