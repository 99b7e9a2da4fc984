#!/usr/bin/env python3
"""Integration test of the Kademlia DHT in real `zmesh node` processes on 127.0.0.1 (ctest).

  dht_mesh_test.py --zmesh PATH [--nodes 20]

N nodes start with one seed as their only --peer, join the DHT through it and publish their
signed descriptors; then every node looks up every other node with `zmesh lookup` (N x (N-1)
lookups, run in parallel through the nodes' control APIs) and each answer must be the target's
own descriptor with its real listen address. Also: an unknown NodeId is reported as not found
(exit 1), and `zmesh status --json` shows the DHT counters. Every port is picked by the kernel;
every process is killed at the end. Reuses node_test.py's process helpers.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node_test  # noqa: E402
from node_test import Node, check, fail, run, wait_until  # noqa: E402

# All nodes share 127.0.0.1: the per-IP handshake limit (a flood brake) would otherwise
# make 19 nodes joining at once wait for their backoff.
SHARED_IP_FLAGS = ["--handshake-rate", "1000", "--handshake-burst", "1000"]
BUDGET_SECONDS = 90


LOOKUP_SECONDS = []  # wall time of every `zmesh lookup` (process start included)


def lookup(zmesh, source, target):
    began = time.time()
    out = run([zmesh, "lookup", target.node_id, "--control", source.control, "--timeout", "70"], timeout=90)
    LOOKUP_SECONDS.append(time.time() - began)
    if out.returncode != 0:
        return f"{source.name} -> {target.name}: exit {out.returncode}: {out.stderr.strip()}"
    try:
        d = json.loads(out.stdout)
    except json.JSONDecodeError as e:
        return f"{source.name} -> {target.name}: not JSON ({e}): {out.stdout[:200]}"
    problems = []
    if d.get("node_id") != target.node_id:
        problems.append(f"node_id {d.get('node_id')}")
    addresses = [a.get("address") for a in d.get("addresses", [])]
    if target.url("tcp") not in addresses:
        problems.append(f"addresses {addresses} lack {target.url('tcp')}")
    if not {"relay", "dht"} <= set(d.get("capabilities", [])):
        problems.append(f"capabilities {d.get('capabilities')}")
    if not d.get("onion_keys") or not all(len(k.get("id", "")) == 16 for k in d["onion_keys"]):
        problems.append(f"onion keys {d.get('onion_keys')}")
    if d.get("expires_at", 0) <= time.time():
        problems.append(f"expires_at {d.get('expires_at')} is not in the future")
    return f"{source.name} -> {target.name}: " + "; ".join(problems) if problems else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zmesh", required=True)
    parser.add_argument("--nodes", type=int, default=20)
    args = parser.parse_args()
    zmesh = os.path.abspath(args.zmesh)
    node_test.ZMESH = zmesh
    node_test.WORKDIR = tempfile.mkdtemp(prefix="zmesh-dht-")
    started = time.time()
    nodes = []
    try:
        seed = Node("n00", "--listen", "tcp://127.0.0.1:0", *SHARED_IP_FLAGS)
        nodes.append(seed)
        for i in range(1, args.nodes):
            nodes.append(Node(f"n{i:02d}", "--listen", "tcp://127.0.0.1:0", "--peer", seed.url("tcp"), *SHARED_IP_FLAGS))
        for n in nodes:
            n.wait_log(r"dht: joined", timeout=30)
        print(f"{len(nodes)} nodes joined after {time.time() - started:.1f} s", flush=True)

        pairs = [(s, t) for s in nodes for t in nodes if s is not t]
        lookups_started = time.time()
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda p: lookup(zmesh, *p), pairs))
            # A descriptor announced a moment ago may still be on its way to its holders: one retry.
            failed = [p for p, problem in zip(pairs, results) if problem]
            retried = len(failed)
            if failed:
                time.sleep(2)
            failures = [f for f in pool.map(lambda p: lookup(zmesh, *p), failed) if f]
        check(not failures, f"{len(failures)} of {len(pairs)} lookups failed:\n" + "\n".join(failures[:20]))
        print(f"{len(pairs)} lookups (every node for every other) in {time.time() - lookups_started:.1f} s, "
              f"{retried} needed a retry", flush=True)
        times = sorted(LOOKUP_SECONDS)
        print(f"zmesh lookup wall time (8 in parallel): median {1000 * times[len(times) // 2]:.0f} ms, "
              f"p95 {1000 * times[int(len(times) * 0.95)]:.0f} ms, max {1000 * times[-1]:.0f} ms", flush=True)

        unknown = "00" * 31 + "01"
        out = run([zmesh, "lookup", unknown, "--control", nodes[3].control, "--timeout", "70"], timeout=90)
        check(out.returncode == 1 and "not found" in out.stderr,
              f"lookup of an unknown id: exit {out.returncode}, stderr {out.stderr!r}")
        out = run([zmesh, "lookup", "not-hex", "--control", nodes[3].control])
        check(out.returncode == 2, f"lookup of a malformed id: exit {out.returncode}")

        stored = []
        for n in nodes:
            dht = n.status()["dht"]
            stored.append(dht["records_stored"])
            check(dht["joined"] and dht["routing_table_size"] > 0 and dht["records_stored"] > 0,
                  f"{n.name} dht status {dht}")
            check(dht["descriptors_found"] >= args.nodes - 1 and dht["lookups_succeeded"] >= args.nodes - 1,
                  f"{n.name} dht counters {dht}")
            check(dht["descriptors_refused"] == 0, f"{n.name} refused genuine descriptors: {dht}")
        print(f"records held per node: min {min(stored)}, max {max(stored)} (of {len(nodes)} descriptors)", flush=True)
        elapsed = time.time() - started
        check(elapsed < BUDGET_SECONDS, f"took {elapsed:.1f} s, budget {BUDGET_SECONDS} s")
        print(f"PASS: {len(nodes)}-node DHT mesh in {elapsed:.1f} s", flush=True)
    finally:
        for n in nodes:
            n.kill()
        shutil.rmtree(node_test.WORKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
