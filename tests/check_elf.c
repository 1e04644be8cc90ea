/* check_elf.c - the compiled network file (docs/elf-format.md): round trips,
 * the symbol table as other ELF tools see it, and hostile files. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/elf.h"
#include "testutil.h"

/* ---- helpers ---- */

static unsigned char *read_bin(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	unsigned char *buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_bin(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void wr64(unsigned char *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* A section of a good file, found by parsing the headers by hand. */
struct sec {
	size_t hdr;          /* file offset of its section header */
	uint64_t off, size;  /* contents */
};

static struct sec find_sec(const unsigned char *b, const char *name)
{
	uint64_t shoff = rd64(b + 0x28);
	unsigned shnum = b[0x3c] | b[0x3d] << 8, shstrndx = b[0x3e] | b[0x3f] << 8;
	const unsigned char *strs = b + rd64(b + shoff + shstrndx * 64 + 24);
	for (unsigned i = 0; i < shnum; i++) {
		const unsigned char *h = b + shoff + i * 64;
		if (!strcmp((const char *)strs + rd32(h), name)) {
			struct sec s = { (size_t)(shoff + i * 64), rd64(h + 24), rd64(h + 32) };
			return s;
		}
	}
	ck_abort_msg("no section %s", name);
	struct sec none = { 0, 0, 0 };
	return none;
}

/* Writes all-ops.yaml compiled to an ELF in the scratch dir; returns its path. */
static char *good_elf(struct ax_net *net_out)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_net_load_yaml(&net, ax_src("tests/nets/all-ops.yaml"), &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ax_net_layout_weights(&net);
	char *path = ax_tmp("all-ops.elf");
	rc = ax_elf_write(&net, path, &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
	if (net_out)
		*net_out = net;
	else
		ax_net_release(&net);
	return path;
}

/* Reads buf as a file; returns the status, and the messages in *msg (heap). */
static int read_buf(const unsigned char *buf, size_t len, char **msg)
{
	char *path = ax_tmp("hostile.elf");
	write_bin(path, buf, len);
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	int rc = ax_elf_read(&net, path, &err);
	if (rc == AX_OK) {
		/* whatever got through is a consistent graph */
		struct ax_err e2;
		ax_err_init(&e2);
		ck_assert_msg(ax_net_infer(&net, &e2) == AX_OK, "accepted an inconsistent graph: %s",
			      ax_err_str(&e2));
		ax_err_release(&e2);
		ck_assert_int_eq(err.count, 0);
	} else {
		ck_assert_int_eq(rc, AX_EINPUT);
		ck_assert_int_ge(err.count, 1);
		ck_assert_uint_eq(net.n_layers, 0);
		ck_assert_ptr_null(net.name);
	}
	ax_net_release(&net);
	*msg = strdup(ax_err_str(&err));
	ax_err_release(&err);
	free(path);
	return rc;
}

/* Expects buf to be rejected with a message containing want. */
static void expect_bad(const unsigned char *buf, size_t len, const char *want)
{
	char *msg;
	int rc = read_buf(buf, len, &msg);
	ck_assert_msg(rc == AX_EINPUT, "accepted; expected '%s'", want);
	ck_assert_msg(strstr(msg, want), "expected '%s' in:\n%s", want, msg);
	free(msg);
}

static void ck_layers_equal(const struct ax_layer *a, const struct ax_layer *b)
{
	ck_assert_str_eq(a->name, b->name);
	ck_assert_int_eq(a->op, b->op);
	ck_assert_uint_eq(a->n_in, b->n_in);
	for (int j = 0; j < AX_MAX_INPUTS; j++)
		ck_assert_uint_eq(a->in[j], b->in[j]);
	ck_assert_uint_eq(a->out.h, b->out.h);
	ck_assert_uint_eq(a->out.w, b->out.w);
	ck_assert_uint_eq(a->out.c, b->out.c);
	ck_assert_uint_eq(a->cout, b->cout);
	ck_assert_uint_eq(a->kh, b->kh);
	ck_assert_uint_eq(a->kw, b->kw);
	ck_assert_uint_eq(a->sh, b->sh);
	ck_assert_uint_eq(a->sw, b->sw);
	ck_assert_uint_eq(a->pad_t, b->pad_t);
	ck_assert_uint_eq(a->pad_l, b->pad_l);
	ck_assert_uint_eq(a->pad_b, b->pad_b);
	ck_assert_uint_eq(a->pad_r, b->pad_r);
	ck_assert_uint_eq(a->dh, b->dh);
	ck_assert_uint_eq(a->dw, b->dw);
	ck_assert_uint_eq(a->groups, b->groups);
	ck_assert_uint_eq(a->trans_b, b->trans_b);
	ck_assert_uint_eq(a->has_bias, b->has_bias);
	ck_assert_int_eq(a->act, b->act);
	ck_assert_int_eq(a->act_alpha_milli, b->act_alpha_milli);
	ck_assert_uint_eq(a->slice_start, b->slice_start);
	ck_assert_uint_eq(a->slice_end, b->slice_end);
	ck_assert_uint_eq(a->scale, b->scale);
	ck_assert_uint_eq(a->axis, b->axis);
	ck_assert_uint_eq(a->rows, b->rows);
	ck_assert_uint_eq(a->is_output, b->is_output);
	ck_assert_uint_eq(a->weight_offset, b->weight_offset);
	ck_assert_uint_eq(a->weight_bytes, b->weight_bytes);
	ck_assert_int_eq(a->line, b->line);
	ck_assert_int_eq(a->col, b->col);
}

/* ---- round trips ---- */

START_TEST(test_round_trip)
{
	struct ax_net net, back;
	struct ax_err err;
	ax_err_init(&err);
	char *path = good_elf(&net);
	int rc = ax_elf_read(&back, path, &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ck_assert_int_eq(err.count, 0);
	ck_assert_str_eq(back.name, "all-ops");
	ck_assert_str_eq(back.source, net.source);
	ck_assert_uint_eq(back.n_layers, net.n_layers);
	for (size_t i = 0; i < net.n_layers; i++)
		ck_layers_equal(&net.layers[i], &back.layers[i]);
	ck_assert_uint_eq(ax_net_macs(&back), ax_net_macs(&net));
	ck_assert_uint_eq(ax_net_params(&back), ax_net_params(&net));

	/* the temporary file was renamed away */
	char *dir = ax_tmp("");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));)
		ck_assert_msg(!strstr(e->d_name, ".tmp-"), "left behind: %s", e->d_name);
	closedir(d);

	/* writing what was read gives the same bytes */
	size_t len1, len2;
	unsigned char *b1 = read_bin(path, &len1);
	char *path2 = ax_tmp("again.elf");
	ck_assert_int_eq(ax_elf_write(&back, path2, &err), AX_OK);
	unsigned char *b2 = read_bin(path2, &len2);
	ck_assert_uint_eq(len1, len2);
	ck_assert(!memcmp(b1, b2, len1));

	free(b1);
	free(b2);
	free(dir);
	free(path2);
	free(path);
	ax_net_release(&net);
	ax_net_release(&back);
	ax_err_release(&err);
}
END_TEST

START_TEST(test_round_trip_hand_built)
{
	struct ax_net net, back;
	struct ax_err err;
	ax_net_init(&net);
	ax_err_init(&err);
	struct ax_layer *l = ax_net_add_layer(&net, "in", AX_OP_INPUT);
	l->out.h = 4, l->out.w = 4, l->out.c = 3;
	l = ax_net_add_layer(&net, "lr", AX_OP_ACT);
	l->n_in = 1;
	l->act = AX_ACT_LEAKY_RELU;
	l->act_alpha_milli = 125;
	l = ax_net_add_layer(&net, "fc", AX_OP_DENSE);
	l->n_in = 1;
	l->in[0] = 1;
	l->cout = 5;
	l->has_bias = 1;
	/* a product of two activations, B transposed: 4x4x3 x (4 pixels of 3)^T per head */
	l = ax_net_add_layer(&net, "mm", AX_OP_MATMUL);
	l->n_in = 2;
	l->in[0] = 1;
	l->in[1] = 0;
	l->groups = 1;
	l->cout = 16;
	l->act = AX_ACT_GELU;
	l->trans_b = 1;
	ck_assert_int_eq(ax_net_infer(&net, &err), AX_OK);
	uint64_t total = ax_net_layout_weights(&net);
	ck_assert_uint_eq(total, 48 * 5 + 20);
	char *path = ax_tmp("hand.elf");
	ck_assert_int_eq(ax_elf_write(&net, path, &err), AX_OK);
	int rc = ax_elf_read(&back, path, &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ck_assert_ptr_null(back.name);
	ck_assert_ptr_null(back.source);
	ck_assert_uint_eq(back.n_layers, 4);
	for (size_t i = 0; i < 4; i++)
		ck_layers_equal(&net.layers[i], &back.layers[i]);
	ck_assert_uint_eq(back.layers[3].trans_b, 1);
	ck_assert_uint_eq(back.layers[3].groups, 1);
	ck_assert_int_eq(back.layers[3].act, AX_ACT_GELU);
	ax_net_release(&back);

	/* fields an op does not use are written as 0 */
	net.layers[0].act = AX_ACT_RELU;
	net.layers[1].kh = 3;
	net.layers[2].scale = 2;
	net.layers[2].act_alpha_milli = 7;
	net.layers[2].trans_b = 1;
	ck_assert_int_eq(ax_elf_write(&net, path, &err), AX_OK);
	ck_assert_int_eq(ax_elf_read(&back, path, &err), AX_OK);
	ck_assert_int_eq(back.layers[0].act, AX_ACT_NONE);
	ck_assert_uint_eq(back.layers[1].kh, 0);
	ck_assert_int_eq(back.layers[1].act_alpha_milli, 125);
	ck_assert_uint_eq(back.layers[2].scale, 0);
	ck_assert_int_eq(back.layers[2].act_alpha_milli, 0);
	ck_assert_uint_eq(back.layers[2].cout, 5);
	ck_assert_uint_eq(back.layers[2].trans_b, 0);
	free(path);
	ax_net_release(&net);
	ax_net_release(&back);
	ax_err_release(&err);
}
END_TEST

/* const, embed and the pixel axis: their fields share slots with other
 * ops' (axis with groups, rows with scale) and survive the round trip; the
 * weight section holds their values. */
START_TEST(test_round_trip_tokens)
{
	struct ax_net net, back;
	struct ax_err err;
	ax_net_init(&net);
	ax_err_init(&err);
	struct ax_layer *l = ax_net_add_layer(&net, "ids", AX_OP_INPUT);
	l->out.h = 1, l->out.w = 6, l->out.c = 1;
	l = ax_net_add_layer(&net, "emb", AX_OP_EMBED);
	l->n_in = 1;
	l->rows = 100;
	l->cout = 8;
	l = ax_net_add_layer(&net, "cls", AX_OP_CONST);
	l->out.h = 1, l->out.w = 1, l->out.c = 8;
	l = ax_net_add_layer(&net, "cat", AX_OP_CONCAT);
	l->n_in = 2;
	l->in[0] = 2;
	l->in[1] = 1;
	l->axis = AX_AXIS_PIXELS;
	l = ax_net_add_layer(&net, "tok", AX_OP_SLICE);
	l->n_in = 1;
	l->in[0] = 3;
	l->axis = AX_AXIS_PIXELS;
	l->slice_start = 0;
	l->slice_end = 1;
	ck_assert_int_eq(ax_net_infer(&net, &err), AX_OK);
	ck_assert_uint_eq(ax_net_layout_weights(&net), 832 + 8);
	char *path = ax_tmp("tokens.elf");
	ck_assert_int_eq(ax_elf_write(&net, path, &err), AX_OK);
	int rc = ax_elf_read(&back, path, &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	for (size_t i = 0; i < 5; i++)
		ck_layers_equal(&net.layers[i], &back.layers[i]);
	ck_assert_uint_eq(back.layers[3].out.w, 7);
	ck_assert_uint_eq(back.layers[1].rows, 100);
	ck_assert_uint_eq(ax_net_params(&back), 808);
	free(path);
	ax_net_release(&net);
	ax_net_release(&back);
	ax_err_release(&err);
}
END_TEST

/* docs/elf-format.md "Version policy": a version-1 file (no dyn_matmul,
 * const, embed, gelu or pixel axis) reads as it did; those numbers in it are
 * errors that name the version. */
START_TEST(test_version_1)
{
	char *path = good_elf(NULL);
	size_t len;
	unsigned char *b = read_bin(path, &len);
	struct sec meta = find_sec(b, ".ax.meta"), graph = find_sec(b, ".ax.graph");
	unsigned char *g3 = b + graph.off + 3 * AX_ELF_LAYER_SIZE;
	ck_assert_uint_eq(rd32(b + meta.off + 8), AX_ELF_VERSION);
	wr32(b + meta.off + 8, 1);
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	char *v1 = ax_tmp("v1.elf");
	write_bin(v1, b, len);
	int rc = ax_elf_read(&net, v1, &err);
	ck_assert_msg(rc == AX_OK, "%s", ax_err_str(&err));
	ck_assert_uint_eq(net.n_layers, 19);
	ax_net_release(&net);

	static const struct {
		unsigned off;
		uint32_t v;
		const char *want;
	} cases[] = {
		{ 4, AX_OP_MATMUL, "op 13 is out of range; expected 0 to 12 in format version 1" },
		{ 4, AX_OP_EMBED, "op 15 is out of range; expected 0 to 12 in format version 1" },
		{ 8, AX_ACT_GELU, "act 7 is out of range; expected 0 to 6 in format version 1" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		uint32_t old = rd32(g3 + cases[k].off);
		wr32(g3 + cases[k].off, cases[k].v);
		write_bin(v1, b, len);
		ax_err_release(&err);
		ax_err_init(&err);
		ck_assert_int_eq(ax_elf_read(&net, v1, &err), AX_EINPUT);
		ck_assert_msg(strstr(ax_err_str(&err), cases[k].want), "expected '%s' in:\n%s",
			      cases[k].want, ax_err_str(&err));
		ax_net_release(&net);
		wr32(g3 + cases[k].off, old);
	}
	free(v1);
	free(b);
	free(path);
	ax_err_release(&err);
}
END_TEST

/* What readelf -s shows: read the ELF back with libelf. */
START_TEST(test_symbols_and_header)
{
	struct ax_net net;
	char *path = good_elf(&net);
	ck_assert_int_ne(elf_version(EV_CURRENT), EV_NONE);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_ptr_nonnull(e);
	GElf_Ehdr eh;
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	ck_assert_int_eq(eh.e_ident[EI_CLASS], ELFCLASS64);
	ck_assert_int_eq(eh.e_ident[EI_DATA], ELFDATA2LSB);
	ck_assert_int_eq(eh.e_machine, EM_RISCV);
	ck_assert_int_eq(eh.e_machine, 243);
	ck_assert_int_eq(eh.e_type, ET_REL);
	size_t shstrndx;
	ck_assert_int_eq(elf_getshdrstrndx(e, &shstrndx), 0);

	int seen_weights = 0, seen_symtab = 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		ck_assert_ptr_nonnull(gelf_getshdr(scn, &sh));
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		ck_assert_ptr_nonnull(name);
		if (!strcmp(name, ".ax.weights")) {
			seen_weights = 1;
			ck_assert_int_eq(sh.sh_type, SHT_NOBITS);
			ck_assert_uint_eq(sh.sh_size, 10368);
		}
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		seen_symtab = 1;
		ck_assert_str_eq(name, ".symtab");
		Elf_Data *d = elf_getdata(scn, NULL);
		ck_assert_ptr_nonnull(d);
		size_t n = sh.sh_size / sh.sh_entsize;
		ck_assert_uint_eq(n, net.n_layers + 1);
		for (size_t k = 1; k < n; k++) {
			GElf_Sym s;
			ck_assert_ptr_nonnull(gelf_getsym(d, (int)k, &s));
			ck_assert_str_eq(elf_strptr(e, sh.sh_link, s.st_name), net.layers[k - 1].name);
			ck_assert_int_eq(GELF_ST_TYPE(s.st_info), STT_OBJECT);
			ck_assert_int_eq(GELF_ST_BIND(s.st_info), STB_GLOBAL);
			ck_assert_uint_eq(s.st_value, (k - 1) * AX_ELF_LAYER_SIZE);
			ck_assert_uint_eq(s.st_size, AX_ELF_LAYER_SIZE);
			GElf_Shdr gsh;
			ck_assert_ptr_nonnull(gelf_getshdr(elf_getscn(e, s.st_shndx), &gsh));
			ck_assert_str_eq(elf_strptr(e, shstrndx, gsh.sh_name), ".ax.graph");
		}
	}
	ck_assert(seen_weights);
	ck_assert(seen_symtab);
	elf_end(e);
	close(fd);
	free(path);
	ax_net_release(&net);
}
END_TEST

START_TEST(test_write_errors)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	char *good = good_elf(&net);
	size_t len0, len1;
	unsigned char *before = read_bin(good, &len0);

	/* a directory that does not exist */
	char *nodir = ax_tmp("no/such/dir/x.elf");
	ck_assert_int_eq(ax_elf_write(&net, nodir, &err), AX_EIO);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "cannot create a temporary file"));
	/* no temporary file is left beside an existing network */
	char *dir = ax_tmp("");
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		ck_assert_msg(!strstr(e->d_name, ".tmp-"), "left behind: %s", e->d_name);
	if (d)
		closedir(d);
	free(dir);
	ax_err_release(&err);

	/* a shape that was not inferred: rejected, and the old file is intact */
	net.layers[4].out.c = 7;
	ck_assert_int_eq(ax_elf_write(&net, good, &err), AX_EINPUT);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "tensor 4: shape 8x10x7 differs from the "
				     "inferred 8x10x32 of layer 'pw'"));
	ax_err_release(&err);
	net.layers[4].out.c = 32;
	unsigned char *after = read_bin(good, &len1);
	ck_assert_uint_eq(len0, len1);
	ck_assert(!memcmp(before, after, len0));

	/* names that the reader would refuse */
	free(net.layers[3].name);
	net.layers[3].name = strdup("d w");
	ck_assert_int_eq(ax_elf_write(&net, good, &err), AX_EINPUT);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "layer 3: name 'd w' is not valid"));
	ax_err_release(&err);
	ax_net_release(&net);

	/* an empty network */
	ax_net_init(&net);
	ck_assert_int_eq(ax_elf_write(&net, good, &err), AX_EINPUT);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "cannot write a network of 0 layers"));
	ax_err_release(&err);

	free(before);
	free(after);
	free(nodir);
	free(good);
}
END_TEST

