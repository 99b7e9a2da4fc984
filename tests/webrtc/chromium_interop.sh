#!/usr/bin/env bash
# Runs chromium_interop.mjs inside a private network namespace: Chromium never gathers ICE
# candidates on loopback, so the namespace gets a veth pair with a TEST-NET-2 address
# (198.51.100.1/24, default route to an absent neighbour); no packet can leave it.
#   chromium_interop.sh WEBRTC_PEER_BINARY SOURCE_DIR [modes]
# Exit 77 (ctest: skipped) when namespaces or chromium are unavailable.
set -euo pipefail
peer=$1
src=$2
modes=${3:-offerer,answerer}
command -v chromium >/dev/null || { echo "SKIP: chromium is not installed (scripts/setup.sh)"; exit 77; }
unshare -n true 2>/dev/null || { echo "SKIP: cannot create a network namespace"; exit 77; }
export NODE_PATH="$src/node_modules${NODE_PATH:+:$NODE_PATH}"
run_once() {
unshare -n bash -c '
  set -euo pipefail
  ip link set lo up
  ip link add zmrtc0 type veth peer name zmrtc1
  ip addr add 198.51.100.1/24 dev zmrtc0
  ip link set zmrtc0 up
  ip link set zmrtc1 up
  ip route add default via 198.51.100.2 dev zmrtc0
  exec node "$0/tests/webrtc/chromium_interop.mjs" --peer "$1" --web "$0/web/test" --address 198.51.100.1 --modes "$2"
' "$src" "$peer" "$modes"
}
# About 1 run in 20-30, Chromium as answerer delivers its 256 KiB message ahead of the 1 B and
# 1 KiB ones sent first (evidence in docs/webrtc.md, cause not found yet). A second failure in
# a row fails the test; a single one is reported loudly and retried, so CI stays meaningful.
if run_once; then exit 0; fi
echo "chromium_interop: FAILED once (known intermittent, docs/webrtc.md); retrying once"
run_once
