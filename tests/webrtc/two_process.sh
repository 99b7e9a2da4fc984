#!/usr/bin/env bash
# Native <-> native WebRTC between two processes on 127.0.0.1: one listens (WebSocket
# signaling), the other dials webrtc+ws://...; both must verify the byte-exact exchange.
#   two_process.sh WEBRTC_PEER_BINARY
set -euo pipefail
peer=$1
dir=$(mktemp -d /tmp/zmesh-rtc2.XXXXXX)
listener=
cleanup() {
  [[ -n $listener ]] && kill "$listener" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
"$peer" listen > "$dir/listen.out" 2> "$dir/listen.err" &
listener=$!
for _ in $(seq 100); do grep -q SIGNALING "$dir/listen.out" && break; sleep 0.05; done
url=$(awk '/SIGNALING/ {print $2}' "$dir/listen.out")
[[ -n $url ]] || { echo "FAILED: listener printed no signaling URL"; cat "$dir/listen.err"; exit 1; }
status=0
"$peer" dial "$url" || status=$?
wait "$listener" || status=$?
listener=
cat "$dir/listen.err"
[[ $status -eq 0 ]] || { echo "FAILED (status $status)"; exit 1; }
echo "two processes: verified"
