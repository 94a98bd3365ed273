"""Runs the miniature experiment through a real rw-server and writes its tables and plots.

    python3 clients/python/experiments/run_experiment.py            # all of it: 3 algorithms × 14 methods × 5 seeds
    python3 clients/python/experiments/run_experiment.py --seeds 1 --steps 30 --out /tmp/mini   # a quick look
    python3 clients/python/experiments/run_experiment.py --from-results docs/experiment/results.json.gz   # redraw

It starts its own rw-server (the checkout's build, or $RW_SERVER_BINARY; ``--address`` uses a running one),
runs every configuration in ``--workers`` processes, and writes into ``--out`` (default ``docs/experiment``):
``results.json.gz`` (every checkpoint, weight and r_pareto of every run, 6 decimals), ``fronts-<algorithm>.png``,
``weights.png``, ``r_pareto.png``, and the tables between the markers of ``docs/experiment.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import math
import multiprocessing
import os
import pathlib
import sys
import time
from typing import Any, Dict, List, Tuple

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from miniature import ALGORITHMS, SIGNS, TaskConfig, pareto_front, summarize, train  # noqa: E402

from rewardweighting import RewardWeighting  # noqa: E402
from rewardweighting.server import LocalServer  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[3]

# (label, method, human weights, mu, options): options are train()'s run_options and r_pareto_on. The first eight
# are the paper's methods; the rest are the service's own options (issue 13), on the balanced weights.
CONFIGS: List[Tuple[str, str, str, float, Dict[str, Any]]] = [
    ("fixed · accuracy-focused", "fixed", "accuracy-focused", 1e-5, {}),
    ("fixed · balanced", "fixed", "balanced", 1e-5, {}),
    ("fixed · efficiency-focused", "fixed", "efficiency-focused", 1e-5, {}),
    ("hypervolume · accuracy-focused", "hypervolume", "accuracy-focused", 1e-5, {}),
    ("hypervolume · balanced", "hypervolume", "balanced", 1e-5, {}),
    ("hypervolume · efficiency-focused", "hypervolume", "efficiency-focused", 1e-5, {}),
    ("gradient · μ=1e-5", "gradient", "balanced", 1e-5, {}),
    ("gradient · μ=1e-4", "gradient", "balanced", 1e-4, {}),
    ("hypervolume · balanced · relative ΔHV", "hypervolume", "balanced", 1e-5,
     {"run_options": {"hypervolume_scale": "relative"}}),
    ("hypervolume · balanced · r_pareto on advantages", "hypervolume", "balanced", 1e-5,
     {"r_pareto_on": "advantages"}),
    ("hypervolume · balanced · relative ΔHV, on advantages", "hypervolume", "balanced", 1e-5,
     {"run_options": {"hypervolume_scale": "relative"}, "r_pareto_on": "advantages"}),
    ("gradient · MGDA", "gradient", "balanced", 1e-5, {"run_options": {"update": "mgda"}}),
    ("gradient · UPGrad", "gradient", "balanced", 1e-5, {"run_options": {"update": "upgrad"}}),
    ("Tchebycheff · balanced", "fixed", "balanced", 1e-5, {"run_options": {"scalarization": "tchebycheff"}}),
]


def _job(args: Tuple[str, str, int, str, int, str]) -> dict:
    address, algorithm, config_index, label_prefix, seed, steps = args
    label, method, weights_name, mu, options = CONFIGS[config_index]
    task = dataclasses.replace(TaskConfig(), steps=int(steps))
    client = RewardWeighting(address)
    run_id = f"{label_prefix}-{algorithm}-{config_index}-s{seed}"
    result = train(client, run_id, method, weights_name, algorithm, seed, task=task, mu=mu, **options)
    client.close()
    return {
        "label": label, "method": method, "weights_name": weights_name, "mu": mu, "algorithm": algorithm,
        "seed": seed, "run_id": run_id,
        "checkpoints": [[s, list(p)] for s, p in result.checkpoints],
        "weights": [[s, w] for s, w in result.weights],
        "r_pareto": [[s, r] for s, r in result.r_pareto],
        "buffer_steps": result.buffer_steps,
        "summary": summarize(result),
    }


def run_all(address: str, seeds: int, steps: int, workers: int, algorithms) -> List[dict]:
    prefix = f"exp{int(time.time())}"
    jobs = [(address, algorithm, index, prefix, seed, steps)
            for algorithm in algorithms for index in range(len(CONFIGS)) for seed in range(seeds)]
    if workers <= 1:
        return [_job(job) for job in jobs]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.map(_job, jobs, chunksize=1)


def _mean_sd(values: List[float], digits: int) -> str:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if not finite:
        return "–"
    mean = float(np.mean(finite))
    sd = float(np.std(finite, ddof=1)) if len(finite) > 1 else 0.0
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def tables(results: List[dict], algorithms) -> str:
    lines = []
    seeds = len({r["seed"] for r in results})
    lines.append(f"Mean ± sample std over {seeds} seeds. Front = the non-dominated checkpoints of a run (steps ≥ 1);")
    lines.append("accuracy / length / clarity are averaged over it (the paper's Tables 1–2); HV is the front's")
    lines.append("hypervolume with the initial model as reference point (acc × tokens × clarity); steps = the mean")
    lines.append("step of the front's checkpoints (Table 3); final = the last checkpoint.")
    lines.append("")
    for algorithm in algorithms:
        lines.append(f"### {algorithm.upper() if algorithm != 'reinforce' else 'REINFORCE'}")
        lines.append("")
        lines.append("| method | accuracy ↑ | length ↓ | clarity ↑ | HV ↑ | steps to front ↓ | final acc / len / clar | mean r_pareto |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for label, *_ in CONFIGS:
            rows = [r for r in results if r["algorithm"] == algorithm and r["label"] == label]
            if not rows:
                continue
            s = [r["summary"] for r in rows]
            final = "{:.2f} / {:.2f} / {:.2f}".format(
                np.mean([x["final_accuracy"] for x in s]), np.mean([x["final_length"] for x in s]),
                np.mean([x["final_clarity"] for x in s]))
            rp = np.mean([np.mean([v for _, v in r["r_pareto"]]) for r in rows])
            lines.append(
                f"| {label} | {_mean_sd([x['accuracy'] for x in s], 3)} | {_mean_sd([x['length'] for x in s], 2)} "
                f"| {_mean_sd([x['clarity'] for x in s], 3)} | {_mean_sd([x['hypervolume'] for x in s], 3)} "
                f"| {_mean_sd([x['steps_to_front'] for x in s], 1)} | {final} | {rp:.3f} |")
        lines.append("")
    return "\n".join(lines)


def plots(results: List[dict], out: pathlib.Path, algorithms) -> List[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    colours = dict(zip([c[0] for c in CONFIGS], plt.cm.tab20.colors))
    for algorithm in algorithms:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        for label, *_ in CONFIGS:
            rows = [r for r in results if r["algorithm"] == algorithm and r["label"] == label and r["seed"] == 0]
            for r in rows:
                raw = np.array([p for _, p in r["checkpoints"][1:]])
                front = pareto_front(raw * SIGNS)
                front = front[np.argsort(raw[front, 1])]
                style = "--" if label.startswith("fixed") else "-"
                axes[0].plot(raw[front, 1], raw[front, 0], style, marker="o", ms=3, color=colours[label], label=label)
                axes[1].plot(raw[front, 1], raw[front, 2], style, marker="o", ms=3, color=colours[label])
        initial = [r for r in results if r["algorithm"] == algorithm and r["seed"] == 0][0]["checkpoints"][0][1]
        for ax, k, name in ((axes[0], 0, "accuracy"), (axes[1], 2, "clarity")):
            ax.plot(initial[1], initial[k], "k*", ms=12, label="initial model" if k == 0 else None)
            ax.set_xlabel("mean response length (tokens) ↓")
            ax.set_ylabel(f"{name} ↑")
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=7, loc="lower right")
        fig.suptitle(f"Pareto fronts of the checkpoints, {algorithm}, seed 0 (front points projected)")
        fig.tight_layout()
        path = out / f"fronts-{algorithm}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path.name)

    fig, axes = plt.subplots(1, len(algorithms), figsize=(5 * len(algorithms), 4), squeeze=False)
    names = ["accuracy", "conciseness", "clarity"]
    for ax, algorithm in zip(axes[0], algorithms):
        for label, *_ in CONFIGS:
            if not label.startswith("gradient · μ"):  # the mirror-descent runs; MGDA/UPGrad are in the tables
                continue
            rows = [r for r in results if r["algorithm"] == algorithm and r["label"] == label]
            if not rows:
                continue
            steps = [s for s, _ in rows[0]["weights"]]
            mean = np.mean([[w for _, w in r["weights"]] for r in rows], axis=0)
            style = "-" if "1e-5" in label else ":"
            for k in range(3):
                ax.plot(steps, mean[:, k], style, color=plt.cm.tab10.colors[k],
                        label=f"{names[k]} ({label.split('· ')[1]})")
        ax.set_title(f"gradient-method weights, {algorithm} (mean of seeds)")
        ax.set_xlabel("step")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "weights.png", dpi=110)
    plt.close(fig)
    written.append("weights.png")

    fig, ax = plt.subplots(figsize=(6, 4))
    for label, *_ in CONFIGS:
        if not label.startswith("hypervolume"):
            continue
        values = [v for r in results if r["label"] == label for _, v in r["r_pareto"]]
        ax.hist(values, bins=30, range=(0.5, 2.0), alpha=0.5, label=label)
    ax.set_xlabel("r_pareto applied to a step")
    ax.set_ylabel("steps")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "r_pareto.png", dpi=110)
    plt.close(fig)
    written.append("r_pareto.png")
    return written


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def write_markdown(doc: pathlib.Path, table_text: str) -> None:
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    text = doc.read_text() if doc.exists() else f"# The miniature experiment\n\n{begin}\n{end}\n"
    if begin not in text or end not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    doc.write_text(f"{head}{begin}\n{table_text}\n{end}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=TaskConfig().steps)
    parser.add_argument("--workers", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--algorithms", default=",".join(ALGORITHMS))
    parser.add_argument("--address", help="a running rw-server; otherwise one is started")
    parser.add_argument("--out", default=str(REPO / "docs" / "experiment"))
    parser.add_argument("--from-results", help="redraw tables and plots from a results.json.gz, without training")
    parser.add_argument("--markdown", default=str(REPO / "docs" / "experiment.md"),
                        help="the page whose results section is rewritten ('' to skip)")
    args = parser.parse_args()
    algorithms = [a for a in args.algorithms.split(",") if a]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    if args.from_results:
        with gzip.open(args.from_results, "rt") as f:
            saved = json.load(f)
        results, elapsed = saved["runs"], saved.get("elapsed", math.nan)
        args.seeds, args.steps, args.workers = saved["seeds"], saved["steps"], saved.get("workers", args.workers)
    else:
        started = time.monotonic()
        if args.address:
            results = run_all(args.address, args.seeds, args.steps, args.workers, algorithms)
        else:
            with LocalServer() as server:
                results = run_all(server.address, args.seeds, args.steps, args.workers, algorithms)
        elapsed = time.monotonic() - started
        with gzip.open(out / "results.json.gz", "wt") as f:
            json.dump(_rounded({"steps": args.steps, "seeds": args.seeds, "workers": args.workers,
                                "elapsed": elapsed, "runs": results}), f)
    table_text = tables(results, algorithms)
    table_text += (f"\n_{len(results)} runs of {args.steps} steps, {elapsed:.0f} s wall time with {args.workers} "
                   f"worker(s) (`run_experiment.py --seeds {args.seeds} --steps {args.steps}`)._\n")
    written = plots(results, out, algorithms)
    if args.markdown:
        write_markdown(pathlib.Path(args.markdown), table_text)
    print(table_text)
    print("wrote", ", ".join(str(out / w) for w in ["results.json.gz", *written]))


if __name__ == "__main__":
    main()
