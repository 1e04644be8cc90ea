/*
 * toml.h - a TOML file (a compiler_config_file of a model YAML) read with
 * toml++ into the same tree of positioned nodes as a YAML document, so that
 * the compilation-key table reads both and every message names file:line:col.
 */
#ifndef AX_TOML_H
#define AX_TOML_H

#ifdef __cplusplus
extern "C" {
#endif

#include "../common/ydoc.h"

/*
 * Reads path into doc: tables become mappings, arrays sequences, and every
 * other value a scalar (booleans "true"/"false", numbers in decimal, strings
 * as they are, quoted).  Returns AX_OK, or AX_EINPUT/AX_EIO with one message
 * "path:line:col: invalid TOML: ..." (the parser's position) in err.  The
 * caller releases doc with ax_ydoc_release in every case.
 */
int ax_toml_load_file(struct ax_ydoc *doc, const char *path, struct ax_err *err);

#ifdef __cplusplus
}
#endif

#endif
