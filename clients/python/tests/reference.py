"""Independent recomputations of the service's formulas, for the tests (design.md §1; paper Alg. 1 and 2)."""

import itertools
import math

import numpy as np


def mirror_descent(weights, gram, eta, mu):
    """One step of w ← normalise(w ⊙ exp(η·(G·1)/μ)), computed directly (no log-space trick)."""
    influence = np.asarray(gram, dtype=float).sum(axis=1)
    raw = np.asarray(weights, dtype=float) * np.exp(eta * influence / mu)
    return raw / raw.sum()


def polynomial_lr(base, step, total, power=1.03, warmup=0):
    """verl's polynomial schedule at (1-based) global step `step`: base · λ(step − 1)."""
    current = step - 1
    if current < warmup:
        return base * current / max(1.0, warmup)
    progress = (current - warmup) / max(1, total - warmup)
    return base * (1.0 - progress) ** power


def hypervolume_brute_force(points, reference):
    """Exact HV (maximisation) of boxes [reference, p] by inclusion–exclusion; for a handful of points."""
    boxes = [np.asarray(p, dtype=float) for p in points if np.all(np.asarray(p) > reference)]
    total = 0.0
    for size in range(1, len(boxes) + 1):
        for subset in itertools.combinations(boxes, size):
            corner = np.min(np.stack(subset), axis=0)
            volume = float(np.prod(np.maximum(corner - reference, 0.0)))
            total += volume if size % 2 == 1 else -volume
    return total


def meta_reward(delta_hv):
    return 0.5 + 1.5 * math.tanh(max(delta_hv, 0.0))
