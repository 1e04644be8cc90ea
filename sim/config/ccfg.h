/*
 * ccfg.h - the compilation configuration of a model, read from a model YAML
 * exactly as the vendor SDK writes it:
 *
 *   models: <name>: extra_kwargs: {aipu_cores, max_compiler_cores,
 *       clock_profile, mvm_limitation, pcie: {...}, m2: {...},
 *       compilation_config: {quantization_config: {...}, backend_config: {...}}}
 *
 * or the older flat dialect (compilation_config: {quantization_scheme,
 * enable_icr, tiling_depth, ...}), or a file whose top level is
 * `compilation_config:` alone.  One key table (ccfg.c) drives parsing,
 * validation, `axsim config` and docs/config-reference.md.  Other keys of
 * extra_kwargs belong to the model's class and are only recorded; a
 * compiler_config_file (TOML, toml.h) is read before the keys beside it,
 * which override it; the model's input_tensor_shape is kept for
 * ax_ccfg_check_input.
 */
#ifndef AX_CCFG_H
#define AX_CCFG_H

#include <stdint.h>
#include "../common/err.h"

struct ax_arch;

/* How the cores of one compiled network share the work
 * (docs/timing-model.md "Multi-core modes"). */
enum ax_mc_mode {
	AX_MC_BATCH,        /* Batch-x: each core its own input, one memory budget */
	AX_MC_COOPERATIVE,  /* the cores split every layer of one input */
	AX_MC_PIPELINE,     /* the cores run consecutive stages of the layers */
	AX_MC_MULTIPROCESS, /* Batch-1 instances, one host process each */
	AX_MC_MULTITHREAD,  /* Batch-1 instances, one host thread each */
};

/* Where a pool of buffers starts (io_pool, workspace_pool, constant_pool):
 * the memory tried first; what does not fit there goes one level down. */
enum ax_pool { AX_POOL_DDR, AX_POOL_L2, AX_POOL_L1 };

enum ax_ptq {
	AX_PTQ_PER_TENSOR_HISTOGRAM,
	AX_PTQ_PER_TENSOR_MIN_MAX,
	AX_PTQ_HYBRID_PER_TENSOR_PER_CHANNEL,
};

/* Identifies a key of the effective configuration. */
enum ax_ccfg_id {
	AX_CC_PTQ_SCHEME,
	AX_CC_ELF_IN_DDR,
	AX_CC_IN_CORE_REPLICATION,
	AX_CC_L2_RESERVED_TASKLIST,
	AX_CC_PAGE_MEMORY,
	AX_CC_TILING_DEPTH,
	AX_CC_AIPU_CORES_USED,
	AX_CC_RESOURCES_USED,
	AX_CC_AIPU_CORES,
	AX_CC_MAX_COMPILER_CORES,
	AX_CC_CLOCK_PROFILE,
	AX_CC_MVM_LIMITATION,
	AX_CC_DMA_DUAL_CHANNEL,
	AX_CC_STREAM_TASKLIST,
	AX_CC_MULTICORE_MODE,
	AX_CC_ASYNC_INTER_OPERATOR,
	AX_CC_MVM_UTILIZATION_LIMIT,
	AX_CC_IO_POOL,
	AX_CC_WORKSPACE_POOL,
	AX_CC_CONSTANT_POOL,
	AX_CC_L2_CONSTRAINT,
	AX_CC_SUBDEVICES,
	AX_CC_MAX_EXECUTION_CORES,
	AX_CC_SINGLE_OP_USE_DDR,
	AX_CC_SINGLE_OP_START_IDX,
	AX_CC_COMPILER_CONFIG_FILE,
	/* accepted with range checks, not modelled (one warning names them) */
	AX_CC_DOUBLE_BUFFER,
	AX_CC_SINGLE_OP_DOUBLE_BUFFER,
	AX_CC_ASYNC_SPATIAL_TILES,
	AX_CC_ASYNC_CHANNEL_TILES,
	AX_CC_IGNORE_WEIGHT_BUFFERS,
	AX_CC_REMOVE_QUANT_IO,
	AX_CC_QUANTIZATION_DEBUG,
	AX_CC_QUANTIZER_VERSION,
	AX_CC_COUNT
};

struct ax_ccfg_origin {
	char *file;    /* NULL: the SDK default */
	int line, col;
};

/* A key of extra_kwargs that axsim does not know: it belongs to the model's
 * class (YOLO, torchvision_args, ...), not to the chip. */
struct ax_ccfg_class_key {
	char *name;
	int line, col;
	const char *suggest;               /* a chip key it is close to, or NULL (static) */
};

/* The effective configuration.  Values are in the SDK's own units. */
struct ax_ccfg {
	long long v[AX_CC_COUNT];          /* booleans 0/1, enums by index, fractions in thousandths,
					      subdevices as a bit mask of core indices */
	struct ax_ccfg_origin origin[AX_CC_COUNT];
	char *model;                       /* the model chosen under models:, or NULL */
	char *board;                       /* the board section applied, or NULL */
	char *config_file;                 /* compiler_config_file as written, or NULL */
	struct ax_ccfg_class_key *class_keys; /* model-class keys of extra_kwargs, in file order */
	size_t n_class_keys;
	/* the model's input_tensor_shape as [N, C, H, W] whatever its layout;
	 * shape_given 0 when absent or not a 4-D shape */
	int shape_given, shape_line, shape_col;
	long long shape[4];
	char *shape_text;                  /* as written, e.g. "[1, 3, 640, 640] (NCHW)" */
};

