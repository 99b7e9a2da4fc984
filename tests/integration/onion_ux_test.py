#!/usr/bin/env python3
"""What a Tor user or relay operator sees, on real `zmesh node` processes on 127.0.0.1 (ctest).

  onion_ux_test.py --zmesh PATH no_path    too few relays: a SOCKS request fails early with
                                           reply 1, the reason is logged once at warning level
                                           and shown by `zmesh status` until it clears
  onion_ux_test.py --zmesh PATH circuits   `zmesh circuits` shows the path that carried a fetch,
                                           `zmesh newnym` moves the next fetch to a new
                                           circuit; id prefixes for ping and lookup
  onion_ux_test.py --zmesh PATH errors     one error prefix style, exit codes 2 (usage) and 1
  onion_ux_test.py --zmesh PATH log_file   --log-file, moved away and reopened on SIGHUP

Ports are picked by the kernel; only the Python standard library and curl are used.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
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


def log_file(workdir, nodes):
    path = os.path.join(workdir, "zmesh.log")
    proc = subprocess.Popen([node_test.ZMESH, "node", "--data-dir", os.path.join(workdir, "n"), "--log-file", path,
                             "--control", "127.0.0.1:0", "--listen", "tcp://127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def contents(p):
            return open(p).read() if os.path.exists(p) else ""
        wait_until(lambda: "control API on" in contents(path), "the node to log to its file")
        check(os.stat(path).st_mode & 0o777 == 0o600, f"log file mode {oct(os.stat(path).st_mode & 0o777)}")
        check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  node: node id [0-9a-f]{64}$",
                       contents(path).splitlines()[0]), f"first line: {contents(path).splitlines()[0]!r}")
        os.rename(path, path + ".1")  # as logrotate does
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "log file reopened" in contents(path), "a new log file after SIGHUP")
        check("log file reopened" not in contents(path + ".1"), "the old file got lines after the reopen")
        check(proc.poll() is None, "SIGHUP stopped the node")
        proc.send_signal(signal.SIGTERM)
        check(proc.wait(timeout=20) == 0, "the node did not exit 0")
        check("stopped" in contents(path), "the last lines did not go to the new file")
        check(proc.stderr.read() == "", "the node wrote to stderr despite --log-file")
        print("log file: timestamps, 0600, reopened on SIGHUP", flush=True)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zmesh", required=True)
    parser.add_argument("scenario", choices=["no_path", "circuits", "errors", "log_file"])
    args = parser.parse_args()
    node_test.ZMESH = os.path.abspath(args.zmesh)
    workdir = node_test.WORKDIR = tempfile.mkdtemp(prefix="zmesh-ux-")
    nodes = []
    started = time.monotonic()
    try:
        {"no_path": no_path, "circuits": circuits, "errors": errors, "log_file": log_file}[args.scenario](workdir, nodes)
        print(f"OK in {time.monotonic() - started:.1f} s", flush=True)
    finally:
        for node in nodes:
            node.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def circuit_json(client):
    out = zmesh("circuits", "--control", client.control, "--json")
    check(out.returncode == 0, f"zmesh circuits failed: {out.stderr}")
    return json.loads(out.stdout)["circuits"]


def used_circuits(client):
    return {c["id"]: c for c in circuit_json(client) if c["role"] == "origin" and c["streams_opened"] > 0}


def circuits(workdir, nodes):
    for name, extra in [("relay1", []), ("relay2", []), ("relay3", []), ("relay4", []),
                        ("exit", ["--exit-policy", "accept 127.0.0.0/8:*"]),
                        ("client", ["--socks", "127.0.0.1:0", "--hops", "3"])]:
        peers = [arg for n in nodes for arg in ("--peer", n.url("tcp"))]
        nodes.append(start_node(name, *peers, *extra))
    client, exit_node = nodes[-1], nodes[-2]
    socks = client.wait_log(r"SOCKS5 on (127\.0\.0\.1:\d+)").group(1)
    client.wait_log(r"bootstrapped 100% \(done\)", timeout=60)
    www = os.path.join(workdir, "www")
    os.mkdir(www)
    with open(os.path.join(www, "file"), "wb") as f:
        f.write(os.urandom(100_000))
    server = serve_directory(www)
    url = f"http://127.0.0.1:{server.server_address[1]}/file"
    ids = {n.node_id for n in nodes}
    try:
        result, _ = curl(url, os.path.join(workdir, "out"), socks)
        check(result.returncode == 0, f"curl failed: {result.stderr}")
        used = used_circuits(client)
        check(len(used) == 1, f"expected one circuit to have carried the fetch: {circuit_json(client)}")
        first = next(iter(used.values()))
        check(len(first["path"]) == 3 and first["path"][-1] == exit_node.node_id and set(first["path"]) <= ids,
              f"the path is not 3 hops of the mesh ending at the exit: {first}")
        check(first["bytes_received"] >= 100_000, f"the circuit did not carry the file: {first}")
        table = zmesh("circuits", "--control", client.control)
        hops = " > ".join(h[:12] for h in first["path"]) + " (exit)"
        check(table.returncode == 0 and hops in table.stdout, f"zmesh circuits does not show {hops}:\n{table.stdout}")
        print(f"circuit {first['id']} carried the fetch: {hops}", flush=True)

        newnym = zmesh("newnym", "--control", client.control)
        check(newnym.returncode == 0 and "new circuits" in newnym.stdout, f"newnym: {newnym.stdout}{newnym.stderr}")
        result, _ = curl(url, os.path.join(workdir, "out2"), socks)
        check(result.returncode == 0, f"curl after newnym failed: {result.stderr}")
        used = used_circuits(client)
        new = [c for c in used.values() if c["id"] != first["id"]]
        check(len(new) == 1, f"the fetch after newnym did not use one new circuit: {circuit_json(client)}")
        old = used.get(first["id"])
        check(old is None or old["streams_opened"] == first["streams_opened"],
              f"the old circuit took a stream after newnym: {old}")
        print(f"after newnym the fetch used circuit {new[0]['id']}", flush=True)

        # Ids as status prints them (12 characters) work for ping and lookup.
        relay = nodes[0]
        ping = zmesh("ping", relay.node_id[:12], "--control", client.control, "--count", "2")
        check(ping.returncode == 0, f"ping by prefix: {ping.stdout}{ping.stderr}")
        lookup = zmesh("lookup", exit_node.node_id[:12], "--control", client.control)
        check(lookup.returncode == 0 and exit_node.node_id in lookup.stdout, f"lookup by prefix: {lookup.stderr}")
        unknown = "0" * 12 if not any(i.startswith("0" * 12) for i in ids) else "f" * 12
        missing = zmesh("ping", unknown, "--control", client.control)
        check(missing.returncode == 1 and "zmesh ping: NODEID: no node known" in missing.stderr,
              f"unknown prefix: rc {missing.returncode} {missing.stderr}")
        bad = zmesh("lookup", "xyz", "--control", client.control)
        check(bad.returncode == 2 and "zmesh lookup: NODEID: a node id is hex" in bad.stderr, f"bad prefix: {bad.stderr}")
        print("prefixes: ping and lookup by 12 characters ok", flush=True)
    finally:
        server.shutdown()


def errors(workdir, nodes):
    """One prefix style, exit code 2 for usage errors and 1 for failures, useful messages."""
    data = os.path.join(workdir, "d")
    config = os.path.join(workdir, "bad.json")
    with open(config, "w") as f:
        f.write('{"network": "x",\n  "max_peers" 3}\n')
    for args, rc, message in (
            (["--listen", "tcp://localhost:4433"], 2, "zmesh node: --listen tcp://localhost:4433: HOST must be an IP"),
            (["--listen", "ws://127.0.0.1:0"], 2, "a ws:// URL needs a path"),
            (["--peer", "ftp://1.2.3.4:5"], 2, "webrtc+ws://HOST:PORT/webrtc or webrtc+relay://VIA_ID/TO_ID"),
            (["--listen", "udp://1.2.3.4:5"], 2, "--listen takes tcp://HOST:PORT or ws://HOST:PORT/PATH"),
            (["--control", "0.0.0.0:0"], 2, "add --control-allow-remote"),
            (["--config", config], 2, "not valid JSON: line 2, column"),
            (["--bogus"], 2, "zmesh node: unknown flag --bogus")):
        out = zmesh("node", "--data-dir", data, *args, timeout=30)
        check(out.returncode == rc and message in out.stderr, f"{args}: rc {out.returncode}, stderr {out.stderr!r}")
        check(out.stderr.startswith("zmesh node: "), f"{args}: not one prefix style: {out.stderr!r}")
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for command in ("status", "circuits", "newnym"):
        out = zmesh(command, "--control", f"127.0.0.1:{port}")
        check(out.returncode == 1 and out.stderr.startswith(f"zmesh {command}: cannot reach the control API"),
              f"{command} of nothing: rc {out.returncode} {out.stderr!r}")
        out = zmesh(command, "--control", "nowhere:1")
        check(out.returncode == 2 and out.stderr.startswith(f"zmesh {command}: --control"),
              f"{command} --control nowhere: rc {out.returncode} {out.stderr!r}")
    overview = zmesh("--help")
    check("Exit status: 0 success; 1" in overview.stdout, "zmesh --help does not document the exit codes")
    print("errors: ok", flush=True)


if __name__ == "__main__":
    main()
