#!/usr/bin/env python3
"""Onion routing through real `zmesh node` processes on 127.0.0.1 (run by ctest).

  onion_socks_test.py --zmesh PATH [--bench-json FILE] [--file-mib N] [--circuit-samples N]

Six nodes link up (each dials every node started before it, so the DHT hands every node every
descriptor): four relays, one exit with --exit-policy "accept 127.0.0.0/8:*", and a client
with --socks. A local HTTP server (Python standard library, 127.0.0.1, port picked by the
kernel) serves a random 1-4 MiB file; `curl --socks5-hostname` fetches it through a 3-hop
circuit and the SHA-256 must match. A target the exit policy refuses (192.0.2.1, TEST-NET-1:
refused by policy before any packet leaves) must end in a clean SOCKS error (curl exit 97).
With --bench-json it also times circuit builds and the SOCKS download against a direct one.
"""
import argparse
import functools
import hashlib
import http.server
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node_test  # noqa: E402  (Node: one `zmesh node` process with its control API)
from node_test import check, wait_until  # noqa: E402


def start_node(name, *args):
    return node_test.Node(name, "--listen", "tcp://127.0.0.1:0", *args)


def serve_directory(directory):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def curl(url, out_path, socks=None, timeout=60):
    command = ["curl", "--silent", "--show-error", "--max-time", str(timeout), "--output", out_path, url]
    if socks:
        command[1:1] = ["--socks5-hostname", socks]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 10)
    return result, time.monotonic() - started


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zmesh", required=True)
    parser.add_argument("--bench-json", help="also measure circuit builds and throughput; write figures here")
    parser.add_argument("--file-mib", type=float, default=0, help="file size (default: random 1-4 MiB)")
    parser.add_argument("--circuit-samples", type=int, default=20)
    parser.add_argument("--exit-policy", default="accept 127.0.0.0/8:*")
    parser.add_argument("--bench-url", help="benchmark this download (served elsewhere, e.g. across a shaped "
                                            "link: scripts/bench-onion-netns.sh) instead of the local file")
    args = parser.parse_args()
    node_test.ZMESH = os.path.abspath(args.zmesh)
    workdir = node_test.WORKDIR = tempfile.mkdtemp(prefix="zmesh-onion-")
    nodes = []
    server = None
    try:
        started = time.monotonic()
        for name, extra in [("relay1", []), ("relay2", []), ("relay3", []), ("relay4", []),
                            ("exit", ["--exit-policy", args.exit_policy]),
                            ("client", ["--socks", "127.0.0.1:0", "--hops", "3"])]:
            peers = [arg for n in nodes for arg in ("--peer", n.url("tcp"))]
            nodes.append(start_node(name, *peers, *extra))
        client, exit_node = nodes[-1], nodes[-2]
        socks = client.wait_log(r"SOCKS5 on (127\.0\.0\.1:\d+)").group(1)

        wait_until(lambda: client.status()["onion"]["circuits"]["origin_ready"] >= 1,
                   "a ready 3-hop circuit at the client", 60)
        print(f"circuit ready {time.monotonic() - started:.1f} s after the first node started", flush=True)

        www = os.path.join(workdir, "www")
        os.mkdir(www)
        size = int(args.file_mib * 1024 * 1024) if args.file_mib else random.randint(1 << 20, 4 << 20)
        with open(os.path.join(www, "file"), "wb") as f:
            f.write(os.urandom(size))
        server = serve_directory(www)
        url = f"http://127.0.0.1:{server.server_address[1]}/file"

        out = os.path.join(workdir, "via-socks")
        result, socks_seconds = curl(url, out, socks)
        check(result.returncode == 0, f"curl through SOCKS failed ({result.returncode}): {result.stderr}\n"
                                      f"client:\n{client.log_text()}\nexit:\n{exit_node.log_text()}")
        check(sha256(out) == sha256(os.path.join(www, "file")), "the file fetched through the circuit differs")
        print(f"fetched {size} bytes through 3 hops in {socks_seconds:.2f} s, byte-exact", flush=True)

        status = client.status()["onion"]
        check(status["hops"] == 3, f"client hops {status['hops']}")
        exit_status = exit_node.status()["onion"]
        check(exit_status["exit"] and exit_status["streams"]["incoming"] >= 1, f"exit saw no stream: {exit_status}")
        middles = sum(n.status()["onion"]["circuits"]["middle"] for n in nodes[:4])
        check(middles >= 2, f"relays carry {middles} middle circuits; a 3-hop circuit needs 2")

        refused, _ = curl("http://192.0.2.1:80/", os.path.join(workdir, "refused"), socks, timeout=30)
        check(refused.returncode == 97, f"a target the exit policy refuses: curl exit {refused.returncode}, "
                                        f"expected 97 (SOCKS error): {refused.stderr}")
        print(f"refused by the exit policy: curl exit 97 ({refused.stderr.strip()})", flush=True)
        with socket.socket() as probe_socket:  # a loopback port nobody listens on
            probe_socket.bind(("127.0.0.1", 0))
            closed_port = probe_socket.getsockname()[1]
        closed, _ = curl(f"http://127.0.0.1:{closed_port}/", os.path.join(workdir, "closed"), socks, timeout=30)
        check(closed.returncode == 97, f"a closed port behind the exit: curl exit {closed.returncode}, expected 97")
        # Not SOCKS at all, and a client that vanishes mid-handshake: closed, nothing else changes.
        host, port = socks.split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
            check(raw.recv(64) in (b"", b"\x05\xff"), "the SOCKS port answered HTTP")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall(b"\x05\x01")
        again, _ = curl(url, os.path.join(workdir, "again"), socks)
        check(again.returncode == 0 and sha256(os.path.join(workdir, "again")) == sha256(out),
              f"a download after hostile SOCKS clients failed: {again.stderr}")
        wait_until(lambda: client.status()["onion"]["streams"]["open"] == 0, "the client's streams to end", 10)

        if args.bench_json:
            bench(args, nodes, args.bench_url or url, socks, size, workdir)
        print(f"OK in {time.monotonic() - started:.1f} s", flush=True)
    finally:
        for node in nodes:
            node.stop()
        if server:
            server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


