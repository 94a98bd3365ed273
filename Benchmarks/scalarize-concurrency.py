"""Scalarize throughput with many concurrent callers on one run, for two rw-server binaries in one run.

    python3 Benchmarks/scalarize-concurrency.py BASELINE_BINARY CANDIDATE_BINARY [--callers 64] [--seconds 8]

Each caller (asyncio, grpc.aio) sends Scalarize of N=512 (--rows) × K=3 at a shared increasing step, as trainers'
workers do, for the given time after a 2 s warm-up. Prints calls/s for each binary and candidate/baseline.
"""

import argparse
import asyncio
import itertools
import time

import numpy as np

from rewardweighting import AsyncRewardWeighting
from rewardweighting.server import LocalServer


async def load(address: str, callers: int, seconds: float, rows: int) -> float:
    async with AsyncRewardWeighting(address) as client:
        run = await client.create_run("load", ["a", "b", "c"], method="fixed")
        rewards = np.random.default_rng(0).uniform(size=(rows, 3))
        steps = itertools.count(1)
        counted = 0
        counting = False

        async def caller(deadline: float) -> None:
            nonlocal counted
            while time.monotonic() < deadline:
                await run.scalarize(next(steps), rewards)
                if counting:
                    counted += 1

        start = time.monotonic()
        warm_until, deadline = start + 2.0, start + 2.0 + seconds
        tasks = [asyncio.create_task(caller(deadline)) for _ in range(callers)]
        await asyncio.sleep(max(0.0, warm_until - time.monotonic()))
        counting, measured_from = True, time.monotonic()
        await asyncio.gather(*tasks)
        return counted / (time.monotonic() - measured_from)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline")
    parser.add_argument("candidate")
    parser.add_argument("--callers", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rows", type=int, default=512, help="responses per Scalarize (K = 3)")
    args = parser.parse_args()
    rates = {}
    for name, binary in (("baseline", args.baseline), ("candidate", args.candidate)):
        with LocalServer(binary) as server:
            rates[name] = asyncio.run(load(server.address, args.callers, args.seconds, args.rows))
        print(f"{name:9} {binary}: {rates[name]:8.0f} Scalarize calls/s ({args.callers} callers, one run)")
    print(f"candidate / baseline: {rates['candidate'] / rates['baseline']:.2f}")


if __name__ == "__main__":
    main()
