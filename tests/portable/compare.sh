#!/usr/bin/env bash
# Runs the native and the WebAssembly build of portable_digest and asserts that they print
# exactly the same digests (see portable_digest.cpp). Registered in the wasm build's ctest;
# `make test` builds and tests the native tree first, so the native binary exists.
# usage: compare.sh NATIVE_BINARY WASM_JS
set -uo pipefail
native_bin=$1
wasm_js=$2
if [[ ! -x $native_bin ]]; then
  echo "compare.sh: native binary $native_bin is missing." >&2
  echo "compare.sh: build the native tree first (make build, or make test which does both)." >&2
  exit 1
fi
native_out=$("$native_bin") || { echo "compare.sh: native portable_digest failed" >&2; exit 1; }
wasm_out=$(node "$wasm_js") || { echo "compare.sh: wasm portable_digest failed under node" >&2; exit 1; }
echo "native:"; echo "$native_out"
if [[ "$native_out" != "$wasm_out" ]]; then
  echo "wasm (DIFFERS):"; echo "$wasm_out"
  diff <(echo "$native_out") <(echo "$wasm_out")
  exit 1
fi
echo "wasm: identical ($(echo "$wasm_out" | wc -l) lines)"
