#!/usr/bin/env bash
# libsodium for WebAssembly. Debian ships libsodium only for the host, so we build
# Debian's own source release (pinned by SHA-256) with Debian's emscripten, using the
# configure flags of libsodium's dist-build/emscripten.sh (no asm, no ssp, no pthreads).
#
# Idempotent: does nothing when third_party/libsodium-wasm/lib/libsodium.a exists and
# was built from the pinned version. The build installs into a temporary prefix and is
# moved into place only when complete, so an interrupted build is simply redone.
#
# Why EM_CACHE is NOT overridden: Debian's emscripten sets FROZEN_CACHE=True in
# /usr/share/emscripten/.emscripten and ships a pre-built sysroot + system libraries in
# /usr/share/emscripten/cache. Pointing EM_CACHE at an empty directory makes every emcc
# call fail ("FROZEN_CACHE is set, but cache file is missing: sysroot_install.stamp"),
# which autoconf reports as "C compiler cannot create executables".
set -euo pipefail
cd "$(dirname "$0")/.."

SODIUM_VERSION=1.0.18
SODIUM_SHA256=d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4
SODIUM_DIR=third_party/libsodium-wasm
STAMP=$SODIUM_DIR/.zmesh-sodium-version
JOBS=${SODIUM_JOBS:-$(nproc)}

if [[ -f $SODIUM_DIR/lib/libsodium.a && -f $STAMP && $(cat "$STAMP") == "$SODIUM_VERSION" ]]; then
  exit 0
fi

unset EM_CACHE EM_CONFIG
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
# configure may run emcc output under node; node >= 18 would try fetch() on the .wasm path.
export NODE_OPTIONS="${NODE_OPTIONS:-} --no-experimental-fetch"

root=$PWD
src=$root/third_party/src/libsodium-build
log=$root/third_party/src/libsodium-build.log
tmp_prefix=$root/$SODIUM_DIR.tmp

# Fail early and clearly when emscripten itself cannot compile (before a long configure).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int main(void) { return 0; }' >"$probe/probe.c"
if ! emcc -O2 "$probe/probe.c" -o "$probe/probe.js" >"$probe/emcc.log" 2>&1; then
  echo "setup: emcc cannot build a trivial program; its output:" >&2
  tail -5 "$probe/emcc.log" >&2
  echo "setup: (is the Debian package 'emscripten' installed with its cache in /usr/share/emscripten/cache?)" >&2
  exit 1
fi

mkdir -p third_party/src
tarball=third_party/src/libsodium_${SODIUM_VERSION}.orig.tar.gz
if [[ ! -f $tarball ]] || ! echo "$SODIUM_SHA256  $tarball" | sha256sum -c --quiet >/dev/null 2>&1; then
  echo "setup: fetching libsodium ${SODIUM_VERSION} source from the Debian archive"
  curl -fsSL -o "$tarball.part" "http://deb.debian.org/debian/pool/main/libs/libsodium/libsodium_${SODIUM_VERSION}.orig.tar.gz"
  mv "$tarball.part" "$tarball"
fi
echo "$SODIUM_SHA256  $tarball" | sha256sum -c --quiet

rm -rf "$src" "$tmp_prefix" && mkdir -p "$src"
tar xzf "$tarball" -C "$src" --strip-components=1
echo "setup: building libsodium ${SODIUM_VERSION} for wasm (once; log: ${log#"$root"/})"
start=$SECONDS
if ! (
  # set -e does not apply inside an `if` condition, hence the && chain.
  cd "$src" &&
  # Debian's orig tarball is a git export without a generated configure script.
  { [[ -x ./configure ]] || ./autogen.sh -s; } &&
  emconfigure ./configure --prefix="$tmp_prefix" --disable-shared --enable-static \
    --without-pthreads --disable-ssp --disable-asm --disable-pie CFLAGS="-O3" &&
  emmake make -j"$JOBS" &&
  emmake make install
) >"$log" 2>&1; then
  echo "setup: libsodium wasm build failed; last lines of $log:" >&2
  tail -20 "$log" >&2
  exit 1
fi
echo "$SODIUM_VERSION" >"$tmp_prefix/.zmesh-sodium-version"
rm -rf "$SODIUM_DIR" && mv "$tmp_prefix" "$SODIUM_DIR"
rm -rf "$src"
echo "setup: libsodium for wasm built in $((SECONDS - start)) s"
