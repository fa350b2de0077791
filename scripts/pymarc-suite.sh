#!/usr/bin/env bash
# Runs pymarc 5.4.0's unchanged test suite (from its sdist on PyPI) against
# mrrc, registered as `pymarc` by scripts/pymarc-suite/conftest.py.
# MRRC_PYMARC_IMPL=mrrc_cffi runs it against the cffi binding instead.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
DATA="$ROOT/data"
SDIST_DIR="$DATA/pymarc-5.4.0"

scripts/fetch-loc.sh

# A scratch copy: the tests write files next to their data and must see only
# our conftest, never the real pymarc package.
WORK="$DATA/pymarc-suite"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -r "$SDIST_DIR/test" "$WORK/test"
cp scripts/pymarc-suite/conftest.py "$WORK/conftest.py"
cd "$WORK"
if [ $# -eq 0 ]; then set -- test; fi
exec "$PY" -m pytest -p no:cacheprovider --rootdir="$WORK" -q "$@"
