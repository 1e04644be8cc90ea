#!/usr/bin/env bash
# The installed package (ctest install): cmake --install into a fresh prefix,
# then examples/c/run.c built against it with pkg-config and with the CMake
# package, run on the tiny network, and its last line compared with the
# latency the installed tool reports.  Also checks the other installed files.
#   tests/install.sh SRC BUILD PYTHON
set -euo pipefail
src=$1
build=$2
python=${3:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "install: $*" >&2
	exit 1
}
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install failed"; }

for f in bin/axsim include/axsim.h share/man/man1/axsim.1 share/bash-completion/completions/axsim; do
	[ -e "$prefix/$f" ] || fail "no $f under the prefix"
done
lib=$(dirname "$(find "$prefix" -name axsim.pc)")/..
[ -e "$lib/libaxsim.so" ] || fail "no libaxsim.so beside pkgconfig/axsim.pc"
[ -e "$lib/cmake/axsim/axsimConfig.cmake" ] || fail "no CMake package config"
grep -q '^\.SS sweep' "$prefix/share/man/man1/axsim.1" || fail "the man page lacks the sweep command"

# the library exports axsim.h's functions (version AXSIM_1) and the stages' ax_*
# (AXSIM_PRIVATE, for the tool and the tests), nothing of SystemC or the ONNX reader
so=$(readlink -f "$lib/libaxsim.so")
other=$(nm -D --defined-only "$so" | awk '{ sub(/@.*/, "", $3) } $3 !~ /^(axsim_|ax_|sc_main$|AXSIM_)/ { print $3 }' | head -5)
[ -z "$other" ] || fail "libaxsim exports symbols outside its interface: $other"
nm -D --defined-only --with-symbol-versions "$so" | grep -q ' axsim_run@@AXSIM_1$' ||
	fail "axsim_run is not exported with version AXSIM_1"

# the installed tool runs from the prefix alone (it finds libaxsim by its rpath)
"$prefix/bin/axsim" compile "$src/models/tiny/tiny.net.yaml" -o "$tmp/tiny.elf"
"$prefix/bin/axsim" run "$tmp/tiny.elf" --config "$src/models/tiny/tiny.yaml" --quiet --json "$tmp/tiny.json"
want=$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["latency_cycles"])' "$tmp/tiny.json")

export PKG_CONFIG_PATH=$lib/pkgconfig
[ "$(pkg-config --modversion axsim)" = "$("$prefix/bin/axsim" --version | cut -d' ' -f2)" ] ||
	fail "pkg-config's version is not the tool's"
san=()
case ${AXSIM_SANITIZE:-OFF} in ON | on | 1 | TRUE | true) san=(-fsanitize=address,undefined) ;; esac
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror ${san[@]+"${san[@]}"} "$src/examples/c/run.c" $(pkg-config --cflags --libs axsim) \
	-o "$tmp/run"
got=$(LD_LIBRARY_PATH=$lib "$tmp/run" "$tmp/tiny.elf" "$src/models/tiny/tiny.yaml" | tail -n 1)
[ "$got" = "$want" ] || fail "examples/c/run.c printed '$got'; the tool's latency is '$want'"

# bad input: exit status 2 and a message
if LD_LIBRARY_PATH=$lib "$tmp/run" "$tmp/missing.elf" "$src/models/tiny/tiny.yaml" 2>"$tmp/err"; then
	fail "examples/c/run.c succeeded on a missing network"
else
	[ $? -eq 2 ] || fail "examples/c/run.c did not exit 2 on a missing network"
fi
grep -q missing.elf "$tmp/err" || fail "no message naming the missing network: $(cat "$tmp/err")"

# the CMake package
cmake -S "$src/examples/c" -B "$tmp/cm" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="${san[*]:-}" >"$tmp/cm.log" 2>&1 &&
	cmake --build "$tmp/cm" >>"$tmp/cm.log" 2>&1 || { cat "$tmp/cm.log"; fail "building with find_package(axsim) failed"; }
got=$(LD_LIBRARY_PATH=$lib "$tmp/cm/run" "$tmp/tiny.elf" "$src/models/tiny/tiny.yaml" | tail -n 1)
[ "$got" = "$want" ] || fail "the CMake-built example printed '$got'; expected '$want'"
echo "install: ok (latency $want cycles)"
