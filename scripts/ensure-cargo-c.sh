#!/usr/bin/env bash
# Installs cargo-c (cargo cbuild / cinstall) into the cargo home, once: the
# build takes about 20 minutes on 2 cores, so it is skipped whenever a
# working `cargo cinstall` is already there. 0.10.24 is the newest release
# that builds with this toolchain; --locked keeps its dependencies as tested.
set -euo pipefail
if cargo cinstall --version >/dev/null 2>&1; then
    exit 0
fi
echo "installing cargo-c 0.10.24 into the cargo home (one time, ~20 min)..." >&2
cargo install cargo-c --version 0.10.24 --locked