/* The tool tells a compiled network from a description by its first bytes:
 * an ELF whose magic is damaged is still read as an ELF, and its message
 * says so, not "invalid YAML" at 1:1. */
START_TEST(test_damaged_magic_via_tool)
{
	char *elf = ax_compiled(ax_src("models/tiny/tiny.net.yaml"));
	size_t len;
	unsigned char *b = read_bin(elf, &len);
	static const struct { size_t at; unsigned char v; } edits[] = { { 3, 'G' }, { 0, 0 }, { 1, 'e' } };
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		unsigned char *c = malloc(len);
		memcpy(c, b, len);
		c[edits[i].at] = edits[i].v;
		char *p = ax_tmp("magic.elf");
		FILE *f = fopen(p, "wb");
		ck_assert(f && fwrite(c, 1, len, f) == len && !fclose(f));
		ax_expect_fail("ELF header offset 0x0: not an ELF file; expected the magic bytes 7f 45 4c 46",
			       "inspect '%s'", p);
		ax_expect_fail("ELF header offset 0x0: not an ELF file", "run '%s' --quiet", p);
		free(p);
		free(c);
	}
	free(b);
	free(elf);
}
END_TEST

/* ---- hostile files ---- */

START_TEST(test_read_io_errors)
{
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	char *path = ax_tmp("nonexistent.elf");
	ck_assert_int_eq(ax_elf_read(&net, path, &err), AX_EIO);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "cannot open"));
	ck_assert_uint_eq(net.n_layers, 0);
	ax_net_release(&net);
	ax_err_release(&err);
	free(path);

	path = ax_tmp("");
	ck_assert_int_eq(ax_elf_read(&net, path, &err), AX_EIO);
	ck_assert_ptr_nonnull(strstr(ax_err_str(&err), "is a directory; expected a compiled network"));
	ax_net_release(&net);
	ax_err_release(&err);
	free(path);

	expect_bad((const unsigned char *)"", 0, "the file is empty; expected a compiled network (ELF)");
	expect_bad((const unsigned char *)"\x7f" "EL", 3, "not an ELF file");
	expect_bad((const unsigned char *)"#!/bin/sh\necho hi\n", 18, "ELF header offset 0x0: not an ELF file");
	expect_bad((const unsigned char *)"\x7f" "ELF\2\1\1", 7, "too short for an ELF header");
}
END_TEST

