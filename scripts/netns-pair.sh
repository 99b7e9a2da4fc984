# Sourced by the network-namespace benchmarks: two namespaces joined by a veth pair, shaped
# with tc tbf on both ends (the kernel here has no netem). Callers set NS_A NS_B VETH_A VETH_B
# ADDR_A ADDR_B (a /24 of their own) before calling, and call netns_pair_delete on exit.

netns_pair_create() {
  ip netns add "$NS_A"
  ip netns add "$NS_B"
  ip link add "$VETH_A" netns "$NS_A" type veth peer name "$VETH_B" netns "$NS_B"
  ip -n "$NS_A" addr add "$ADDR_A/24" dev "$VETH_A"
  ip -n "$NS_B" addr add "$ADDR_B/24" dev "$VETH_B"
  for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
  ip -n "$NS_A" link set "$VETH_A" up
  ip -n "$NS_B" link set "$VETH_B" up
}

netns_pair_delete() {
  ip netns del "$NS_A" 2>/dev/null || true  # takes the veth pair with it
  ip netns del "$NS_B" 2>/dev/null || true
}

# "100mbit" / "1gbit" / "500kbit" -> bits per second.
rate_bits() {
  local rate=$1 number unit
  number=${rate%%[a-zA-Z]*}
  unit=${rate#"$number"}
  case $unit in
    kbit) echo $((number * 1000)) ;;
    mbit) echo $((number * 1000000)) ;;
    gbit) echo $((number * 1000000000)) ;;
    *) echo "netns: rate $rate: use kbit, mbit or gbit" >&2; exit 1 ;;
  esac
}

# Shapes both ends to RATE: a bucket of ~10 ms at the rate (at least 64 KiB, so a GSO burst
# fits) and 50 ms of queue; both ends, since the reverse direction carries ACKs and answers.
# Sets SHAPE_BURST (bytes).
netns_pair_shape() {
  local rate=$1 bits
  bits=$(rate_bits "$rate")
  SHAPE_BURST=$((bits / 8 / 100))
  ((SHAPE_BURST < 65536)) && SHAPE_BURST=65536
  tc -n "$NS_A" qdisc replace dev "$VETH_A" root tbf rate "$rate" burst "$SHAPE_BURST" latency 50ms
  tc -n "$NS_B" qdisc replace dev "$VETH_B" root tbf rate "$rate" burst "$SHAPE_BURST" latency 50ms
}
