#!/usr/bin/env python3
"""Gramian-weighting fixtures for RewardWeighting's tests (issue 13, item 3).

For seeded positive-definite Gram matrices G (K = 2..8, entries scaled from 1e-12 to 1e12) this script computes,
independently of the Swift code, the raw weights of each Gramian weighting the service offers:

* ``mgda``: the min-norm point of the convex hull, argmin_{w in simplex} w^T G w (Sener & Koltun 2018), exactly: every
  support S is tried, the KKT system of the problem restricted to S is solved with NumPy, and the one point that is
  feasible and satisfies the KKT conditions on all of {1..K} is kept. SciPy's SLSQP is run next to it as a
  cross-check of the objective value (to 1e-7 relative; TorchJD's ``MGDAWeighting`` is a Frank-Wolfe method with a
  stopping tolerance of 1e-3, too loose to compare weights with);
* ``upgrad`` and ``dualproj``: TorchJD's ``UPGradWeighting`` and ``DualProjWeighting`` with its
  ``QuadprogProjector(norm_eps=0, reg_eps=...)``, which normalises G by its trace, adds reg_eps to the diagonal and
  solves min_v v^T G v s.t. v >= u with quadprog (an exact active-set method);
* ``imtl_g``: TorchJD's ``IMTLGWeighting`` (v = pinv(G) sqrt(diag G), w = v / sum v);
* ``aligned_mtl``: TorchJD's ``AlignedMTLWeighting`` for the scale modes min, median and rmse;
* ``cagrad`` (c = 0.5 and 0.9): exactly, by trying every support S of w with NumPy: on S the stationarity condition
  of min_{w in simplex} b^T w + phi*sqrt(w^T G w) has the closed form w_S = A(lambda*1 - b_S)/sqrt(D),
  A = inv(G_SS), lambda = (1^T A b + sqrt(D))/(1^T A 1), D = (1^T A b)^2 - (1^T A 1)(b^T A b - phi^2); the point
  that is feasible and satisfies the KKT conditions on all of {1..K} is kept, and alpha = 1/K + phi/|g_w| * w.
  TorchJD's ``CAGradWeighting(c, norm_eps=0)`` (CVXPY with Clarabel, an interior-point method) is run next to it
  as a cross-check: the exact point's objective is never above TorchJD's, and the weights agree to 1e-3 (Clarabel's
  default tolerances leave them off by up to ~2.4e-4).
* ``pcgrad``: the expectation over the orders of TorchJD's ``PCGradWeighting``, which draws one ``torch.randperm(K)``
  per objective: it is run once with ``torch.randperm`` returning each of the K! permutations in turn, and the K!
  results are averaged (for each objective i, every order of the others then appears K times, so this is the mean
  over independent uniform orders). A NumPy walk over the (K - 1)! orders of each objective's others is run next to
  it and must agree to 1e-12.

A norm_eps of 0 is used because the service normalises by the trace without an absolute threshold (so that every
weighting is invariant to the scale of G, which a trainer's Gram matrices span widely).

Output: Tests/RewardWeightingCoreTests/Fixtures/gramian-weightings.json (committed). Regenerate with

    python3 -m venv /tmp/torchjd
    /tmp/torchjd/bin/pip install torch --index-url https://download.pytorch.org/whl/cpu   # or a local CPU wheel
    /tmp/torchjd/bin/pip install torchjd==0.18.0 qpsolvers quadprog cvxpy clarabel numpy scipy
    /tmp/torchjd/bin/python Scripts/generate-gramian-fixtures.py
"""

import itertools
import json
import pathlib

import numpy as np
import scipy.optimize
import torch
import torchjd
from torchjd.aggregation import (
    AlignedMTLWeighting,
    CAGradWeighting,
    DualProjWeighting,
    IMTLGWeighting,
    MGDAWeighting,
    PCGradWeighting,
    UPGradWeighting,
)
from torchjd.linalg import QuadprogProjector

OUT = pathlib.Path(__file__).resolve().parents[1] / "Tests/RewardWeightingCoreTests/Fixtures/gramian-weightings.json"
REGULARIZATION = 1e-4  # TorchJD's default reg_eps