START_TEST(test_truncated)
{
	char *path = good_elf(NULL);
	size_t len;
	unsigned char *buf = read_bin(path, &len);
	for (size_t n = 0; n < len; n++) {
		char *msg;
		ck_assert_msg(read_buf(buf, n, &msg) == AX_EINPUT, "truncated at %zu accepted", n);
		free(msg);
	}
	/* trailing garbage after the section headers is harmless */
	unsigned char *more = malloc(len + 16);
	memcpy(more, buf, len);
	memset(more + len, 0xa5, 16);
	char *msg;
	ck_assert_int_eq(read_buf(more, len + 16, &msg), AX_OK);
	free(msg);
	free(more);
	free(buf);
	free(path);
}
END_TEST

START_TEST(test_header_flips)
{
	char *path = good_elf(NULL);
	size_t len;
	unsigned char *buf = read_bin(path, &len);
	static const unsigned char masks[] = { 0xff, 0x01, 0x80, 0x10 };
	for (size_t i = 0; i < sizeof(Elf64_Ehdr); i++) {
		for (size_t m = 0; m < sizeof(masks); m++) {
			buf[i] ^= masks[m];
			char *msg;
			ck_assert_msg(read_buf(buf, len, &msg) == AX_EINPUT,
				      "header byte 0x%zx ^ 0x%02x accepted", i, masks[m]);
			free(msg);
			buf[i] ^= masks[m];
		}
	}
	free(buf);
	free(path);
}
END_TEST

