"""How a run's per-step cost grows with its length, through the real rw-server and the Python client.

    python3 Benchmarks/long-run.py [--steps 1200] [--binary .build/release/rw-server]

Each step is what a gradient-method trainer that validates every step sends: ReportGradients (3×3 Gram),
Scalarize (64 × 3) and ReportCheckpoint (3 scores). Prints ms per step in windows and the ratio of the last
window to the first (1.0 = flat; the baseline is the same run's first 100 steps).
"""

import argparse
import time

import numpy as np

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--binary", help="rw-server to start (default: the checkout's build)")
    args = parser.parse_args()
    edges = [e for e in (100, 200, 400, 800, 1200, 2400, 4800, 10000) if e <= args.steps]
    with LocalServer(args.binary) as server:
        run = RewardWeighting(server.address).create_run(
            "long-run", [("accuracy", "max"), ("length", "min"), ("clarity", "max")], method="gradient",
            eta=1e-6, mu=1e-5, schedule="polynomial", total_steps=max(args.steps, 1))
        rng = np.random.default_rng(0)
        windows, start, previous = [], time.perf_counter(), 0
        for step in range(1, args.steps + 1):
            g = rng.normal(size=(3, 10))
            run.report_gradients(step, g @ g.T)
            run.scalarize(step, rng.uniform(size=(64, 3)))
            run.report_checkpoint(step, rng.uniform(size=3) * [1, 100, 1])
            if step in edges:
                now = time.perf_counter()
                windows.append((previous + 1, step, 1000 * (now - start) / (step - previous)))
                start, previous = now, step
    for first, last, ms in windows:
        print(f"steps {first:>5}–{last:<5} {ms:7.1f} ms/step")
    print(f"last window / first window: {windows[-1][2] / windows[0][2]:.2f}")


if __name__ == "__main__":
    main()