def probe(node):
    """One circuit built outside the pool (POST /v1/onion/probe); its build time in ms."""
    request = urllib.request.Request(f"http://{node.control}/v1/onion/probe", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())["build_ms"]


def cpu_seconds(pid):
    """utime + stime of a process (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench(args, nodes, url, socks, size, workdir):
    """Circuit build times (setup sent to ready, measured by the client node; 3 hops) and the
    SOCKS download against a direct download of the same file, medians, same run."""
    client = nodes[-1]
    builds = [probe(client) for _ in range(args.circuit_samples)]
    direct_times, socks_times = [], []
    node_cpu_seconds = 0.0
    for _ in range(5):
        _, t = curl(url, os.path.join(workdir, "direct"), None)
        direct_times.append(t)
        before = sum(cpu_seconds(n.proc.pid) for n in nodes)
        r, t = curl(url, os.path.join(workdir, "via"), socks, timeout=300)
        node_cpu_seconds += sum(cpu_seconds(n.proc.pid) for n in nodes) - before
        check(r.returncode == 0, f"curl through SOCKS failed: {r.stderr}")
        check(sha256(os.path.join(workdir, "via")) == sha256(os.path.join(workdir, "direct")), "bench file differs")
        socks_times.append(t)
    size = os.path.getsize(os.path.join(workdir, "direct"))  # --bench-url: not the local file
    direct, via = statistics.median(direct_times), statistics.median(socks_times)
    figures = {
        "circuit_build_ms_median": statistics.median(builds),
        "circuit_build_ms_min": min(builds),
        "circuit_build_ms_max": max(builds),
        "circuit_samples": len(builds),
        "file_bytes": size,
        "direct_seconds_median": direct,
        "socks_seconds_median": via,
        "direct_mib_per_s": size / direct / 2**20,
        "socks_mib_per_s": size / via / 2**20,
        "socks_over_direct_throughput": direct / via,
        # CPU time of all six nodes per MiB carried through the circuit (load-independent).
        "node_cpu_ms_per_mib": node_cpu_seconds * 1000 / (5 * size / 2**20),
    }
    with open(args.bench_json, "w") as f:
        json.dump(figures, f, indent=2)
    print(json.dumps(figures, indent=2), flush=True)


if __name__ == "__main__":
    main()
