#!/usr/bin/env bash
# One idempotent setup for a fresh Debian bookworm machine: Debian packages,
# npm packages pinned by package-lock.json, and the third-party sources that the
# build compiles (PQClean from npm, libsodium's Debian source for WebAssembly).
# Safe to run again: every step checks whether its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  clang-14 libclang-rt-14-dev lld-14
  libgtest-dev libgmock-dev libbenchmark-dev
  libsodium-dev libssl-dev libisal-dev nlohmann-json3-dev
  emscripten nodejs autoconf automake libtool
  iproute2 python3
  libnice-dev libusrsctp-dev libglib2.0-dev chromium coturn
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v npm >/dev/null || { echo "setup: npm is missing (Debian package npm or nodejs from nodesource)"; exit 1; }

# npm packages, exactly as pinned in package-lock.json. --ignore-scripts: pqclean's own
# install script would download Node headers; we only want its C sources.
if [[ ! -f node_modules/.package-lock.json ]] || ! cmp -s package-lock.json node_modules/.zmesh-lock; then
  echo "setup: npm ci"
  npm ci --ignore-scripts --no-audit --no-fund
  cp package-lock.json node_modules/.zmesh-lock
fi

bash scripts/setup-wasm-sodium.sh
echo "setup: ok"
