"""A checkpoint's cost as the Pareto buffer grows, through the real rw-server and the Python client.

    python3 Benchmarks/checkpoints.py [--checkpoints 1000] [--objectives 3] [--binary .build/release/rw-server]

A hypervolume run receives one ReportCheckpoint per step. The scores lie on the positive unit sphere, so no
checkpoint dominates another and every one enters the buffer: after n checkpoints the buffer holds n points,
the hardest case for the ΔHV each checkpoint costs. Every 100 checkpoints it also times the HTTP front (the
buffer with each point's exclusive contribution, what the dashboard polls). Prints ms per checkpoint in
windows of 100, the ratio of the last window to the first, the front's times, and at the end the p50 of 30
reads of the run and of its front (what a dashboard polls).
"""

import argparse
import json
import time
import urllib.request

import numpy as np

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoints", type=int, default=1000)
    parser.add_argument("--objectives", type=int, default=3)
    parser.add_argument("--binary", help="rw-server to start (default: the checkout's build)")
    args = parser.parse_args()
    k = args.objectives
    with LocalServer(args.binary) as server:
        client = RewardWeighting(server.address)
        run = client.create_run(
            "checkpoints", [(f"objective-{j}", "max") for j in range(k)], method="hypervolume",
            weights=[1 / k] * k, reference_point=[0.0] * k)
        rng = np.random.default_rng(0)
        windows, fronts = [], []
        start = time.perf_counter()
        for step in range(1, args.checkpoints + 1):
            scores = np.abs(rng.normal(size=k)) + 1e-3
            result = run.report_checkpoint(step, scores / np.linalg.norm(scores))
            if step % 100 == 0:
                now = time.perf_counter()
                windows.append((step - 99, step, 1000 * (now - start) / 100, len(result.buffer.points)))
                t = time.perf_counter()
                with urllib.request.urlopen(f"{server.http_url}/v1/runs/checkpoints/front") as response:
                    front = json.load(response)
                fronts.append((step, 1000 * (time.perf_counter() - t), front["cardinality"]))
                start = time.perf_counter()
        # The dashboard's polls once the run is long: p50 of 30 reads of the run and of its front.
        polls = {}
        for path in ["", "/front"]:
            times = []
            for _ in range(30):
                t = time.perf_counter()
                urllib.request.urlopen(f"{server.http_url}/v1/runs/checkpoints{path}").read()
                times.append(1000 * (time.perf_counter() - t))
            polls[path] = sorted(times)[len(times) // 2]
    for (first, last, ms, size), (_, front_ms, cardinality) in zip(windows, fronts):
        print(f"checkpoints {first:>5}–{last:<5} {ms:7.2f} ms/checkpoint   buffer {size:>5}   "
              f"GET /front ({cardinality} points, contributions) {front_ms:7.2f} ms")
    print(f"last window / first window: {windows[-1][2] / windows[0][2]:.2f}")
    print(f"after {args.checkpoints} checkpoints, p50 of 30: GET /v1/runs/checkpoints {polls['']:.2f} ms, "
          f"GET /v1/runs/checkpoints/front {polls['/front']:.2f} ms")


if __name__ == "__main__":
    main()