START_TEST(test_every_byte_flipped)
{
	char *path = good_elf(NULL);
	size_t len;
	unsigned char *buf = read_bin(path, &len);
	struct sec meta = find_sec(buf, ".ax.meta"), tens = find_sec(buf, ".ax.tensors");
	struct sec graph = find_sec(buf, ".ax.graph");
	size_t rejected = 0;
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0xff;
		char *msg;
		int rc = read_buf(buf, len, &msg);
		rejected += rc != AX_OK;
		/* every field of the records is checked, except the source position
		 * and the slope of leaky_relu, which take any value */
		size_t in_rec = (i - graph.off) % AX_ELF_LAYER_SIZE;
		int free_field = i >= graph.off && i < graph.off + graph.size &&
				 ((in_rec >= 132 && in_rec < 140) || (in_rec >= 12 && in_rec < 16));
		if (((i >= meta.off && i < meta.off + meta.size) ||
		     (i >= tens.off && i < tens.off + tens.size) ||
		     (i >= graph.off && i < graph.off + graph.size)) && !free_field)
			ck_assert_msg(rc == AX_EINPUT, "byte 0x%zx flipped was accepted", i);
		free(msg);
		buf[i] ^= 0xff;
	}
	ck_assert_uint_gt(rejected, len * 9 / 10);
	free(buf);
	free(path);
}
END_TEST

