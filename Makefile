# mrrc: the two fresh-machine commands are `make bench` (the comparison on the
# bundled sample) and `make test` (everything CI checks). Both install what
# they need.

SHELL := /bin/bash
CORPUS ?= sample
PREFIX ?= $(CURDIR)/target/prefix
CARGO ?= cargo

.PHONY: test bench lint rust-test loc-test c-test python-test node-test \
        build cli install python node loc fuzz header

## Everything CI runs.
test: lint rust-test loc-test c-test python-test node-test

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	# The fuzz crate is outside the workspace: check it still builds.
	$(CARGO) fmt --manifest-path fuzz/Cargo.toml --check
	$(CARGO) check --manifest-path fuzz/Cargo.toml --bins
	# The PyO3 binding for interpreters not installed here (compiled only,
	# see bindings/python-pyo3/check/README.md).
	for cfg in bindings/python-pyo3/check/*.cfg; do \
	    PYO3_CONFIG_FILE=$(CURDIR)/$$cfg CARGO_TARGET_DIR=$(CURDIR)/target/pyo3-check \
	        $(CARGO) clippy -q -p mrrc-python --all-targets -- -D warnings || exit 1; \
	done

rust-test:
	$(CARGO) test --workspace

## The 250,000 LoC records: zero errors, exactly pymarc's titles, and every
## record unchanged through MARCXML, JSON, msgpack and MARCMaker.
loc-test: loc
	$(CARGO) test --release -p mrrc-core --test iso2709_loc --test marcxml_json_msgpack_mrk_roundtrip -- --nocapture

loc:
	scripts/fetch-loc.sh

c-test:
	scripts/test-c.sh

python-test: loc
	scripts/setup-python.sh
	.venv/bin/python -m pytest -q tests/python
	scripts/pymarc-suite.sh
	MRRC_PYMARC_IMPL=mrrc_cffi scripts/pymarc-suite.sh

node-test:
	scripts/test-node.sh

## The CLI at target/release/mrrc.
cli:
	$(CARGO) build --release -p mrrc-cli

## libmrrc.so, libmrrc.a, mrrc.h and mrrc.pc under PREFIX (default target/prefix).
install:
	scripts/ensure-cargo-c.sh
	$(CARGO) cinstall --release -p mrrc-ffi --prefix "$(PREFIX)" --libdir "$(PREFIX)/lib"

## Regenerate include/mrrc.h from ffi/ (CI fails when the committed one drifts).
header:
	MRRC_UPDATE_HEADER=1 $(CARGO) test -p mrrc-ffi --test header

## The comparison of every approach (CORPUS=sample or CORPUS=loc).
bench:
	scripts/bench.sh $(CORPUS)