/* Key metadata for printing and docs. */
struct ax_ccfg_keyinfo {
	const char *name;        /* canonical name (nested dialect leaf) */
	const char *nested;      /* path in the nested dialect, or NULL */
	const char *flat;        /* name in the flat dialect, or NULL */
	const char *type;        /* "bool", "integer", "enum", "fraction" */
	const char *range;       /* allowed values, for messages and docs */
	const char *def;         /* SDK default as text */
	const char *desc;
};

const struct ax_ccfg_keyinfo *ax_ccfg_keyinfo(enum ax_ccfg_id id);
/* 1 when the key changes what the simulated chip does (or is checked against
 * it); 0 for a key of the SDK that is accepted with its range checked and a
 * warning, and not modelled. */
int ax_ccfg_key_modelled(enum ax_ccfg_id id);
/* Keys the vendor compiler has that axsim accepts and ignores (NULL-terminated). */
const char *const *ax_ccfg_ignored_keys(void);

/* Sets every key to the SDK default. */
void ax_ccfg_init(struct ax_ccfg *c);
void ax_ccfg_release(struct ax_ccfg *c);

/*
 * Reads path.  model picks an entry of models: (NULL: the only one; with
 * several, an error lists the names).  board ("pcie", "m2" or NULL) applies
 * that board section over the rest.  Every problem of the file is appended to
 * err; warnings (ignored vendor keys) to warn.  Returns AX_OK, AX_EINPUT or
 * AX_EIO.
 */
int ax_ccfg_load(struct ax_ccfg *c, const char *path, const char *model,
		 const char *board, struct ax_err *err, struct ax_err *warn);
/*
 * Sets one key by its canonical name (the `key` column of
 * docs/config-reference.md: tiling_depth, page_memory, aipu_cores, ...) from
 * text, with the type, range and enum checks of the file parser.  origin
 * (e.g. "sweep") names the source in messages and is recorded as the key's
 * origin (file = origin, line 0).  Setting aipu_cores_used also moves
 * resources_used when that was not given.  Cross-field rules are not checked
 * here, so that several keys can change together: call ax_ccfg_check after
 * the last set.  Returns AX_OK, or AX_EINPUT with one message in err
 * ("sweep: tiling_depth: '0' is out of range; expected an integer from 1 to
 * 64"); c is unchanged then.
 */
int ax_ccfg_set(struct ax_ccfg *c, const char *key, const char *value, const char *origin,
		struct ax_err *err);
/* The id of a key by canonical name; -1 when there is none. */
int ax_ccfg_find(const char *key);
/* The cross-field rules of the file parser (elf_in_ddr against the L2
 * tasklist reserve, aipu_cores_used divides aipu_cores), again: AX_OK or
 * AX_EINPUT with one message per broken rule appended to err. */
int ax_ccfg_check(const struct ax_ccfg *c, struct ax_err *err);
/* Whether a compilation key or hardware parameter takes part in a rule of
 * ax_ccfg_check or ax_ccfg_check_arch (so a sweep over it cannot be checked
 * before its points run). */
int ax_ccfg_rule_key(const char *key);
/* Checks the configuration against a hardware description (cores, L2 reserve). */
int ax_ccfg_check_arch(const struct ax_ccfg *c, const struct ax_arch *a, struct ax_err *err);

/* The value of a key as text ("true", "6", "per_tensor_histogram", "0.25"). */
void ax_ccfg_format(const struct ax_ccfg *c, enum ax_ccfg_id id, char *buf, size_t len);
const char *ax_ptq_name(int ptq);
/* The multicore_mode word of enum ax_mc_mode ("batch", ...). */
const char *ax_mc_name(int mode);

/* Cores one compiled network runs on: aipu_cores_used when given, else
 * min(aipu_cores, max_compiler_cores) (SDK v1.2.5: the model is compiled
 * for that many cores in Batch-x mode), as ax_ccfg_load and ax_ccfg_set
 * derive it. */
unsigned ax_ccfg_cores_per_copy(const struct ax_ccfg *c);
/* Whether the default of compilation key `key` (canonical name) derives from
 * the value of key `from` (resources_used from aipu_cores_used, constant_pool
 * from elf_in_ddr, ...), so that it moves when `from` does. */
int ax_ccfg_derives(const char *key, const char *from);

/* Cores the copies run on: aipu_cores, capped by max_execution_cores when
 * the model sets it. */
unsigned ax_ccfg_exec_cores(const struct ax_ccfg *c);

/* The stricter of the two IMC caps, mvm_limitation (percent, the board's
 * power limit) and mvm_utilization_limit (the compiler's), in thousandths
 * of the array's throughput: 1000 when neither caps it. */
unsigned ax_ccfg_mvm_limit_permille(const struct ax_ccfg *c);

/* Checks the model's input_tensor_shape against a network input of h x w x
 * ch (net names it in the message: "yolov5s.elf input 'image'").  AX_OK when
 * the shape matches or the model gives none; else AX_EINPUT with one message
 * naming both shapes. */
int ax_ccfg_check_input(const struct ax_ccfg *c, unsigned long long h, unsigned long long w,
			unsigned long long ch, const char *net, struct ax_err *err);

/* clock_profile in MHz. */
unsigned long long ax_ccfg_clock_mhz(const struct ax_ccfg *c);

/* Convenience accessors. */
static inline long long ax_ccfg_get(const struct ax_ccfg *c, enum ax_ccfg_id id) { return c->v[id]; }

#endif
