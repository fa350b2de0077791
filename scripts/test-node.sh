#!/usr/bin/env bash
# Builds the Node addon (release), installs the npm dev packages when
# missing, runs the node:test suite and the TypeScript declaration check.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pkg="$root/bindings/node"
target="${CARGO_TARGET_DIR:-$root/target}"

cargo build --release -p mrrc-node
cp "$target/release/libmrrc_node.so" "$pkg/mrrc.node"

cd "$pkg"
if [ ! -x node_modules/.bin/tsc ] || [ ! -d node_modules/marcjs ]; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
node --test test/
node_modules/.bin/tsc --noEmit -p test/types
echo "tsc: index.d.ts accepts test/types/usage.ts"