def mgda_exact(g: np.ndarray) -> np.ndarray:
    """argmin over the simplex of w^T G w, by trying every support (exact up to rounding)."""
    k = len(g)
    scale = np.trace(g)
    best, best_value = None, np.inf
    for size in range(1, k + 1):
        for support in itertools.combinations(range(k), size):
            s = list(support)
            # [G_SS 1; 1^T 0] [w; -nu] = [0; 1]
            system = np.zeros((size + 1, size + 1))
            system[:size, :size] = g[np.ix_(s, s)]
            system[:size, size] = 1
            system[size, :size] = 1
            rhs = np.zeros(size + 1)
            rhs[size] = 1
            try:
                solution = np.linalg.solve(system, rhs)
            except np.linalg.LinAlgError:
                continue
            w = np.zeros(k)
            w[s] = solution[:size]
            if np.any(w[s] < -1e-14):
                continue
            value = w @ g @ w
            gradient = g @ w
            # KKT: (G w)_j >= w^T G w for every j (the Frank-Wolfe gap is 0).
            if np.all(gradient >= value - 1e-12 * scale) and value < best_value:
                best, best_value = w, value
    assert best is not None
    return best


def cagrad_exact(g: np.ndarray, c: float) -> np.ndarray:
    """TorchJD's CAGrad weights of G, with the inner problem solved exactly over every support."""
    k = len(g)
    h = g / np.trace(g)
    b = h @ np.full(k, 1 / k)
    phi = c * np.sqrt(np.full(k, 1 / k) @ b)
    for size in range(1, k + 1):
        for support in itertools.combinations(range(k), size):
            s = list(support)
            a_inv = np.linalg.inv(h[np.ix_(s, s)])
            ones = np.ones(size)
            a, cc, e = ones @ a_inv @ ones, ones @ a_inv @ b[s], b[s] @ a_inv @ b[s]
            disc = cc * cc - a * (e - phi * phi)
            if disc <= 0:
                continue
            lam = (cc + np.sqrt(disc)) / a
            w = np.zeros(k)
            w[s] = a_inv @ (lam * ones - b[s]) / np.sqrt(disc)
            if np.any(w[s] < -1e-14):
                continue
            norm = np.sqrt(w @ h @ w)
            gradient = b + phi * (h @ w) / norm
            if np.all(gradient >= lam - 1e-12):
                return np.full(k, 1 / k) + phi / norm * w
    raise AssertionError("no KKT point")


def cagrad_checked(g: np.ndarray, c: float) -> np.ndarray:
    """The exact weights, after checking them against TorchJD's: its w (recovered from alpha) must not reach a
    lower objective than the exact one, and the weights agree to 1e-3 (Clarabel's default tolerances leave them
    off by up to ~2.4e-4 here)."""
    k = len(g)
    exact = cagrad_exact(g, c)
    clarabel = torch_weights(CAGradWeighting(c=c, norm_eps=0.0), g)
    h = g / np.trace(g)
    b = h @ np.full(k, 1 / k)
    phi = c * np.sqrt(np.full(k, 1 / k) @ b)

    def objective(alpha):
        w = np.maximum(alpha - 1 / k, 0)  # a solver may leave tiny negative entries
        w = w / w.sum()
        return b @ w + phi * np.sqrt(max(w @ h @ w, 0))

    assert objective(exact) <= objective(clarabel) + 1e-12 * abs(objective(exact)), (exact, clarabel)
    assert np.allclose(exact, clarabel, atol=1e-3), (exact, clarabel)
    return exact


def slsqp_value(g: np.ndarray) -> float:
    """min over the simplex of w^T G w by SciPy's SLSQP, on G / trace(G), rescaled."""
    k = len(g)
    t = np.trace(g)
    h = g / t
    result = scipy.optimize.minimize(
        lambda w: w @ h @ w, np.full(k, 1 / k), jac=lambda w: 2 * h @ w, method="SLSQP",
        bounds=[(0, 1)] * k, constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
        options={"ftol": 1e-15, "maxiter": 1000})
    return float(result.fun * t)


def pcgrad_torchjd_expectation(g: np.ndarray) -> np.ndarray:
    """TorchJD's PCGradWeighting averaged over every permutation its torch.randperm could return."""
    k = len(g)
    weighting = PCGradWeighting()
    gramian = torch.tensor(g, dtype=torch.float64)
    original = torch.randperm
    total = np.zeros(k)
    count = 0
    try:
        for permutation in itertools.permutations(range(k)):
            fixed = torch.tensor(permutation)
            torch.randperm = lambda n, *args, **kwargs: fixed
            total += weighting(gramian).numpy()
            count += 1
    finally:
        torch.randperm = original
    return total / count


