#!/usr/bin/env python3
"""What a Tor user sees, on real `zmesh node` processes on 127.0.0.1 (run by ctest).

  onion_ux_test.py --zmesh PATH no_path    too few relays: a SOCKS request fails early with
                                           reply 1, the reason is logged once at warning level
                                           and shown by `zmesh status` until it clears
  onion_ux_test.py --zmesh PATH circuits   `zmesh circuits` shows the path that carried a fetch,
                                           `zmesh newnym` moves the next fetch to a new
                                           circuit; id prefixes for ping and lookup

Ports are picked by the kernel; only the Python standard library and curl are used.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import node_test  # noqa: E402
from node_test import check, run, wait_until  # noqa: E402
from onion_socks_test import curl, serve_directory, start_node  # noqa: E402

NO_PATH_WAIT_S = 5  # socks_session.hpp: kNoPathWait


def zmesh(*args, timeout=60):
    return run([node_test.ZMESH, *args], timeout=timeout)


def no_path(workdir, nodes):
    exit_node = start_node("exit", "--exit-policy", "accept 127.0.0.0/8:*")
    nodes.append(exit_node)
    client = start_node("client", "--peer", exit_node.url("tcp"), "--socks", "127.0.0.1:0", "--hops", "3")
    nodes.append(client)
    socks = client.wait_log(r"SOCKS5 on (127\.0\.0\.1:\d+)").group(1)
    client.wait_log(r"bootstrapped 20% \(linked\)")
    # One relay known (the exit), three needed: the reason comes once, at warning level.
    warning = client.wait_log(r"^warn +node: cannot build a client circuit: (not enough relays.*)", timeout=30)
    reason = warning.group(1)
    check("3-hop path" in reason, f"the reason does not say what is missing: {reason}")
    print(f"warned: {reason}", flush=True)

    www = os.path.join(workdir, "www")
    os.mkdir(www)
    with open(os.path.join(www, "file"), "wb") as f:
        f.write(os.urandom(4096))
    server = serve_directory(www)
    url = f"http://127.0.0.1:{server.server_address[1]}/file"
    try:
        result, seconds = curl(url, os.path.join(workdir, "out"), socks, timeout=40)
        check(result.returncode == 97, f"curl exit {result.returncode}, expected 97 (SOCKS error): {result.stderr}")
        check(seconds < NO_PATH_WAIT_S + 3, f"the SOCKS request failed after {seconds:.1f} s, expected about {NO_PATH_WAIT_S} s")
        check(re.search(r"general|\(1\)", result.stderr, re.I), f"not SOCKS reply 1 (general failure): {result.stderr}")
        print(f"curl failed after {seconds:.1f} s: {result.stderr.strip()}", flush=True)
        warnings = client.log_matches(r"^warn +node: cannot build a client circuit")
        check(len(warnings) == 1, f"the reason was logged {len(warnings)} times:\n{client.log_text()}")

        plain = zmesh("status", "--control", client.control)
        check(plain.returncode == 0 and "problem   cannot build a client circuit: " + reason in plain.stdout,
              f"plain status does not show the reason:\n{plain.stdout}")

        # Three more relays: the problem clears, in the log and in status, and a fetch works.
        for name in ("relay1", "relay2", "relay3"):
            peers = [arg for n in nodes for arg in ("--peer", n.url("tcp"))]
            nodes.append(start_node(name, *peers))
        client.wait_log(r"client circuits can be built again", timeout=60)
        client.wait_log(r"bootstrapped 100% \(done\): SOCKS5 ready", timeout=60)
        plain = zmesh("status", "--control", client.control)
        check("problem" not in plain.stdout and "bootstrap 100% (done)" in plain.stdout,
              f"status after recovery:\n{plain.stdout}")
        result, _ = curl(url, os.path.join(workdir, "out"), socks, timeout=60)
        check(result.returncode == 0, f"curl after recovery failed: {result.stderr}\n{client.log_text()}")
        for tag in ("20% (linked)", "40% (dht)", "60% (descriptors)", "80% (circuit)", "100% (done)"):
            check(len(client.log_matches(re.escape("bootstrapped " + tag))) == 1, f"'{tag}' not logged once")
        print("recovered: problem cleared, bootstrapped 100%, fetch ok", flush=True)
    finally:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zmesh", required=True)
    parser.add_argument("scenario", choices=["no_path", "circuits"])
    args = parser.parse_args()
    node_test.ZMESH = os.path.abspath(args.zmesh)
    workdir = node_test.WORKDIR = tempfile.mkdtemp(prefix="zmesh-ux-")
    nodes = []
    started = time.monotonic()
    try:
        {"no_path": no_path, "circuits": circuits}[args.scenario](workdir, nodes)
        print(f"OK in {time.monotonic() - started:.1f} s", flush=True)
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def circuits(workdir, nodes):
    raise SystemExit(77)


if __name__ == "__main__":
    main()
