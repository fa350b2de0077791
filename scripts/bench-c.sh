#!/usr/bin/env bash
# The cost of the C ABI against the Rust core on the same bytes, in one run:
# bench/c/bench_ffi.c (through libmrrc.so) and ffi/examples/core_loop.rs
# (mrrc-core directly), both over the first MAX_MB of FILE.
#   scripts/bench-c.sh [FILE] [MAX_MB]
# FILE defaults to the LoC file fetched by scripts/fetch-loc.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${1:-data/loc/BooksAll.2016.part01.utf8}
MAX_MB=${2:-64}
PREFIX=$PWD/target/prefix
scripts/ensure-cargo-c.sh
cargo cinstall --release -p mrrc-ffi --prefix "$PREFIX" --libdir "$PREFIX/lib" >/dev/null
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
mkdir -p target/c-tests
cc -std=c11 -O2 -Wall -Wextra -Werror $(pkg-config --cflags mrrc) -o target/c-tests/bench_ffi \
    bench/c/bench_ffi.c $(pkg-config --libs mrrc)
cargo build --release -q -p mrrc-ffi --example core_loop
LD_LIBRARY_PATH=$PREFIX/lib target/c-tests/bench_ffi "$FILE" "$MAX_MB"
target/release/examples/core_loop "$FILE" "$MAX_MB"
