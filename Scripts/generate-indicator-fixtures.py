#!/usr/bin/env python3
"""Front-quality indicator fixtures for RewardWeighting's tests (issue 13, item 5).

For seeded point sets (K = 2..5, maximisation convention) this script computes, independently of the Swift code:

* IGD and IGD+ of an approximation set A against a reference front Z with pymoo (``pymoo.indicators.igd.IGD``,
  ``pymoo.indicators.igd_plus.IGDPlus``). pymoo minimises, so both sets are negated before they are given to it;
  IGD is unchanged by that, and IGD+ then measures by how much A is worse than Z in the maximisation sense;
* the sparsity of A (PGMORL's formula, morl-baselines' ``sparsity``), with NumPy;
* the expected utility EUM of A over pymoo's Das–Dennis weights (``get_reference_directions("das-dennis", K,
  n_partitions=H)``), with NumPy: the mean over the weights of the best dot product.

Output: Tests/RewardWeightingCoreTests/Fixtures/indicators.json (committed). Regenerate with

    python3 -m venv /tmp/indicators && /tmp/indicators/bin/pip install pymoo==0.6.2
    /tmp/indicators/bin/python Scripts/generate-indicator-fixtures.py
"""

import json
import pathlib

import numpy as np
import pymoo
from pymoo.indicators.igd import IGD
from pymoo.indicators.igd_plus import IGDPlus
from pymoo.util.ref_dirs import get_reference_directions

OUT = pathlib.Path(__file__).resolve().parents[1] / "Tests/RewardWeightingCoreTests/Fixtures/indicators.json"


def sparsity(points: np.ndarray) -> float:
    if len(points) < 2:
        return 0.0
    total = 0.0
    for column in points.T:
        ordered = np.sort(column)
        total += float(np.sum(np.diff(ordered) ** 2))
    return total / (len(points) - 1)


def expected_utility(points: np.ndarray, weights: np.ndarray) -> float:
    return float(np.mean(np.max(weights @ points.T, axis=1)))


def case(rng: np.random.Generator, k: int, n: int, m: int, divisions: int, scale: float) -> dict:
    # A reference front on the positive part of a sphere (a concave front, as the paper's non-convex case), and an
    # approximation that lies near it, partly behind and partly beyond it.
    z = np.abs(rng.normal(size=(m, k)))
    z = scale * z / np.linalg.norm(z, axis=1, keepdims=True)
    a = np.abs(rng.normal(size=(n, k)))
    a = scale * a / np.linalg.norm(a, axis=1, keepdims=True) * rng.uniform(0.7, 1.1, size=(n, 1))
    weights = get_reference_directions("das-dennis", k, n_partitions=divisions)
    return {
        "points": a.tolist(),
        "reference_front": z.tolist(),
        "divisions": divisions,
        "weight_count": int(len(weights)),
        "igd": float(IGD(-z)(-a)),
        "igd_plus": float(IGDPlus(-z)(-a)),
        "sparsity": sparsity(a),
        "expected_utility": expected_utility(a, weights),
    }


def main() -> None:
    rng = np.random.default_rng(13)
    cases = []
    for k in (2, 3, 4, 5):
        for n, m, divisions, scale in ((1, 5, 4, 1.0), (7, 20, 6, 1.0), (25, 60, 5, 1000.0), (50, 40, 3, 1e-3)):
            cases.append({"k": k, **case(rng, k, n, m, divisions, scale)})
    document = {"generator": "Scripts/generate-indicator-fixtures.py", "pymoo": pymoo.__version__, "cases": cases}
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"{len(cases)} cases → {OUT}")


if __name__ == "__main__":
    main()
