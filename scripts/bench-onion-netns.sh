#!/usr/bin/env bash
# Onion circuits against a direct download across a rate-limited link: two network namespaces
# joined by a veth pair shaped with tc tbf on both ends (as scripts/bench-link-netns.sh). The
# HTTP server runs in namespace B; the six `zmesh node` processes of bench-onion.sh (talking
# over A's own loopback) and curl run in namespace A. So the direct download and the 3-hop
# SOCKS download (exit -> server) cross the same shaped link exactly once, and the ratio says
# what the circuit costs when the network, not the CPU, is the limit. Needs root (ip netns);
# uses only 10.199.1.0/24 inside its own namespaces and removes everything it created on exit.
#
#   scripts/bench-onion-netns.sh [BUILD_DIR]                (default build)
#   RATES="100mbit 1gbit" SECONDS_PER_DOWNLOAD=2 scripts/bench-onion-netns.sh build-release
#
# Prints one line per rate: rate, direct MiB/s, SOCKS MiB/s, socks/direct (medians of 5
# downloads each, alternating). Goal (issue 6): socks/direct >= 0.90.
set -euo pipefail

BUILD_DIR=${1:-build}
ZMESH=$(realpath "$BUILD_DIR/zmesh")
RATES=${RATES:-"100mbit 1gbit"}
SECONDS_PER_DOWNLOAD=${SECONDS_PER_DOWNLOAD:-2}
HERE=$(dirname "$(realpath "$0")")
PORT=7480

[[ -x $ZMESH ]] || { echo "bench-onion-netns: $ZMESH missing (cmake --build $BUILD_DIR --target zmesh)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "bench-onion-netns: needs root for ip netns" >&2; exit 1; }
command -v tc >/dev/null || { echo "bench-onion-netns: tc (iproute2) missing" >&2; exit 1; }
command -v curl >/dev/null || { echo "bench-onion-netns: curl missing" >&2; exit 1; }

NS_A=zmonion-nodes-$$ VETH_A=zmon$$ ADDR_A=10.199.1.1   # the nodes and curl
NS_B=zmonion-server-$$ VETH_B=zmos$$ ADDR_B=10.199.1.2  # the HTTP server
NS_NODES=$NS_A NS_SERVER=$NS_B ADDR_SERVER=$ADDR_B
source "$HERE/netns-pair.sh"
WORK=$(mktemp -d)
SERVER_PID=

cleanup() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  netns_pair_delete
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_pair_create

mkdir "$WORK/www"
ip netns exec "$NS_SERVER" python3 -m http.server --bind "$ADDR_SERVER" --directory "$WORK/www" "$PORT" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

TABLE="rate       direct MiB/s  socks MiB/s  socks/direct  nodes CPU ms/MiB  (3 hops, medians of 5)"
for rate in $RATES; do
  bits=$(rate_bits "$rate")
  netns_pair_shape "$rate"
  burst=$SHAPE_BURST
  mib=$((bits / 8 * SECONDS_PER_DOWNLOAD / 1048576))
  ((mib < 4)) && mib=4
  head -c $((mib * 1048576)) /dev/urandom >"$WORK/www/file"
  ip netns exec "$NS_NODES" python3 "$HERE/../tests/integration/onion_socks_test.py" --zmesh "$ZMESH" \
    --bench-json "$WORK/$rate.json" --file-mib 1 --circuit-samples 3 \
    --exit-policy "accept $ADDR_SERVER/32:$PORT, accept 127.0.0.0/8:*" \
    --bench-url "http://$ADDR_SERVER:$PORT/file" >"$WORK/$rate.log" 2>&1 ||
    { cat "$WORK/$rate.log" >&2; exit 1; }
  echo "== tbf $rate, burst $burst bytes, $mib MiB file"
  row=$(python3 - "$WORK/$rate.json" "$rate" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<10} {f['direct_mib_per_s']:12.1f} {f['socks_mib_per_s']:12.1f} "
      f"{f['socks_over_direct_throughput']:13.3f} {f['node_cpu_ms_per_mib']:17.1f}")
PY
)
  echo "$row"
  TABLE+=$'\n'$row
done
echo "$TABLE"
