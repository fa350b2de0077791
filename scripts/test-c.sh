#!/usr/bin/env bash
# The C side of the tests: installs libmrrc into target/prefix with cargo-c
# (when the sources are newer than the installed library), compiles every
# ffi/tests/c/*.c test, the example examples/c/marcdump.c and the C bench
# against it through pkg-config, and runs the tests and the example under
# valgrind (any error or definite/indirect leak fails).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=$ROOT/target/prefix
OUT=$ROOT/target/c-tests
CC=${CC:-cc}

scripts/ensure-cargo-c.sh

lib=$PREFIX/lib/libmrrc.so
if [[ ! -e $lib || ! -e $PREFIX/include/mrrc/mrrc.h ]] ||
    [[ -n $(find ffi/src ffi/Cargo.toml core/src core/Cargo.toml include/mrrc.h Cargo.toml Cargo.lock -newer "$lib" -print -quit) ]]; then
    cargo cinstall --release -p mrrc-ffi --prefix "$PREFIX" --libdir "$PREFIX/lib"
    touch "$lib"
fi
if ! cmp -s include/mrrc.h "$PREFIX/include/mrrc/mrrc.h"; then
    echo "the installed header differs from include/mrrc.h" >&2
    exit 1
fi

export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
export LD_LIBRARY_PATH=$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
CFLAGS="-std=c11 -O1 -g -Wall -Wextra -Werror -pedantic $(pkg-config --cflags mrrc)"
LIBS="$(pkg-config --libs mrrc) -pthread"
VALGRIND=(valgrind -q --error-exitcode=1 --leak-check=full
    --suppressions=$ROOT/ffi/tests/valgrind.supp
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect)

mkdir -p "$OUT"
DATA=$ROOT/ffi/tests/data
status=0
for src in ffi/tests/c/test_*.c; do
    name=$(basename "$src" .c)
    $CC $CFLAGS -o "$OUT/$name" "$src" $LIBS
    if "${VALGRIND[@]}" "$OUT/$name" "$DATA"; then
        echo "ok   $name"
    else
        echo "FAIL $name" >&2
        status=1
    fi
done

# The example prints each record as pymarc's str(record) does; compare with
# what pymarc 5.4.0 printed for the same file.
$CC $CFLAGS -o "$OUT/marcdump" examples/c/marcdump.c $LIBS
for f in pymarc_test_camel.mrc pymarc_utf8_with_leader_flag.mrc; do
    if "${VALGRIND[@]}" "$OUT/marcdump" "$DATA/$f" >"$OUT/$f.txt" &&
        cmp -s "$OUT/$f.txt" "$DATA/$f.pymarc.txt"; then
        echo "ok   marcdump $f"
    else
        echo "FAIL marcdump $f (diff $OUT/$f.txt $DATA/$f.pymarc.txt)" >&2
        status=1
    fi
done

# The C bench must keep compiling (it is run by scripts/bench-c.sh).
$CC $CFLAGS -O2 -o "$OUT/bench_ffi" bench/c/bench_ffi.c $LIBS

exit $status
