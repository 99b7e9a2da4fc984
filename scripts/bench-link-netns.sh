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

NS_SEND=zmbench-send-$$
NS_RECV=zmbench-recv-$$
VETH_SEND=zmbs$$
VETH_RECV=zmbr$$
ADDR_SEND=10.199.0.1
ADDR_RECV=10.199.0.2
WORK=$(mktemp -d)
SERVER_PID=

cleanup() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  ip netns del "$NS_SEND" 2>/dev/null || true  # takes the veth pair with it
  ip netns del "$NS_RECV" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_SEND"
ip netns add "$NS_RECV"
ip link add "$VETH_SEND" netns "$NS_SEND" type veth peer name "$VETH_RECV" netns "$NS_RECV"
ip -n "$NS_SEND" addr add "$ADDR_SEND/24" dev "$VETH_SEND"
ip -n "$NS_RECV" addr add "$ADDR_RECV/24" dev "$VETH_RECV"
for ns in "$NS_SEND" "$NS_RECV"; do ip -n "$ns" link set lo up; done
ip -n "$NS_SEND" link set "$VETH_SEND" up
ip -n "$NS_RECV" link set "$VETH_RECV" up

# "100mbit" / "1gbit" / "500kbit" -> bits per second.
rate_bits() {
  local rate=$1 number unit
  number=${rate%%[a-zA-Z]*}
  unit=${rate#"$number"}
  case $unit in
    kbit) echo $((number * 1000)) ;;
    mbit) echo $((number * 1000000)) ;;
    gbit) echo $((number * 1000000000)) ;;
    *) echo "bench-link-netns: rate $rate: use kbit, mbit or gbit" >&2; exit 1 ;;
  esac
}

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
  # tbf: a bucket of ~10 ms at the rate (at least 64 KiB, so a GSO burst fits) and 50 ms
  # of queue, on both ends (the reverse direction carries ACKs and the answers).
  burst=$((bits / 8 / 100))
  ((burst < 65536)) && burst=65536
  tc -n "$NS_SEND" qdisc replace dev "$VETH_SEND" root tbf rate "$rate" burst "$burst" latency 50ms
  tc -n "$NS_RECV" qdisc replace dev "$VETH_RECV" root tbf rate "$rate" burst "$burst" latency 50ms
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
