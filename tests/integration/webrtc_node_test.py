#!/usr/bin/env python3
"""Two real `zmesh node` processes linking over a WebRTC data channel (run by ctest).

  webrtc_node_test.py --zmesh PATH link   a listens on ws://, b dials webrtc+ws://a/webrtc: the
                                          link rides the data channel; status shows transport
                                          "webrtc" and the candidate pair; ping both ways
  webrtc_node_test.py --zmesh PATH turn   the same through coturn on 127.0.0.1 with relay
                                          candidates only (exit 77 = skipped without coturn)
  webrtc_node_test.py --zmesh PATH relay  A and C are linked to R only (TCP); A dials
                                          webrtc+relay://R/C: offer and answer cross R on
                                          channel 4, then A and C link directly over WebRTC
  webrtc_node_test.py --zmesh PATH cli    the WebRTC flags and config keys, bad values refused

ICE gathers on 127.0.0.1 only (--webrtc-address), so no packet leaves loopback. Reuses the
Node helper of node_test.py.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node_test  # noqa: E402
from node_test import Node, check, fail, ping, run, wait_until  # noqa: E402

LOOPBACK_ICE = ["--webrtc-address", "127.0.0.1"]


def signaling_url(node):
    return node.wait_log(r"WebRTC signaling on (\S+)").group(1)


def link_and_check(a, b, pair_pattern):
    """b dialled a over WebRTC; checks both views of the link and moves data both ways."""
    wait_until(lambda: a.peer(b.node_id) and b.peer(a.node_id), "a and b to link over webrtc", timeout=40)
    for me, other, direction in ((a, b, "inbound"), (b, a, "outbound")):
        p = me.peer(other.node_id)
        check(p["transport"] == "webrtc", f"{me.name} sees transport {p['transport']}, expected webrtc: {p}")
        check(p["direction"] == direction, f"{me.name} sees direction {p['direction']}")
        pair = p.get("candidate_pair", "")
        check(pair_pattern in pair and " <-> " in pair, f"{me.name}: candidate pair {pair!r}, expected {pair_pattern!r}")
        check(p["remote"].startswith("127.0.0.1:"), f"{me.name}: remote {p['remote']}")
    listeners = a.status()["listeners"]
    check(len(listeners) == 1 and listeners[0]["transport"] == "ws" and listeners[0].get("webrtc") == signaling_url(a),
          f"a's listeners: {listeners}")
    table = run([node_test.ZMESH, "status", "--control", b.control])
    check(table.returncode == 0 and "webrtc" in table.stdout, f"zmesh status table:\n{table.stdout}{table.stderr}")
    for me, other in ((a, b), (b, a)):
        out = ping(me.control, other.node_id, 300, 3000)
        check(out.returncode == 0, f"ping {me.name}->{other.name}: rc {out.returncode}\n{out.stdout}{out.stderr}")
        result = json.loads(out.stdout)
        check(result["received"] == 300 and result["lost"] == 0 and result["corrupted"] == 0, f"ping: {result}")
    # Clean close: a's close cell crosses the data channel, both exit 0.
    check(a.stop() == 0, f"a exited with {a.proc.returncode}:\n{a.log_text()}")
    b.wait_log(r"closed by the peer \(reason 1: node shutting down\)")
    check(b.stop(signal.SIGINT) == 0, f"b exited with {b.proc.returncode}:\n{b.log_text()}")


def test_link():
    a = Node("a", "--listen", "ws://127.0.0.1:0/zmesh", *LOOPBACK_ICE)
    nodes = [a]
    try:
        b = Node("b", "--peer", signaling_url(a), *LOOPBACK_ICE)
        nodes.append(b)
        link_and_check(a, b, "127.0.0.1:")
        print(f"link over webrtc: ok ({a.node_id[:12]} <-> {b.node_id[:12]})")
    finally:
        for n in nodes:
            n.kill()


def test_relay():
    r = Node("r", "--listen", "tcp://127.0.0.1:0", *LOOPBACK_ICE)
    nodes = [r]
    try:
        c = Node("c", "--peer", r.url("tcp"), *LOOPBACK_ICE)
        nodes.append(c)
        wait_until(lambda: r.peer(c.node_id), "c to link with r")
        # A's relayed dial fails until its link to R is up, then is retried with backoff.
        a = Node("a", "--peer", r.url("tcp"), "--peer", f"webrtc+relay://{r.node_id}/{c.node_id}",
                 "--backoff-initial-ms", "200", *LOOPBACK_ICE)
        nodes.append(a)
        wait_until(lambda: a.peer(c.node_id) and c.peer(a.node_id), "a and c to link over webrtc through r", timeout=40)
        for me, other, direction in ((a, c, "outbound"), (c, a, "inbound")):
            p = me.peer(other.node_id)
            check(p["transport"] == "webrtc" and p["direction"] == direction, f"{me.name} sees {p}")
            check("127.0.0.1:" in p.get("candidate_pair", ""), f"{me.name}: candidate pair in {p}")
        check(r.peer(a.node_id)["transport"] == "tcp" and r.peer(c.node_id)["transport"] == "tcp", "r's links")
        out = ping(a.control, c.node_id, 200, 2000)
        check(out.returncode == 0, f"ping a->c: rc {out.returncode}\n{out.stdout}{out.stderr}")
        result = json.loads(out.stdout)
        check(result["received"] == 200 and result["lost"] == 0 and result["corrupted"] == 0, f"ping: {result}")
        for n in (a, c, r):
            check(n.stop() == 0, f"{n.name} exited with {n.proc.returncode}:\n{n.log_text()}")
        print(f"link over webrtc signaled through a neighbour: ok ({a.node_id[:12]} <-> {c.node_id[:12]} via {r.node_id[:12]})")
    finally:
        for n in nodes:
            n.kill()


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_turn():
    if shutil.which("turnserver") is None:
        print("SKIP: coturn's turnserver is not installed (scripts/setup.sh)")
        raise SystemExit(77)
    port = free_udp_port()
    log_path = os.path.join(node_test.WORKDIR, "turn.log")
    with open(log_path, "w") as log:
        turn = subprocess.Popen(
            ["turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
             "--min-port=41000", "--max-port=41999", "--lt-cred-mech", "--user=zmesh:relay-secret",
             "--realm=zmesh.test", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
             "--no-multicast-peers", "--fingerprint", f"--pidfile={node_test.WORKDIR}/turnserver.pid",
             f"--userdb={node_test.WORKDIR}/turndb", "--verbose", "--log-file=stdout", "--simple-log"],
            stdout=log, stderr=subprocess.STDOUT)
    nodes = []
    try:
        deadline = time.time() + 10
        while "Total General servers" not in open(log_path).read():
            check(time.time() < deadline and turn.poll() is None, "coturn did not start:\n" + open(log_path).read())
            time.sleep(0.1)
        relay = ["--turn", f"zmesh:relay-secret@127.0.0.1:{port}", "--webrtc-relay-only", *LOOPBACK_ICE]
        a = Node("a", "--listen", "ws://127.0.0.1:0/zmesh", *relay)
        nodes.append(a)
        b = Node("b", "--peer", signaling_url(a), *relay)
        nodes.append(b)
        link_and_check(a, b, "relay <-> 127.0.0.1:")
        allocations = open(log_path).read().count("ALLOCATE processed, success")
        check(allocations >= 2, f"coturn logged {allocations} successful allocations")
        print(f"link over webrtc through TURN: ok ({allocations} allocations)")
    finally:
        for n in nodes:
            n.kill()
        turn.terminate()
        turn.wait(timeout=10)


def test_cli():
    help_text = run([node_test.ZMESH, "node", "--help"]).stdout
    for text in ("--stun", "--turn", "--webrtc-address", "--webrtc-relay-only", "webrtc+ws://", "stun_servers",
                 "turn_servers", "webrtc_addresses", "webrtc_relay_only"):
        check(text in help_text, f"zmesh node --help does not mention {text}")
    data = os.path.join(node_test.WORKDIR, "x")
    for args, message in (
            (["--peer", "webrtc+tcp://127.0.0.1:5/webrtc"], "--peer webrtc+tcp://127.0.0.1:5/webrtc"),
            (["--peer", "webrtc+ws://127.0.0.1:0/webrtc"], "port 0"),
            (["--stun", "stun.example:3478"], "IP address"),
            (["--stun", "127.0.0.1:70000"], "bad port"),
            (["--turn", "127.0.0.1:3478"], "USER:PASSWORD@HOST:PORT"),
            (["--webrtc-relay-only"], "needs a TURN server"),
            (["--webrtc-address", "eth0"], "not an IP address"),
            (["--peer", "webrtc+relay://abc/def"], "webrtc+relay://VIA_NODE_ID/TO_NODE_ID")):
        out = run([node_test.ZMESH, "node", "--data-dir", data, *args], timeout=30)
        check(out.returncode == 2 and message in out.stderr, f"{args}: rc {out.returncode}, stderr {out.stderr!r}")
    # Config keys apply (a relay-only node with a TURN server starts), and are type-checked.
    config = os.path.join(node_test.WORKDIR, "node.json")
    with open(config, "w") as f:
        json.dump({"stun_servers": ["127.0.0.1:3478"], "turn_servers": ["u:p@127.0.0.1:3478"],
                   "webrtc_addresses": ["127.0.0.1"], "webrtc_relay_only": True}, f)
    n = Node("cfg", "--config", config, "--listen", "ws://127.0.0.1:0/zmesh")
    try:
        check(signaling_url(n).startswith("webrtc+ws://127.0.0.1:"), "no signaling endpoint")
        check(n.stop() == 0, "config node did not exit 0")
    finally:
        n.kill()
    with open(config, "w") as f:
        json.dump({"data_dir": data, "turn_servers": "u:p@127.0.0.1:3478"}, f)
    out = run([node_test.ZMESH, "node", "--config", config], timeout=30)
    check(out.returncode == 2 and "turn_servers must be a list of strings" in out.stderr, f"config type: {out.stderr}")
    reserved = run([node_test.ZMESH, "node", "--data-dir", data, "--listen", "ws://127.0.0.1:0/webrtc"], timeout=30)
    check(reserved.returncode == 1 and "reserved for WebRTC signaling" in reserved.stderr, f"reserved: {reserved.stderr}")
    print("webrtc cli: ok")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zmesh", required=True)
    parser.add_argument("test", choices=["link", "turn", "relay", "cli"])
    args = parser.parse_args()
    node_test.ZMESH = os.path.abspath(args.zmesh)
    node_test.WORKDIR = tempfile.mkdtemp(prefix="zmesh-webrtc-node-test-")
    try:
        {"link": test_link, "turn": test_turn, "relay": test_relay, "cli": test_cli}[args.test]()
    finally:
        shutil.rmtree(node_test.WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
