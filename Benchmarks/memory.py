"""The server's resident memory as runs come and go, with and without idle-run eviction, measured in one run.

    python3 Benchmarks/memory.py [--runs 10000] [--waves 3] [--binary Benchmarks/.build/release/rw-server]

For each setting (`--run-idle-timeout 0`: every run stays in memory, the behaviour before eviction; and
`--run-idle-timeout 2`), one server is started with kernels in-process and fed `--waves` waves of `--runs` new
runs, each run one ReportGradients (3×3 Gram) and one Scalarize (64 × 3) from 8 client threads, as a platform
that starts many short runs would. After each wave the script waits until the idle runs have been evicted (or
3 s, for the setting without eviction) and reads the server's VmRSS from /proc. Prints a Markdown table: RSS
after start and after each wave, the growth per run over the last waves, and the runs in memory
(rw_active_runs).
"""

import argparse
import pathlib
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]


def rss_mib(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def active_runs(server: LocalServer) -> int:
    text = urllib.request.urlopen(server.http_url + "/metrics").read().decode()
    for line in text.splitlines():
        if line.startswith("rw_active_runs "):
            return int(float(line.split()[1]))
    return 0


def feed(address: str, names: list, seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = rng.normal(size=(3, 6))
    gram = g @ g.T
    batch = rng.uniform(size=(64, 3))
    with RewardWeighting(address) as client:
        for name in names:
            run = client.create_run(name, OBJECTIVES, method="gradient", eta=1e-2, mu=1e-1, schedule="constant",
                                    total_steps=10)
            run.report_gradients(1, gram)
            run.scalarize(1, batch)


def measure(binary: str, timeout: int, runs: int, waves: int) -> list:
    rows = []
    with tempfile.TemporaryDirectory(prefix="rw-memory-") as scratch, LocalServer(
        binary, database=pathlib.Path(scratch) / "runs.sqlite",
        extra_args=["--kernels", "in-process", "--run-idle-timeout", str(timeout), "--log-level", "warning",
                    "--max-runs-per-tenant", str(runs * waves + 10)],
    ) as server:
        pid = server.process.pid
        rows.append(("start", rss_mib(pid), active_runs(server)))
        for wave in range(waves):
            names = [f"w{wave}-r{i}" for i in range(runs)]
            chunks = [names[i::8] for i in range(8)]
            with ThreadPoolExecutor(max_workers=8) as pool:
                for future in [pool.submit(feed, server.address, chunk, wave * 8 + i) for i, chunk in enumerate(chunks)]:
                    future.result()
            deadline = time.monotonic() + (3 if timeout == 0 else 4 * timeout + 5)
            while time.monotonic() < deadline and (timeout == 0 or active_runs(server) > 0):
                time.sleep(0.25)
            rows.append((f"after wave {wave + 1} ({(wave + 1) * runs} runs)", rss_mib(pid), active_runs(server)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--binary", default="Benchmarks/.build/release/rw-server")
    args = parser.parse_args()
    results = {timeout: measure(args.binary, timeout, args.runs, args.waves) for timeout in (0, 2)}
    print("| after | RSS, no eviction (MiB) | runs in memory | RSS, --run-idle-timeout 2 (MiB) | runs in memory |")
    print("|---|---|---|---|---|")
    for (label, kept, kept_runs), (_, evicted, evicted_runs) in zip(results[0], results[2]):
        print(f"| {label} | {kept:.1f} | {kept_runs} | {evicted:.1f} | {evicted_runs} |")
    for timeout, rows in results.items():
        first, last = rows[1][1], rows[-1][1]
        per_run = (last - first) * 1024 * 1024 / (args.runs * (args.waves - 1)) if args.waves > 1 else 0
        print(f"timeout {timeout}: growth from wave 1 to wave {args.waves}: {last - first:+.1f} MiB "
              f"({per_run:.0f} B per run)")


if __name__ == "__main__":
    main()
