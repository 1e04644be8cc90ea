#!/usr/bin/env bash
# The Python package (ctest python): cmake --install into a fresh prefix, then
# tests/test_axsim.py with PYTHONPATH set as README.md says, under the given
# interpreter (Debian's python3, the one CMake found).
#   tests/python.sh SRC BUILD PYTHON
set -euo pipefail
src=$1
build=$2
python=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
site=$(find "$tmp/prefix" -type d -path '*/site-packages' | head -n 1)
[ -n "$site" ] || { echo "python: no site-packages under the prefix" >&2; exit 1; }
unset AXSIM_LIBRARY
export PYTHONPATH=$site
export AXSIM_TEST_BIN=$tmp/prefix/bin/axsim AXSIM_SRC=$src AXSIM_TMP=$tmp
case ${AXSIM_SANITIZE:-OFF} in
ON | on | 1 | TRUE | true)
	# the interpreter is not sanitized: load the runtimes first, and leave
	# the interpreter's own memory at exit alone
	LD_PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
	export LD_PRELOAD ASAN_OPTIONS=detect_leaks=0:halt_on_error=1
	;;
esac
cd "$tmp"
"$python" -B "$src/tests/test_axsim.py" -v
