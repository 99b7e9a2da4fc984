#!/usr/bin/env bash
# Link throughput against raw TCP across a rate-limited link between two network namespaces:
# a veth pair shaped with tc tbf on both ends (the kernel has no netem here), the receiver of
# zmesh_link_throughput in one namespace, the sender in the other. Both raw TCP and the link
# run through the same shaped veth in alternating rounds. Needs root (ip netns); uses only
# 10.199.0.0/24 inside its own namespaces and removes everything it created on exit.
#
#   scripts/bench-link-netns.sh [BUILD_DIR]         (default build)
#   RATES="100mbit 1gbit" SECONDS_PER_ROUND=4 ROUNDS=3 TRANSPORT=tcp scripts/bench-link-netns.sh
#
# Prints one line per rate: rate, raw MB/s, link MB/s, link/raw. Goal: link/raw >= 0.95.
set -euo pipefail

BUILD_DIR=${1:-build}
BIN=$(realpath "$BUILD_DIR/bench/zmesh_link_throughput")
RATES=${RATES:-"100mbit 1gbit"}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-4}
ROUNDS=${ROUNDS:-3}
TRANSPORT=${TRANSPORT:-tcp}
PORT=7400

[[ -x $BIN ]] || { echo "bench-link-netns: $BIN missing (cmake --build $BUILD_DIR --target zmesh_link_throughput)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "bench-link-netns: needs root for ip netns" >&2; exit 1; }
command -v tc >/dev/null || { echo "bench-link-netns: tc (iproute2) missing" >&2; exit 1; }

NS_A=zmbench-send-$$ VETH_A=zmbs$$ ADDR_A=10.199.0.1  # the sender
NS_B=zmbench-recv-$$ VETH_B=zmbr$$ ADDR_B=10.199.0.2  # the receiver
NS_SEND=$NS_A NS_RECV=$NS_B ADDR_RECV=$ADDR_B
source "$(dirname "$(realpath "$0")")/netns-pair.sh"
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

ip netns exec "$NS_RECV" "$BIN" --serve "$ADDR_RECV:$PORT" --transport "$TRANSPORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  grep -q serving "$WORK/server.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q serving "$WORK/server.log" || { echo "bench-link-netns: receiver did not start" >&2; exit 1; }

TABLE="rate       raw MB/s   link MB/s   link/raw   (median of $ROUNDS rounds, ${SECONDS_PER_ROUND}s each, $TRANSPORT)"
for rate in $RATES; do
  bits=$(rate_bits "$rate")
  netns_pair_shape "$rate"
  burst=$SHAPE_BURST
  mib=$((bits / 8 * SECONDS_PER_ROUND / 1048576))
  ((mib < 4)) && mib=4
  ip netns exec "$NS_SEND" "$BIN" --connect "$ADDR_RECV:$PORT" --transport "$TRANSPORT" --mib "$mib" \
    --rounds "$ROUNDS" >"$WORK/$rate.log"
  echo "== tbf $rate, burst $burst bytes"
  cat "$WORK/$rate.log"
  summary=$(grep '^summary' "$WORK/$rate.log")
  raw=$(sed -E 's/.*raw_MBps=([0-9.]+).*/\1/' <<<"$summary")
  link=$(sed -E 's/.*link_MBps=([0-9.]+).*/\1/' <<<"$summary")
  ratio=$(sed -E 's/.*ratio=([0-9.]+).*/\1/' <<<"$summary")
  TABLE+=$'\n'$(printf '%-10s %9s %11s %10s' "$rate" "$raw" "$link" "$ratio")
done
echo "$TABLE"
