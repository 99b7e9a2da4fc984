#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
# libsodium for WebAssembly: Debian ships it only for the host, so we build Debian's own
# source release with emscripten. Pinned by SHA-256.
SODIUM_VERSION=1.0.18
SODIUM_SHA256=d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4
SODIUM_DIR=third_party/libsodium-wasm
if [[ ! -f $SODIUM_DIR/lib/libsodium.a ]]; then
  mkdir -p third_party/src
  tarball=third_party/src/libsodium_${SODIUM_VERSION}.orig.tar.gz
  if [[ ! -f $tarball ]]; then
    echo "setup: fetching libsodium ${SODIUM_VERSION} source from the Debian archive"
    curl -fsSL -o "$tarball.part" "http://deb.debian.org/debian/pool/main/libs/libsodium/libsodium_${SODIUM_VERSION}.orig.tar.gz"
    mv "$tarball.part" "$tarball"
  fi
  echo "$SODIUM_SHA256  $tarball" | sha256sum -c --quiet
  rm -rf third_party/src/libsodium-build && mkdir -p third_party/src/libsodium-build
  tar xzf "$tarball" -C third_party/src/libsodium-build --strip-components=1
  echo "setup: building libsodium for wasm (a few minutes, once)"
  (
    cd third_party/src/libsodium-build
    export NODE_PATH=/usr/share/nodejs EM_CACHE="$PWD/../../em-cache"
    [[ -x ./configure ]] || ./autogen.sh -s >/dev/null
    emconfigure ./configure --prefix="$PWD/../../libsodium-wasm" --disable-shared --enable-static \
      --without-pthreads --disable-ssp --disable-asm --disable-pie CFLAGS="-O2" >/dev/null
    emmake make -j"$(nproc)" >/dev/null
    emmake make install >/dev/null
  )
fi