/* A small deterministic generator, so that failures reproduce. */
static unsigned rnd(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) & 0xffffff;
}

START_TEST(test_random_damage)
{
	char *path = good_elf(NULL);
	size_t len;
	unsigned char *good = read_bin(path, &len);
	unsigned char *buf = malloc(len + 4096);
	unsigned seed = 12345;
#define RND() rnd(&seed)
	for (int it = 0; it < 400; it++) {
		memcpy(buf, good, len);
		int n = 1 + (int)(RND() % 8);
		for (int k = 0; k < n; k++) {
			size_t at = RND() % len;
			buf[at] = (unsigned char)RND();
		}
		char *msg;
		read_buf(buf, len, &msg);
		free(msg);
	}
	/* garbage, with and without a valid ELF header in front */
	for (int it = 0; it < 200; it++) {
		size_t n = RND() % 4096;
		for (size_t k = 0; k < n; k++)
			buf[k] = (unsigned char)RND();
		if (it % 2 && n >= sizeof(Elf64_Ehdr))
			memcpy(buf, good, sizeof(Elf64_Ehdr));
		char *msg;
		ck_assert_int_eq(read_buf(buf, n, &msg), AX_EINPUT);
		free(msg);
	}
#undef RND
	free(buf);
	free(good);
	free(path);
}
END_TEST

