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

NS_NODES=zmonion-nodes-$$
NS_SERVER=zmonion-server-$$
VETH_NODES=zmon$$
VETH_SERVER=zmos$$
ADDR_NODES=10.199.1.1
ADDR_SERVER=10.199.1.2
WORK=$(mktemp -d)
SERVER_PID=

cleanup() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  ip netns del "$NS_NODES" 2>/dev/null || true  # takes the veth pair with it
  ip netns del "$NS_SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_NODES"
ip netns add "$NS_SERVER"
ip link add "$VETH_NODES" netns "$NS_NODES" type veth peer name "$VETH_SERVER" netns "$NS_SERVER"
ip -n "$NS_NODES" addr add "$ADDR_NODES/24" dev "$VETH_NODES"
ip -n "$NS_SERVER" addr add "$ADDR_SERVER/24" dev "$VETH_SERVER"
for ns in "$NS_NODES" "$NS_SERVER"; do ip -n "$ns" link set lo up; done
ip -n "$NS_NODES" link set "$VETH_NODES" up
ip -n "$NS_SERVER" link set "$VETH_SERVER" up

rate_bits() {  # "100mbit" / "1gbit" / "500kbit" -> bits per second
  local rate=$1 number unit
  number=${rate%%[a-zA-Z]*}
  unit=${rate#"$number"}
  case $unit in
    kbit) echo $((number * 1000)) ;;
    mbit) echo $((number * 1000000)) ;;
    gbit) echo $((number * 1000000000)) ;;
    *) echo "bench-onion-netns: rate $rate: use kbit, mbit or gbit" >&2; exit 1 ;;
  esac
}

mkdir "$WORK/www"
ip netns exec "$NS_SERVER" python3 -m http.server --bind "$ADDR_SERVER" --directory "$WORK/www" "$PORT" \
  >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

TABLE="rate       direct MiB/s  socks MiB/s  socks/direct  nodes CPU ms/MiB  (3 hops, medians of 5)"
for rate in $RATES; do
  bits=$(rate_bits "$rate")
  burst=$((bits / 8 / 100))  # ~10 ms at the rate, at least 64 KiB (a GSO burst), 50 ms of queue
  ((burst < 65536)) && burst=65536
  tc -n "$NS_NODES" qdisc replace dev "$VETH_NODES" root tbf rate "$rate" burst "$burst" latency 50ms
  tc -n "$NS_SERVER" qdisc replace dev "$VETH_SERVER" root tbf rate "$rate" burst "$burst" latency 50ms
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
