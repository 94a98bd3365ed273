"""Gradient runs with a Gramian update (MGDA, UPGrad, DualProj, IMTL-G, Aligned-MTL, CAGrad, PCGrad) against a real rw-server:
the weights the service answers equal an independent NumPy computation of each weighting, written here from the
papers' definitions (brute force over active sets for the quadratic programs and CAGrad's inner problem), on the simplex."""

import itertools

import numpy as np
import pytest

from rewardweighting import InvalidArgumentError


def _active_set_qp(g, lower, simplex):
    """argmin v^T G v subject to v >= lower (and sum v = 1 when ``simplex``), by trying every set of free
    variables and keeping the feasible point that satisfies the KKT conditions."""
    k = len(g)
    for size in range(0 if not simplex else 1, k + 1):
        for free in itertools.combinations(range(k), size):
            f = list(free)
            fixed = [i for i in range(k) if i not in free]
            v = lower.copy()
            if simplex:
                system = np.zeros((size + 1, size + 1))
                system[:size, :size] = 2 * g[np.ix_(f, f)]
                system[:size, size] = -1
                system[size, :size] = 1
                rhs = np.zeros(size + 1)
                rhs[:size] = -2 * g[np.ix_(f, fixed)] @ lower[fixed]
                rhs[size] = 1 - lower[fixed].sum()
                solution = np.linalg.solve(system, rhs)
                v[f] = solution[:size]
                multiplier = solution[size]
            else:
                if size:
                    v[f] = np.linalg.solve(g[np.ix_(f, f)], -g[np.ix_(f, fixed)] @ lower[fixed])
                multiplier = 0.0
            gradient = 2 * g @ v - multiplier
            if np.all(v[f] >= lower[f] - 1e-12) and np.all(gradient[fixed] >= -1e-10):
                return v
    raise AssertionError("no KKT point")


def _cagrad(h, c):
    """CAGrad's alpha of the trace-normalised G (Liu et al. 2021, as TorchJD forms it), its inner problem
    min_{w in simplex} b^T w + phi*sqrt(w^T h w) solved in closed form on every support, keeping the KKT point."""
    k = len(h)
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
            norm = np.sqrt(w @ h @ w)
            if np.all(w[s] >= -1e-14) and np.all(b + phi * (h @ w) / norm >= lam - 1e-12):
                return np.full(k, 1 / k) + phi / norm * w
    raise AssertionError("no KKT point")


def _pcgrad(g):
    """PCGrad (Yu et al. 2020, Algorithm 1) in coefficients of the gradients: for each i, every conflicting g_j
    projected away in turn, averaged over every order of the others (the service's deterministic expectation)."""
    k = len(g)
    alpha = np.zeros(k)
    for i in range(k):
        orders = list(itertools.permutations([j for j in range(k) if j != i]))
        for order in orders:
            c = np.eye(k)[i]
            for j in order:
                if g[j] @ c < 0:
                    c[j] -= (g[j] @ c) / g[j, j]
            alpha += c / len(orders)
    return alpha


def _reference(update, g, epsilon=1e-4, scale="min", c=0.5):
    k = len(g)
    h = g / np.trace(g)
    if update == "mgda":
        raw = _active_set_qp(h, np.zeros(k), simplex=True)
    elif update == "upgrad":
        r = h + epsilon * np.eye(k)
        raw = sum(_active_set_qp(r, np.eye(k)[i] / k, simplex=False) for i in range(k))
    elif update == "dualproj":
        raw = _active_set_qp(h + epsilon * np.eye(k), np.full(k, 1 / k), simplex=False)
    elif update == "imtl_g":
        v = np.linalg.pinv(h) @ np.sqrt(np.diag(h))
        raw = v / v.sum()
    elif update == "cagrad":
        raw = _cagrad(h, c)
    elif update == "pcgrad":
        raw = _pcgrad(h)
    else:
        values, vectors = np.linalg.eigh(h)
        sigma = {"min": values.min(), "median": np.sort(values)[(k - 1) // 2], "rmse": values.mean()}[scale]
        raw = np.sqrt(sigma) * vectors @ np.diag(values ** -0.5) @ vectors.T @ np.full(k, 1 / k)
    clipped = np.maximum(raw, 0)
    return clipped / clipped.sum()


@pytest.mark.parametrize("update,options", [
    ("mgda", {}), ("upgrad", {}), ("upgrad", {"regularization": 0.05}), ("dualproj", {}), ("imtl_g", {}),
    ("aligned_mtl", {}), ("aligned-mtl", {"aligned_mtl_scale": "median"}), ("aligned_mtl", {"aligned_mtl_scale": "rmse"}),
    ("cagrad", {}), ("cagrad", {"cagrad_c": 0.9}), ("pcgrad", {}),
])
def test_each_update_answers_the_weightings_weights(client, run_id, update, options):
    run = client.create_run(run_id, ["accuracy", "length", "clarity"], "gradient", update=update, **options)
    rng = np.random.default_rng(13)
    for step in range(1, 9):
        a = rng.normal(size=(3, 6)) + rng.normal(size=(1, 6)) * rng.uniform(-1, 1)
        a *= rng.uniform(0.2, 3, size=(3, 1))
        g = a @ a.T
        result = run.report_gradients(step, g)
        expected = _reference(update.replace("-", "_"), g, options.get("regularization", 1e-4),
                              options.get("aligned_mtl_scale", "min"), options.get("cagrad_c", 0.5))
        np.testing.assert_allclose(result.weights, expected, atol=1e-9, rtol=0)
        assert abs(sum(result.weights) - 1) <= 1e-12 and min(result.weights) >= 0
    gradient_run = client.run(run_id)
    assert gradient_run.info().config["gradient"]["update"] == "GRADIENT_UPDATE_" + update.upper().replace("-", "_")


def test_updates_refuse_what_they_do_not_use(client, run_id):
    with pytest.raises(InvalidArgumentError, match="gradient.regularization"):
        client.create_run(run_id, ["a", "b"], "gradient", update="mgda", regularization=0.1)
    with pytest.raises(InvalidArgumentError, match="gradient.cagrad_c"):
        client.create_run(run_id, ["a", "b"], "gradient", update="cagrad", cagrad_c=-1)
    with pytest.raises(InvalidArgumentError, match="gradient.aligned_mtl_scale"):
        client.create_run(run_id, ["a", "b"], "gradient", update="upgrad", aligned_mtl_scale="rmse")
    with pytest.raises(ValueError, match="update"):
        client.create_run(run_id, ["a", "b"], "gradient", update="krum")
    with pytest.raises(InvalidArgumentError, match="gradient.update"):  # PCGrad's exact expectation: K ≤ 8
        client.create_run(run_id, [f"o{k}" for k in range(9)], "gradient", update="pcgrad")
    with pytest.raises(ValueError, match="eta, mu"):
        client.create_run(run_id, ["a", "b"], "gradient")
    run = client.create_run(run_id, ["a", "b"], "gradient", update="mgda")
    with pytest.raises(InvalidArgumentError, match="gram"):
        run.report_gradients(1, np.array([[1.0, 2.0], [2.0, 1.0]]))
    # Nothing was stored: step 1 is still free, and MGDA of diag(4, 1) is (1/5, 4/5).
    np.testing.assert_allclose(run.report_gradients(1, np.diag([4.0, 1.0])).weights, [0.2, 0.8], atol=1e-15)