def pcgrad_numpy_expectation(g: np.ndarray) -> np.ndarray:
    """Algorithm 1 of Yu et al. 2020 on the Gram matrix, each objective's others in every order, averaged."""
    k = len(g)
    alpha = np.zeros(k)
    for i in range(k):
        others = [j for j in range(k) if j != i]
        orders = list(itertools.permutations(others))
        for order in orders:
            c = np.zeros(k)
            c[i] = 1.0
            for j in order:
                inner = g[j] @ c
                if inner < 0:
                    c[j] -= inner / g[j, j]
            alpha += c / len(orders)
    return alpha


def pcgrad_checked(g: np.ndarray) -> np.ndarray:
    torchjd_weights = pcgrad_torchjd_expectation(g)
    independent = pcgrad_numpy_expectation(g)
    assert np.allclose(torchjd_weights, independent, rtol=1e-12, atol=1e-12), (torchjd_weights, independent)
    return torchjd_weights


def torch_weights(weighting, g: np.ndarray) -> np.ndarray:
    return weighting(torch.tensor(g, dtype=torch.float64)).numpy()


def random_gram(rng: np.random.Generator, k: int, scale: float) -> np.ndarray:
    # Gradients with a shared component (so some pairs conflict and some agree), full rank.
    a = rng.normal(size=(k, k + 3)) + rng.normal(size=(1, k + 3)) * rng.uniform(-1, 1)
    a *= rng.uniform(0.2, 3.0, size=(k, 1))  # unequal gradient norms
    g = scale * (a @ a.T)
    return (g + g.T) / 2


def case(rng: np.random.Generator, k: int, scale: float) -> dict:
    g = random_gram(rng, k, scale)
    projector = QuadprogProjector(norm_eps=0.0, reg_eps=REGULARIZATION)
    mgda = mgda_exact(g)
    assert abs(slsqp_value(g) - mgda @ g @ mgda) <= 1e-7 * np.trace(g), (k, scale)
    return {
        "k": k,
        "scale": scale,
        "gram": g.reshape(-1).tolist(),
        "mgda": mgda.tolist(),
        "upgrad": torch_weights(UPGradWeighting(projector=projector), g).tolist(),
        "dualproj": torch_weights(DualProjWeighting(projector=projector), g).tolist(),
        "imtl_g": torch_weights(IMTLGWeighting(), g).tolist(),
        "aligned_mtl_min": torch_weights(AlignedMTLWeighting(scale_mode="min"), g).tolist(),
        "aligned_mtl_median": torch_weights(AlignedMTLWeighting(scale_mode="median"), g).tolist(),
        "aligned_mtl_rmse": torch_weights(AlignedMTLWeighting(scale_mode="rmse"), g).tolist(),
        **{f"cagrad_{c}": cagrad_checked(g, c).tolist() for c in (0.5, 0.9)},
        "pcgrad": pcgrad_checked(g).tolist(),
    }


def main() -> None:
    rng = np.random.default_rng(20261202)
    cases = []
    for k in range(2, 9):
        for scale in (1e-12, 1e-3, 1.0, 1e6, 1e12):
            cases.append(case(rng, k, scale))
    document = {
        "generator": "Scripts/generate-gramian-fixtures.py",
        "torchjd": torchjd.__version__ if hasattr(torchjd, "__version__") else "0.18.0",
        "numpy": np.__version__,
        "regularization": REGULARIZATION,
        "cases": cases,
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")
    # How far TorchJD's own iterative solvers, with their default settings, are from the exact weights.
    frank_wolfe, clarabel = 0.0, 0.0
    for fixture in cases:
        g = np.array(fixture["gram"]).reshape(fixture["k"], fixture["k"])
        frank_wolfe = max(frank_wolfe, np.abs(torch_weights(MGDAWeighting(), g) - fixture["mgda"]).max())
        for c in (0.5, 0.9):
            approximate = torch_weights(CAGradWeighting(c=c, norm_eps=0.0), g)
            clarabel = max(clarabel, np.abs(approximate - fixture[f"cagrad_{c}"]).max())
    print(f"max |TorchJD - exact|: MGDA (Frank-Wolfe, defaults) {frank_wolfe:.2g}, CAGrad (Clarabel) {clarabel:.2g}")


if __name__ == "__main__":
    main()
