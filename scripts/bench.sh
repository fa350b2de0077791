#!/usr/bin/env bash
# The comparison of every way into mrrc (Rust, C, Python PyO3 and cffi, Node)
# and the peers (pymarc 5.4.0, the PyPI mrrc 0.9.2, marcjs 3.0.2) on the same
# records: `make bench` / `make bench CORPUS=loc`.
#
#   scripts/bench.sh [sample|loc] [--quick] [-- extra run.py options]
#
# On a fresh machine it installs what it needs (idempotent; fast when done):
# release builds, the C library, the Python environments, the npm peer. Then
# it generates the sample corpus (or fetches the LoC file) and runs
# bench/compare/run.py, which writes bench/results/latest.md and the plots.
# --quick (or BENCH_QUICK=1) runs every approach once on a tiny corpus to
# test the harness itself, writing to data/compare/quick/ instead.
# Pieces not built yet (a binding still in progress) are reported as
# "not built" and skipped, never fatal.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

CORPUS=sample
QUICK="${BENCH_QUICK:-0}"
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        sample|loc) CORPUS="$1" ;;
        --quick) QUICK=1 ;;
        --) shift; EXTRA=("$@"); break ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (expected sample, loc, --quick)" >&2; exit 2 ;;
    esac
    shift
done
COMMAND="scripts/bench.sh $CORPUS"
if [ "$QUICK" = 1 ]; then COMMAND="$COMMAND --quick"; fi

step() { printf '\n== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
in_tree() { [ -e "$ROOT/$1" ]; }

# ---- Rust ------------------------------------------------------------------
step "Rust release builds"
packages=(-p mrrc-cli -p mrrc-compare)
grep -q 'name = "mrrc-bench"' bench/Cargo.toml 2>/dev/null && packages+=(-p mrrc-bench)
cargo build --release --quiet "${packages[@]}"

# ---- C ---------------------------------------------------------------------
PREFIX="$ROOT/target/prefix"
if in_tree ffi/Cargo.toml && grep -q 'cinstall\|capi' ffi/Cargo.toml 2>/dev/null && in_tree scripts/ensure-cargo-c.sh; then
    step "C library (make install into target/prefix)"
    make --no-print-directory install >/dev/null
    export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    if pkg-config --exists mrrc 2>/dev/null; then
        mkdir -p target/compare
        if [ ! -x target/compare/c_runner ] || [ bench/compare/c_runner.c -nt target/compare/c_runner ] \
            || [ "$PREFIX/lib/libmrrc.so" -nt target/compare/c_runner ]; then
            cc -O2 -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags mrrc) -o target/compare/c_runner \
                bench/compare/c_runner.c $(pkg-config --libs mrrc) -Wl,-rpath,"$PREFIX/lib"
        fi
    fi
else
    echo "C ABI not in this tree yet: the C approach will be reported as not built"
fi

# ---- Python ----------------------------------------------------------------
step "Python environments (.venv with our modules and the peers; .venv-peer-mrrc)"
if in_tree scripts/setup-python.sh; then
    scripts/setup-python.sh
elif [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
py_pkgs=("pymarc==5.4.0" "msgpack>=1,<2" "ormsgpack>=1,<2" "matplotlib>=3.7,<4")
if ! .venv/bin/python -c 'import pymarc, msgpack, ormsgpack, matplotlib, importlib.metadata as m; assert m.version("pymarc") == "5.4.0"' 2>/dev/null; then
    .venv/bin/python -m pip install --quiet "${py_pkgs[@]}"
fi
# The PyPI package `mrrc` 0.9.2 (another project with our import name) lives
# in its own environment, never in .venv.
if [ ! -x .venv-peer-mrrc/bin/python ]; then
    python3 -m venv .venv-peer-mrrc
fi
if ! .venv-peer-mrrc/bin/python -c 'import mrrc, msgpack, ormsgpack; assert mrrc.__version__ == "0.9.2"' 2>/dev/null; then
    .venv-peer-mrrc/bin/python -m pip install --quiet "mrrc==0.9.2" "msgpack>=1,<2" "ormsgpack>=1,<2"
fi

# ---- Node ------------------------------------------------------------------
if have node && have npm; then
    step "Node (our addon, marcjs 3.0.2)"
    if in_tree bindings/node/Cargo.toml; then
        target="${CARGO_TARGET_DIR:-$ROOT/target}"
        cargo build --release --quiet -p mrrc-node
        cp "$target/release/libmrrc_node.so" bindings/node/mrrc.node
    fi
    if [ ! -d bench/compare/node_modules/marcjs ]; then
        (cd bench/compare && npm ci --no-audit --no-fund --silent)
    fi
else
    echo "node/npm not installed: the Node approaches will be reported as not built"
fi

# ---- corpus ----------------------------------------------------------------
step "Corpus ($CORPUS)"
mkdir -p data/compare
ARGS=()
if [ "$CORPUS" = loc ]; then
    LOC="$ROOT/data/loc/BooksAll.2016.part01.utf8"
    [ -f "$LOC" ] || scripts/fetch-loc.sh
    ARGS+=(--corpus-file "$LOC" --corpus-label "LoC BooksAll 2016 part 1 (pymarc 5.4.0 sdist)"
           --records 250000 --slice 10000 --reps 3)
else
    RECORDS=20000
    [ "$QUICK" = 1 ] && RECORDS=300
    if [ -x target/release/gen-sample ]; then
        SAMPLE="data/compare/sample-$RECORDS.mrc"
        # Regenerated whenever the generator was rebuilt (its output may change).
        if [ ! -s "$SAMPLE" ] || [ target/release/gen-sample -nt "$SAMPLE" ]; then
            target/release/gen-sample --records "$RECORDS" --seed 2016 "$SAMPLE"
        fi
        label="generated sample (mrrc_bench::sample_corpus, seed 2016, $RECORDS records)"
    else
        # Until the bench crate's generator is in the tree: a real file repeated.
        src=/work/shared/corpus/mrrc_synthetic_10k.mrc
        SAMPLE="data/compare/synthetic10k-repeated-$RECORDS.mrc"
        [ -f "$src" ] || { echo "no sample generator (gen-sample) and no $src" >&2; exit 1; }
        echo "gen-sample (bench crate) not built: repeating $src instead" >&2
        if [ ! -s "$SAMPLE" ]; then
            .venv/bin/python - "$src" "$SAMPLE" "$RECORDS" <<'PY'
import sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
recs = [r + b"\x1d" for r in open(src, "rb").read().split(b"\x1d") if len(r) > 24]
open(dst, "wb").write(b"".join(recs[i % len(recs)] for i in range(n)))
PY
        fi
        label="mrrc_synthetic_10k.mrc (shared corpus) repeated to $RECORDS records: gen-sample not built"
    fi
    ARGS+=(--corpus-file "$SAMPLE" --corpus-label "$label" --records "$RECORDS" --slice 2000)
fi
if [ "$QUICK" = 1 ]; then
    ARGS+=(--records 300 --slice 100 --reps 1 --warmup 0 --thread-reps 1 --threads 1,2
           --spin 2000000 --control-seconds 0.02 --out "$ROOT/data/compare/quick")
fi

# ---- run -------------------------------------------------------------------
step "Comparison"
exec .venv/bin/python bench/compare/run.py "${ARGS[@]}" --command "$COMMAND" "${EXTRA[@]}"