/* Each patch makes one specific problem; the message says where and what. */
enum patch {
	P_MACHINE, P_CLASS, P_ENDIAN, P_TYPE, P_SHSTRNDX, P_SHOFF, P_GRAPH_SIZE_ODD,
	P_GRAPH_SIZE_MORE, P_GRAPH_SIZE_HUGE, P_GRAPH_TYPE, P_DUP_SECTION, P_OP, P_ACT,
	P_NAME_DANGLING, P_IN_SELF, P_IN_LATER, P_N_IN, P_UNUSED_IN, P_INPUT_SHAPE, P_KERNEL,
	P_META_VERSION, P_META_MAGIC, P_META_N_LAYERS, P_META_MACS, P_META_NAME, P_TENSOR_SHAPE,
	P_TENSOR_OUTPUT, P_TENSOR_PRODUCER, P_WEIGHTS_SIZE, P_WEIGHT_OFFSET, P_STRTAB_END,
	P_DUP_NAME, P_BAD_NAME, P_SYMBOL, P_BIAS, P_UNUSED_FIELD, P_ALPHA, P_INPUT_ACT, P_FLAGS,
	P_SECTION0, P_SHSTRTAB_START, P_COUNT
};

static const char *const patch_want[P_COUNT] = {
	[P_MACHINE] = "ELF header offset 0x12: e_machine (expected EM_RISCV) is 62; expected 243",
	[P_CLASS] = "ELF header offset 0x4: class (expected ELFCLASS64) is 1; expected 2",
	[P_ENDIAN] = "ELF header offset 0x5: data encoding (expected little-endian) is 2; expected 1",
	[P_TYPE] = "ELF header offset 0x10: e_type (expected ET_REL) is 2; expected 1",
	[P_SHSTRNDX] = "ELF header offset 0x3e: e_shstrndx 0 is out of range; expected 1 to 8",
	[P_SHOFF] = "ELF header offset 0x28: e_shoff 0x100000 with 9 section headers does not fit",
	[P_GRAPH_SIZE_ODD] = "section '.ax.graph' size 3039 is not a whole number of 160-byte records",
	[P_GRAPH_SIZE_MORE] = "section '.ax.graph' holds 20 records; expected 19 (n_layers of .ax.meta)",
	[P_GRAPH_SIZE_HUGE] = "extend past the end of the",
	[P_GRAPH_TYPE] = "section '.ax.graph' has type 8; expected 1",
	[P_DUP_SECTION] = "section '.ax.meta' appears 2 times; expected once",
	[P_OP] = "section '.ax.graph' offset 0x1e4: layer 3: op 99 is out of range; expected 0 to 15",
	[P_ACT] = "section '.ax.graph' offset 0x1e8: layer 3: act 8 is out of range; expected 0 to 7",
	[P_NAME_DANGLING] = "section '.ax.graph' offset 0x1e0: name offset 4000000 is outside .ax.strtab",
	[P_IN_SELF] = "section '.ax.graph' offset 0x1f4: layer 3: input 0 refers to layer 3; expected a layer before 3",
	[P_IN_LATER] = "section '.ax.graph' offset 0x1f4: layer 3: input 0 refers to layer 10; expected a layer before 3",
	[P_N_IN] = "section '.ax.graph' offset 0x1f0: layer 3: n_in 9 is out of range; expected 0 to 8",
	[P_UNUSED_IN] = "section '.ax.graph' offset 0x1f8: layer 3: unused input slot 1 holds 1; expected 0",
	[P_INPUT_SHAPE] = "section '.ax.graph' offset 0x214: layer 3: input shape 1x0x0 on a conv layer; expected 0x0x0",
	[P_KERNEL] = "section '.ax.graph' offset 0x1e0: layer 'dw': kernel 0x3 is out of range; expected 1 to 64",
	[P_META_VERSION] = "section '.ax.meta' offset 0x8: version 3 is not supported; expected 1 to 2",
	[P_META_MAGIC] = "section '.ax.meta' offset 0x0: magic is wrong; expected 'AXSIMNET'",
	[P_META_N_LAYERS] = "section '.ax.graph' holds 19 records; expected 18 (n_layers of .ax.meta)",
	[P_META_MACS] = "section '.ax.meta' offset 0x38: MACs 1 differ from the 183200 of the layers",
	[P_META_NAME] = "section '.ax.meta' offset 0x24: network name offset 999 is outside .ax.strtab",
	[P_TENSOR_SHAPE] = "section '.ax.tensors' offset 0x64: tensor 3: shape 9x10x16 differs from the inferred 8x10x16 of layer 'dw'",
	[P_TENSOR_OUTPUT] = "section '.ax.tensors' offset 0x78: tensor 3: is_output 1 differs from 0 in .ax.graph",
	[P_TENSOR_PRODUCER] = "section '.ax.tensors' offset 0x60: tensor 3: producer 4 is wrong; expected 3",
	[P_WEIGHTS_SIZE] = "section '.ax.weights' size 10369 differs from the 10368 weight bytes of the layers",
	[P_WEIGHT_OFFSET] = "section '.ax.graph' offset 0x270: layer 3: weights at 0x7c1, 144 bytes; expected 0x7c0, 144 bytes",
	[P_STRTAB_END] = "section '.ax.strtab' must start and end with a NUL byte",
	[P_DUP_NAME] = "layer 3: name 'stem' is also the name of layer 2; expected unique names",
	[P_BAD_NAME] = "section '.ax.graph' offset 0x1e0: layer 3: name 'd\\' is not valid",
	[P_SYMBOL] = "section '.symtab' offset 0x18: symbol 1 does not describe layer 0 'img'",
	[P_BIAS] = "section '.ax.graph' offset 0x250: layer 3: has_bias 2 is out of range; expected 0 or 1",
	[P_UNUSED_FIELD] = "section '.ax.graph' offset 0x254: layer 3: slice_start is 1, but a conv layer does not use it; expected 0",
	[P_ALPHA] = "section '.ax.graph' offset 0x1ec: layer 3: alpha 5 without leaky_relu; expected 0",
	[P_INPUT_ACT] = "section '.ax.graph' offset 0x8: layer 0: act 1 on an input layer; expected 0",
	[P_FLAGS] = "section '.ax.graph' has flags 0x800; expected 0x0",
	[P_SECTION0] = "not all zero; expected a null section",
	[P_SHSTRTAB_START] = "(e_shstrndx): not a string table that starts and ends with a NUL byte",
};

