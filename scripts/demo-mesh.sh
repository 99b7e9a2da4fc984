#!/usr/bin/env bash
# A real local zMesh on loopback: NODES `zmesh node` processes (one seed; one node joins over a
# WebRTC data channel; one exit that may reach 127.0.0.0/8 only; one client with a SOCKS5 port),
# a DHT formed from the seed, and a file fetched byte-exact through a 3-hop onion circuit.
# Then it keeps the mesh running until Ctrl-C (or DEMO_SECONDS), so you can try it yourself.
#
#   scripts/demo-mesh.sh [BUILD_DIR]                  (default build; `make demo` runs this)
#   NODES=8 HOPS=2 DEMO_SECONDS=30 scripts/demo-mesh.sh
#
# Everything lives in a temporary directory (data dirs, logs), removed on exit unless
# KEEP=1. Only 127.0.0.1 is used.
set -euo pipefail

BUILD_DIR=${1:-build}
ZMESH=$(realpath "$BUILD_DIR/zmesh")
NODES=${NODES:-6}
HOPS=${HOPS:-3}
DEMO_SECONDS=${DEMO_SECONDS:-}
KEEP=${KEEP:-0}
FILE_MIB=${FILE_MIB:-2}

[[ -x $ZMESH ]] || { echo "demo: $ZMESH missing (make build)" >&2; exit 1; }
((NODES >= HOPS + 2)) || { echo "demo: NODES must be at least HOPS + 2 (a client and HOPS relays besides the seed)" >&2; exit 1; }
command -v curl >/dev/null || { echo "demo: curl missing (apt-get install curl)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/zmesh-demo.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $KEEP == 1 ]]; then echo "demo: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
status_json() { "$ZMESH" status --control "127.0.0.1:${CONTROL[$1]}" --json 2>/dev/null; }
json_get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

CONTROL=(); TCP=()
for ((i = 0; i < NODES; i++)); do CONTROL[i]=$(free_port); TCP[i]=$(free_port); done
WS_PORT=$(free_port)
SOCKS_PORT=$(free_port)
CLIENT=1
EXIT=$((NODES - 1))
WEBRTC_NODE=2

start_node() {  # index, extra flags...
  local i=$1; shift
  "$ZMESH" node --data-dir "$WORK/node$i" --listen "tcp://127.0.0.1:${TCP[i]}" \
    --control "127.0.0.1:${CONTROL[i]}" --hops "$HOPS" "$@" >"$WORK/node$i.log" 2>&1 &
  PIDS+=($!)
}

echo "demo: starting $NODES nodes in $WORK (logs: node*.log)"
start_node 0 --listen "ws://127.0.0.1:$WS_PORT/zmesh"
SEED="tcp://127.0.0.1:${TCP[0]}"
for ((i = 1; i < NODES; i++)); do
  flags=(--peer "$SEED")
  ((i == CLIENT)) && flags+=(--socks "127.0.0.1:$SOCKS_PORT")
  ((i == EXIT)) && flags+=(--exit-policy "accept 127.0.0.0/8:*")
  ((i == WEBRTC_NODE && NODES > 3)) && flags=(--peer "webrtc+ws://127.0.0.1:$WS_PORT/webrtc")
  start_node "$i" "${flags[@]}"
done

# Wait until every node has a peer and knows the whole mesh through the DHT.
deadline=$((SECONDS + 60))
for ((i = 0; i < NODES; i++)); do
  until [[ $(status_json "$i" | json_get 'len(d["peers"])' 2>/dev/null || echo 0) -gt 0 ]]; do
    ((SECONDS < deadline)) || { echo "demo: node $i has no peer after 60 s (see $WORK/node$i.log)" >&2; KEEP=1; exit 1; }
    sleep 0.2
  done
done
echo "demo: every node is linked; waiting for the DHT and a ready circuit"

# Fetch a random file from a local HTTP server through the client's SOCKS5 port.
mkdir -p "$WORK/www"
head -c $((FILE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/www/file.bin"
HTTP_PORT=$(free_port)
(cd "$WORK/www" && exec python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 >"$WORK/http.log" 2>&1) &
PIDS+=($!)
fetched=""
until [[ -n $fetched ]]; do
  ((SECONDS < deadline + 30)) || { echo "demo: no circuit carried the fetch within 90 s (see $WORK/node$CLIENT.log)" >&2; KEEP=1; exit 1; }
  if curl -s --max-time 20 --socks5-hostname "127.0.0.1:$SOCKS_PORT" "http://127.0.0.1:$HTTP_PORT/file.bin" -o "$WORK/fetched.bin"; then
    fetched=yes
  else
    sleep 1
  fi
done
want=$(sha256sum <"$WORK/www/file.bin" | cut -d' ' -f1)
got=$(sha256sum <"$WORK/fetched.bin" | cut -d' ' -f1)
[[ $want == "$got" ]] || { echo "demo: FETCHED FILE DIFFERS (sha256 $got, want $want)" >&2; KEEP=1; exit 1; }
echo "demo: fetched $FILE_MIB MiB through a $HOPS-hop onion circuit, byte-exact (sha256 ${want:0:16}…)"

echo
printf '%-5s %-18s %-7s %-22s %s\n' node node_id peers transports role
for ((i = 0; i < NODES; i++)); do
  role=relay; ((i == 0)) && role="seed (tcp + ws)"; ((i == CLIENT)) && role="client, SOCKS5 127.0.0.1:$SOCKS_PORT"
  ((i == EXIT)) && role="exit (accept 127.0.0.0/8:*)"; ((i == WEBRTC_NODE && NODES > 3)) && role="relay, joined over WebRTC"
  status_json "$i" | python3 -c '
import json, sys
d = json.load(sys.stdin)
kinds = sorted({p.get("transport", "?") for p in d["peers"]})
print("%-5s %-18s %-7d %-22s %s" % (sys.argv[1], d["node_id"][:16] + "..", len(d["peers"]), ",".join(kinds), sys.argv[2]))
' "$i" "$role"
done
echo
echo "demo: the mesh is running. Try:"
echo "  curl --socks5-hostname 127.0.0.1:$SOCKS_PORT http://127.0.0.1:$HTTP_PORT/file.bin -o /dev/null"
echo "  $ZMESH status --control 127.0.0.1:${CONTROL[$CLIENT]}"
EXIT_ID=$(status_json "$EXIT" | json_get 'd["node_id"]')
echo "  $ZMESH lookup $EXIT_ID --control 127.0.0.1:${CONTROL[$CLIENT]}"
if [[ -n $DEMO_SECONDS ]]; then
  echo "demo: stopping in $DEMO_SECONDS s"; sleep "$DEMO_SECONDS"
else
  echo "demo: Ctrl-C stops every node"; while sleep 3600; do :; done
fi
