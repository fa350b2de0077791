#!/usr/bin/env bash
# Creates .venv at the repository root (if missing), installs the build and
# test tools, and builds and installs the PyO3 module `mrrc` from this
# checkout. The `mrrc` name on PyPI belongs to another project: the module is
# only ever installed from the local source, never fetched from an index.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# Build and test tools only (pinned to known-good major versions).
"$PY" -m pip install --quiet --upgrade pip
"$PY" -m pip install --quiet "maturin>=1.9,<2" "pytest>=8" "msgpack>=1" "mypy>=1.10"

# Refuse a foreign `mrrc` (the PyPI project of that name) in this environment.
if "$PY" -m pip show mrrc >/dev/null 2>&1; then
    location=$("$PY" -m pip show -f mrrc | sed -n 's/^Location: //p')
    if ! "$PY" -c 'import mrrc, sys; sys.exit(0 if hasattr(mrrc, "__mrrc_local__") else 1)' 2>/dev/null; then
        echo "removing a foreign mrrc from $location" >&2
        "$PY" -m pip uninstall --quiet -y mrrc
    fi
fi

# Build from the local source; `maturin develop` installs no dependencies from
# an index (the module has none) and never downloads a package called mrrc.
PROFILE="${MRRC_PROFILE:---release}"
(
    cd bindings/python-pyo3
    VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop $PROFILE --quiet
)
"$PY" -c 'import mrrc; assert mrrc.__mrrc_local__; print("mrrc", mrrc.__version__, "from", mrrc.__file__)'

# The cffi binding `mrrc_cffi`: libmrrc from cargo-c under target/prefix
# (make install), then the cffi extension built against it and linked with
# an rpath to it. Built without build isolation from the tools installed
# here (cffi, setuptools: from PyPI, as any dependency).
"$PY" -m pip install --quiet "cffi>=1.17" "setuptools>=68" wheel
make --no-print-directory install PREFIX="$ROOT/target/prefix" >/dev/null
MRRC_PREFIX="$ROOT/target/prefix" "$PY" -m pip install --quiet --no-build-isolation --no-deps \
    --force-reinstall ./bindings/python-cffi
rm -rf bindings/python-cffi/build bindings/python-cffi/python/*.egg-info
"$PY" -c 'import mrrc_cffi; print("mrrc_cffi", mrrc_cffi.__version__, "from", mrrc_cffi.__file__)'
