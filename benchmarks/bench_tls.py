"""Endpoints per minute for ``govscan tls`` against the sslyze CLI, on local lab servers.

    python benchmarks/bench_tls.py              # 50 endpoints (a mix of lab scenarios)

Both run the same scan commands on the same endpoints (no extra trust anchors: every lab
certificate is untrusted for both), as whole processes; the script then
checks that both saw the same protocol versions and the same leaf certificate per endpoint.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

MIX = ["good", "legacy", "expired", "mismatch", "weak", "no-hsts", "chain", "selfsigned", "untrusted", "expiring"]
SSLYZE_COMMANDS = [
    "--sslv2", "--sslv3", "--tlsv1", "--tlsv1_1", "--tlsv1_2", "--tlsv1_3", "--certinfo", "--http_headers",
    "--heartbleed", "--robot", "--openssl_ccs", "--fallback", "--compression", "--reneg", "--elliptic_curves", "--ems",
]  # fmt: skip
VERSIONS = {
    "ssl2": "ssl_2_0",
    "ssl3": "ssl_3_0",
    "tls1.0": "tls_1_0",
    "tls1.1": "tls_1_1",
    "tls1.2": "tls_1_2",
    "tls1.3": "tls_1_3",
}


SERVE = """
import sys, warnings
from contextlib import ExitStack
from pathlib import Path
warnings.filterwarnings("ignore")
from govscan.testing.tls_lab import scenario
work, names = Path(sys.argv[1]), sys.argv[2:]
with ExitStack() as stack:
    servers = [stack.enter_context(scenario(name, work)) for name in names]
    print(" ".join(str(s.port) for s in servers), flush=True)
    sys.stdin.read()
"""


def serve(work: Path, names: list[str], processes: int) -> tuple[list[subprocess.Popen[str]], list[int]]:
    """Lab servers in child processes, so the servers' own work is not stuck behind one GIL."""
    children, ports = [], []
    for i in range(processes):
        share = names[i::processes]
        child = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(work), *share], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        children.append(child)
    for child in children:
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line:
            raise SystemExit(f"lab server process failed to start (exit {child.wait()})")
        ports.extend(int(p) for p in line.split())
    return children, ports


def main() -> None:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=50)
    parser.add_argument("--server-processes", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="govscan-tls-bench-"))
    try:
        children, ports = serve(work, [MIX[i % len(MIX)] for i in range(args.endpoints)], args.server_processes)
        try:
            targets = [f"localhost:{port}" for port in ports]
            govscan = shutil.which("govscan") or "govscan"
            out = work / "govscan.json"
            t = time.perf_counter()
            subprocess.run(
                [
                    govscan,
                    "tls",
                    *targets,
                    "--format",
                    "json",
                    "-o",
                    str(out),
                    "--fail-on",
                    "none",
                    "--no-progress",
                ],
                check=True,
            )
            gov_s = time.perf_counter() - t
            gov_cpu = _child_cpu()
            sslyze_out = work / "sslyze.json"
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "sslyze", *SSLYZE_COMMANDS, "--mozilla_config", "intermediate",
                 "--json_out", str(sslyze_out), "--quiet", *[f"{t}{{127.0.0.1}}" for t in targets]],
                check=False,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            sslyze_s = time.perf_counter() - t
            sslyze_cpu = _child_cpu() - gov_cpu
        finally:
            for child in children:
                child.communicate(timeout=30)
        n = args.endpoints
        print(f"machine: cores={os.cpu_count()}")
        print(f"govscan tls: {n} endpoints in {gov_s:5.1f} s = {n / gov_s * 60:6.1f} endpoints/min")
        print(f"sslyze CLI:  {n} endpoints in {sslyze_s:5.1f} s = {n / sslyze_s * 60:6.1f} endpoints/min")
        print(f"client CPU per endpoint: govscan {gov_cpu / n:.2f} s, sslyze {sslyze_cpu / n:.2f} s")
        print(f"ratio: govscan is {sslyze_s / gov_s:.2f}x the single sslyze process")
        compare(json.loads(out.read_text()), json.loads(sslyze_out.read_text()))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compare(govscan_doc: dict, sslyze_doc: dict) -> None:
    """Same protocol versions and the same leaf certificate for every endpoint."""
    ours = {(e["host"], e["port"]): e for e in govscan_doc["endpoints"]}
    same = differ = 0
    for server in sslyze_doc["server_scan_results"]:
        loc = server["server_location"]
        mine = ours.get((loc["hostname"], loc["port"]))
        result = server.get("scan_result") or {}
        if mine is None or not result:
            differ += 1
            continue
        theirs_versions = {
            p: bool((result[f"{v}_cipher_suites"]["result"] or {}).get("accepted_cipher_suites"))
            for p, v in VERSIONS.items()
        }
        deployments = result["certificate_info"]["result"]["certificate_deployments"]
        leaf = base64.b64decode(deployments[0]["received_certificate_chain"][0]["fingerprint_sha256"]).hex()
        if theirs_versions == mine["protocols"] and leaf == mine["certificate"]["sha256"]:
            same += 1
        else:
            differ += 1
            if differ == 1:
                print(
                    "first difference:",
                    loc["port"],
                    theirs_versions,
                    mine["protocols"],
                    leaf,
                    mine["certificate"]["sha256"],
                )
    print(f"identical observations: {same}/{same + differ} endpoints")


if __name__ == "__main__":
    main()
