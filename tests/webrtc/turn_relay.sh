#!/usr/bin/env bash
# WebRTC through TURN only: coturn on 127.0.0.1, two webrtc_peer processes with --relay-only
# (libnice force-relay; host candidates are neither gathered for use nor signaled), so every
# packet between them goes through the TURN relay. Checks that the channel opens, the exchange
# verifies, both ends selected a relay <-> relay pair and coturn saw the allocations.
#   turn_relay.sh WEBRTC_PEER_BINARY
# Exit 77 (ctest: skipped) when turnserver is missing.
set -euo pipefail
peer=$1
command -v turnserver >/dev/null || { echo "SKIP: coturn's turnserver is not installed (scripts/setup.sh)"; exit 77; }
dir=$(mktemp -d /tmp/zmesh-turn.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
turnserver -n --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 --listening-port="$port" \
  --min-port=40000 --max-port=40999 --lt-cred-mech --user=zmesh:relay-secret --realm=zmesh.test \
  --no-tls --no-dtls --no-cli --allow-loopback-peers --no-multicast-peers --fingerprint \
  --pidfile="$dir/turnserver.pid" --userdb="$dir/turndb" --verbose --log-file=stdout --simple-log > "$dir/turn.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q "Total General servers" "$dir/turn.log" 2>/dev/null && break; sleep 0.1; done

turn=(--turn "127.0.0.1:$port" --turn-user zmesh --turn-pass relay-secret --relay-only)
"$peer" listen "${turn[@]}" > "$dir/listen.out" 2> "$dir/listen.err" &
pids+=($!)
listener=${pids[-1]}
for _ in $(seq 50); do grep -q SIGNALING "$dir/listen.out" && break; sleep 0.1; done
url=$(awk '/SIGNALING/ {print $2}' "$dir/listen.out")
status=0
"$peer" dial "$url" "${turn[@]}" 2> "$dir/dial.err" || status=$?
wait "$listener" || status=$?
cat "$dir/listen.err" "$dir/dial.err"
if [[ $status -ne 0 ]]; then
  echo "FAILED: exchange through TURN (status $status)"; tail -20 "$dir/turn.log"; exit 1
fi
for side in listen dial; do
  grep -q "relay <-> .* relay" "$dir/$side.err" || { echo "FAILED: $side side did not select a relay <-> relay pair"; exit 1; }
done
allocations=$(grep -c "ALLOCATE processed, success" "$dir/turn.log" || true)
[[ $allocations -ge 2 ]] || { echo "FAILED: coturn logged $allocations successful allocations"; tail -20 "$dir/turn.log"; exit 1; }
echo "TURN relay: channel verified through coturn ($allocations allocations)"
