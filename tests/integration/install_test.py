#!/usr/bin/env python3
"""`make install`'s files, staged under a temporary DESTDIR (run by ctest).

  install_test.py --build-dir BUILD

Installs component zmesh of BUILD (what `make install` runs after building) into a temporary
DESTDIR and checks: the binary runs and prints its commit, the man page renders with `man -l`
without warnings and describes every command `zmesh --help` lists, the example config is
accepted by the node, and `systemd-analyze verify` passes on the unit (its ExecStart pointed
at the staged binary, the staged man page on MANPATH). Exit 77 (skipped) without man or
systemd-analyze.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def fail(message):
    print("FAIL: " + message, flush=True)
    raise SystemExit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    for tool in ("man", "systemd-analyze"):
        if not shutil.which(tool):
            print(f"skipped: {tool} is not installed", flush=True)
            raise SystemExit(77)
    stage = tempfile.mkdtemp(prefix="zmesh-install-")
    try:
        out = run(["cmake", "--install", args.build_dir, "--component", "zmesh"], env={**os.environ, "DESTDIR": stage})
        check(out.returncode == 0, f"cmake --install failed: {out.stdout}{out.stderr}")
        files = sorted(os.path.relpath(os.path.join(d, f), stage) for d, _, fs in os.walk(stage) for f in fs)
        prefix = os.path.dirname(os.path.dirname(next(f for f in files if f.endswith("bin/zmesh"))))
        root = os.path.join(stage, prefix)
        for wanted in ("bin/zmesh", "share/man/man1/zmesh.1", "lib/systemd/system/zmesh.service",
                       "share/doc/zmesh/zmesh.example.json"):
            check(os.path.exists(os.path.join(root, wanted)), f"{wanted} not installed under {prefix}: {files}")
        zmesh = os.path.join(root, "bin/zmesh")
        version = run([zmesh, "version"]).stdout
        check(re.match(r"zmesh \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$", version.strip()),
              f"zmesh version: {version!r}")

        page = run(["man", "--warnings", "-l", os.path.join(root, "share/man/man1/zmesh.1")],
                   env={**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0"})
        check(page.returncode == 0 and page.stderr == "", f"man -l: rc {page.returncode} {page.stderr}")
        text = re.sub(r".\x08", "", page.stdout)  # grotty's overstrikes (bold, underline)
        commands = re.findall(r"^  (\w+) +\S", run([zmesh, "--help"]).stdout, re.M)
        check(len(commands) >= 8, f"zmesh --help lists {commands}")
        for command in commands:
            check(re.search(rf"^   {command}$", text, re.M), f"the man page does not describe {command}")
        check("EXIT STATUS" in text and "--log-file" in text, "the man page lacks exit status or options")

        # The example's keys and values pass (its addresses are documentation ones, so no node is
        # started): a bad flag applied after the file is then the only error, exit 2.
        example = os.path.join(root, "share/doc/zmesh/zmesh.example.json")
        accepted = run([zmesh, "node", "--config", example, "--data-dir", os.path.join(stage, "data"),
                        "--listen", "tcp://127.0.0.1:0", "--peer", "tcp://127.0.0.1:9", "--control", "127.0.0.1:0",
                        "--socks", "127.0.0.1:0", "--max-peers", "0"])
        check(accepted.returncode == 2 and "--max-peers" in accepted.stderr and "--config" not in accepted.stderr,
              f"the example config was not accepted: {accepted.stderr}")

        unit = os.path.join(root, "lib/systemd/system/zmesh.service")
        text = open(unit).read()
        check(f"ExecStart=/{prefix}/bin/zmesh node" in text, f"ExecStart does not point at the prefix {prefix}")
        staged_unit = os.path.join(stage, "zmesh.service")
        with open(staged_unit, "w") as f:
            f.write(text.replace(f"/{prefix}/bin/zmesh", zmesh))
        verify = run(["systemd-analyze", "verify", staged_unit],
                     env={**os.environ, "MANPATH": os.path.join(root, "share/man")})
        check(verify.returncode == 0 and verify.stderr.strip() == "", f"systemd-analyze verify: {verify.stderr}")
        for hardening in ("DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "StateDirectory=zmesh"):
            check(hardening in text, f"the unit lacks {hardening}")
        print(f"installed under DESTDIR/{prefix}: {', '.join(files)}; man page renders; unit verifies", flush=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