START_TEST(test_patched)
{
	char *path = good_elf(NULL);
	size_t len;
	unsigned char *b = read_bin(path, &len);
	struct sec meta = find_sec(b, ".ax.meta"), graph = find_sec(b, ".ax.graph");
	struct sec tens = find_sec(b, ".ax.tensors"), weights = find_sec(b, ".ax.weights");
	struct sec str = find_sec(b, ".ax.strtab"), symstr = find_sec(b, ".strtab");
	unsigned char *g3 = b + graph.off + 3 * AX_ELF_LAYER_SIZE;  /* layer 'dw' */
	unsigned char *t3 = b + tens.off + 3 * AX_ELF_TENSOR_SIZE;
	ck_assert_uint_eq(graph.size, 19 * AX_ELF_LAYER_SIZE);
	ck_assert_str_eq((const char *)b + str.off + rd32(g3), "dw");

	switch ((enum patch)_i) {
	case P_MACHINE: b[0x12] = 62; break;
	case P_CLASS: b[4] = ELFCLASS32; break;
	case P_ENDIAN: b[5] = ELFDATA2MSB; break;
	case P_TYPE: b[0x10] = ET_EXEC; break;
	case P_SHSTRNDX: b[0x3e] = 0; break;
	case P_SHOFF: wr64(b + 0x28, 0x100000); break;
	case P_GRAPH_SIZE_ODD: wr64(b + graph.hdr + 32, graph.size - 1); break;
	case P_GRAPH_SIZE_MORE: wr64(b + graph.hdr + 32, graph.size + AX_ELF_LAYER_SIZE); break;
	case P_GRAPH_SIZE_HUGE: wr64(b + graph.hdr + 32, UINT64_MAX - 5); break;
	case P_GRAPH_TYPE: wr32(b + graph.hdr + 4, SHT_NOBITS); break;
	case P_DUP_SECTION: wr32(b + tens.hdr, rd32(b + meta.hdr)); break;
	case P_OP: wr32(g3 + 4, 99); break;
	case P_ACT: wr32(g3 + 8, AX_ACT_COUNT); break;
	case P_NAME_DANGLING: wr32(g3, 4000000); break;
	case P_IN_SELF: wr32(g3 + 20, 3); break;
	case P_IN_LATER: wr32(g3 + 20, 10); break;
	case P_N_IN: wr32(g3 + 16, 9); break;
	case P_UNUSED_IN: wr32(g3 + 24, 1); break;
	case P_INPUT_SHAPE: wr32(g3 + 52, 1); break;
	case P_KERNEL: wr32(g3 + 68, 0); break;
	case P_META_VERSION: wr32(b + meta.off + 8, 3); break;
	case P_META_MAGIC: b[meta.off + 2] = 'x'; break;
	case P_META_N_LAYERS: wr32(b + meta.off + 16, 18); break;
	case P_META_MACS: wr64(b + meta.off + 56, 1); break;
	case P_META_NAME: wr32(b + meta.off + 36, 999); break;
	case P_TENSOR_SHAPE: wr32(t3 + 4, 9); break;
	case P_TENSOR_OUTPUT: wr32(t3 + 24, 1); break;
	case P_TENSOR_PRODUCER: wr32(t3, 4); break;
	case P_WEIGHTS_SIZE: wr64(b + weights.hdr + 32, weights.size + 1); break;
	case P_WEIGHT_OFFSET: wr64(g3 + 144, rd64(g3 + 144) + 1); break;
	case P_STRTAB_END: b[str.off + str.size - 1] = 'x'; break;
	case P_DUP_NAME: wr32(g3, rd32(g3 - AX_ELF_LAYER_SIZE)); break;
	case P_BAD_NAME: b[str.off + rd32(g3) + 1] = '\\'; break;
	case P_SYMBOL: b[symstr.off + 1] = 'j'; break;
	case P_BIAS: wr32(g3 + 112, 2); break;
	case P_UNUSED_FIELD: wr32(g3 + 116, 1); break;
	case P_ALPHA: wr32(g3 + 12, 5); break;
	case P_INPUT_ACT: wr32(b + graph.off + 8, AX_ACT_RELU); break;
	case P_FLAGS: wr64(b + graph.hdr + 8, SHF_COMPRESSED); break;
	case P_SECTION0: b[rd64(b + 0x28) + 8] = 1; break;
	case P_SHSTRTAB_START: b[find_sec(b, ".shstrtab").off] = 'x'; break;
	case P_COUNT: break;
	}
	expect_bad(b, len, patch_want[_i]);
	free(b);
	free(path);
}
END_TEST

static Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("round-trip");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_round_trip_hand_built);
	tcase_add_test(tc, test_version_1);
	tcase_add_test(tc, test_round_trip_tokens);
	tcase_add_test(tc, test_symbols_and_header);
	tcase_add_test(tc, test_write_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("hostile");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_read_io_errors);
	tcase_add_test(tc, test_damaged_magic_via_tool);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_header_flips);
	tcase_add_test(tc, test_every_byte_flipped);
	tcase_add_test(tc, test_random_damage);
	tcase_add_loop_test(tc, test_patched, 0, P_COUNT);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return ax_check_run(elf_suite());
}
