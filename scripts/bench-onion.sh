#!/usr/bin/env bash
# Onion circuits in the running node, on loopback: six real `zmesh node` processes (four
# relays, an exit, a client with --socks), the same mesh as tests/integration/onion_socks_test.py.
# Measures the 3-hop circuit build time (setup sent to ready, POST /v1/onion/probe, median of
# CIRCUITS) and the download of one FILE_MIB file from a local HTTP server through SOCKS against
# a direct download of the same file in the same run (median of 5 each, curl).
#
#   scripts/bench-onion.sh [BUILD_DIR]                  (default build)
#   FILE_MIB=32 CIRCUITS=20 scripts/bench-onion.sh build-release
#
# Prints the figures as JSON, then the build-time median and the SOCKS/direct throughput ratio.
# Loopback makes the direct download nearly free; scripts/bench-onion-netns.sh compares both
# downloads across a tc-shaped link between two network namespaces instead.
set -euo pipefail

BUILD_DIR=${1:-build}
ZMESH=$(realpath "$BUILD_DIR/zmesh")
FILE_MIB=${FILE_MIB:-16}
CIRCUITS=${CIRCUITS:-20}
HERE=$(dirname "$(realpath "$0")")
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT

[[ -x $ZMESH ]] || { echo "bench-onion: $ZMESH missing (cmake --build $BUILD_DIR --target zmesh)" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench-onion: curl missing" >&2; exit 1; }

python3 "$HERE/../tests/integration/onion_socks_test.py" --zmesh "$ZMESH" --bench-json "$OUT" \
  --file-mib "$FILE_MIB" --circuit-samples "$CIRCUITS" >&2
python3 - "$OUT" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
print(json.dumps(f, indent=2))
print(f"circuit build (3 hops, median of {f['circuit_samples']}): {f['circuit_build_ms_median']:.2f} ms")
print(f"download {f['file_bytes'] / 2**20:.0f} MiB: direct {f['direct_mib_per_s']:.1f} MiB/s, "
      f"via 3-hop SOCKS {f['socks_mib_per_s']:.1f} MiB/s, ratio {f['socks_over_direct_throughput']:.3f}")
print(f"CPU time of the six nodes per MiB through the circuit: {f['node_cpu_ms_per_mib']:.1f} ms")
PY
