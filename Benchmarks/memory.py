"""The server's resident memory as runs come and go, with and without idle-run eviction, measured in one run.

    python3 Benchmarks/memory.py [--runs 10000] [--waves 3] [--binary Benchmarks/.build/release/rw-server]

For each setting (`--run-idle-timeout 0`: every run stays in memory, the behaviour before eviction; and
`--run-idle-timeout 2`), one server is started with kernels in-process and fed `--waves` waves of `--runs` new
runs, each run one ReportGradients (3×3 Gram) and one Scalarize (64 × 3) from 8 client threads, as a platform
that starts many short runs would. After each wave the script waits until the idle runs have been evicted (or
3 s, for the setting without eviction) and reads the server's VmRSS from /proc. Prints a Markdown table: RSS
after start and after each wave, the growth per run over the last waves, and the runs in memory
(rw_active_runs).

With `--long-steps S` it measures instead how a resident run grows with its length: one server
(`--run-idle-timeout 0`), `--long-runs R` runs stepping together from 8 client threads, each step a
ReportGradients (3×3 Gram, an update every step), a Scalarize (64 × 3) and a ReportCheckpoint (3 scores, about
half of them entering the Pareto buffer), and the server's VmRSS after 10, 100, 1000, … steps: RSS, and the
growth per run and per step since the 10th step.

With `--long-runs A,B` (e.g. `10,40`) it does that twice, with A and then B runs, and prints a run's resident
size at each step count as the difference between the two servers' RSS divided by B − A: what one more run
adds, without what the process holds whatever its runs (thread stacks, pools, SQLite's page cache, memory
the allocator keeps), and that size as a ratio of its size after 10 steps.
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


def anonymous_mib(pid: int) -> float:
    """The anonymous part of the RSS (heap, stacks; not the executable's and libraries' mapped pages)."""
    for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no Anonymous")


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


def step_runs(address: str, names: list, first: int, last: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    with RewardWeighting(address) as client:
        runs = [client.run(name) for name in names]
        for step in range(first, last + 1):
            for run in runs:
                g = rng.normal(size=(3, 6))
                run.report_gradients(step, g @ g.T)
                run.scalarize(step, rng.uniform(size=(64, 3)))
                run.report_checkpoint(step, rng.uniform(size=3) + step * 1e-3)


def measure_long(binary: str, runs: int, steps: int) -> list:
    edges = [e for e in (10, 100, 1000, 10_000, 100_000) if e < steps] + [steps]
    rows = []
    with tempfile.TemporaryDirectory(prefix="rw-memory-") as scratch, LocalServer(
        binary, database=pathlib.Path(scratch) / "runs.sqlite",
        extra_args=["--kernels", "in-process", "--run-idle-timeout", "0", "--log-level", "warning"],
    ) as server:
        pid = server.process.pid
        rows.append((0, rss_mib(pid), anonymous_mib(pid)))
        names = [f"long-{i}" for i in range(runs)]
        with RewardWeighting(server.address) as client:
            for name in names:
                client.create_run(name, OBJECTIVES, method="gradient", eta=1e-6, mu=1e-5, schedule="polynomial",
                                  total_steps=steps)
        done = 0
        for edge in edges:
            chunks = [names[i::8] for i in range(8)]
            with ThreadPoolExecutor(max_workers=8) as pool:
                futures = [pool.submit(step_runs, server.address, chunk, done + 1, edge, edge * 8 + i)
                           for i, chunk in enumerate(chunks) if chunk]
                for future in futures:
                    future.result()
            done = edge
            rows.append((edge, rss_mib(pid), anonymous_mib(pid)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--binary", default="Benchmarks/.build/release/rw-server")
    parser.add_argument("--long-steps", type=int, default=0, help="measure a run's growth over this many steps")
    parser.add_argument("--long-runs", default="20", help="runs stepping together; two counts A,B to compare")
    args = parser.parse_args()
    counts = [int(c) for c in args.long_runs.split(",")]
    if args.long_steps and len(counts) == 2:
        (a, rows_a), (b, rows_b) = [(c, measure_long(args.binary, c, args.long_steps)) for c in counts]
        print(f"| steps | RSS, {a} runs (MiB) | RSS, {b} runs (MiB) | a run's resident size (KiB) | ÷ its size at step 10 |")
        print("|---|---|---|---|---|")
        sizes = {steps: (rb - ra) * 1024 / (b - a) for (steps, ra, _), (_, rb, _) in zip(rows_a, rows_b)}
        for (steps, ra, _), (_, rb, _) in zip(rows_a, rows_b):
            ratio = f"{sizes[steps] / sizes[10]:.2f}" if steps >= 10 and sizes.get(10) else "–"
            print(f"| {steps} | {ra:.1f} | {rb:.1f} | {sizes[steps]:.0f} | {ratio} |")
        return
    args.long_runs = counts[0]
    if args.long_steps:
        rows = measure_long(args.binary, args.long_runs, args.long_steps)
        base = {steps: rss for steps, rss, _ in rows}.get(10)
        print("| steps | RSS (MiB) | of which anonymous (MiB) | growth per run since step 10 (KiB) | per run per step (B) |")
        print("|---|---|---|---|---|")
        for steps, rss, anonymous in rows:
            if base is None or steps <= 10:
                print(f"| {steps} | {rss:.1f} | {anonymous:.1f} | – | – |")
            else:
                per_run = (rss - base) * 1024 / args.long_runs
                print(f"| {steps} | {rss:.1f} | {anonymous:.1f} | {per_run:.0f} | {per_run * 1024 / (steps - 10):.0f} |")
        return
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
