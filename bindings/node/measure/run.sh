#!/usr/bin/env bash
# Builds the per-call harness addons (plain Node-API in C and in Rust,
# napi-rs 2.16, napi-rs 3) in release mode and prints ns per call.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../../target}"
out="$CARGO_TARGET_DIR/release"
for crate in raw napi2 napi3; do
  (cd "$here/$crate" && cargo build --release --quiet)
  cp "$out/libmeasure_$crate.so" "$out/measure_$crate.node"
done
if [ -f /usr/include/node/node_api.h ]; then
  cc -O2 -shared -fPIC -I/usr/include/node "$here/add.c" -o "$out/measure_c.node"
fi
node "$here/run.js" "$out"
