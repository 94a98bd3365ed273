#!/usr/bin/env python3
"""Exact hypervolume / hypervolume-contribution oracle for RewardWeighting tests.

What it computes
----------------
For a set of seeded, deterministic test cases (K = 2..6 objectives, 1..10
points each) this script computes, in exact rational arithmetic
(``fractions.Fraction``; every float input is converted exactly with
``Fraction(float)``):

* the hypervolume HV(P; r), maximisation convention: the Lebesgue measure of
  the union of the boxes [r, p] for p in P.  A point that is not strictly
  better than r in every coordinate adds no volume (it is not an error);
* the exclusive contribution of every list element,
  c_i = HV(P) - HV(P without element i).  P is a *list*: each copy of a
  duplicated point contributes 0, a (weakly) dominated point contributes 0,
  and a dominated point still lowers the contribution of the point that
  dominates it;
* the paper's reference "improvement" vectors (Lu et al. 2025, dynamic reward
  weighting, K = 3, reference (0.5, -800, 0.3) in maximisation form, i.e. the
  response length negated):  dHV = HV(buffer + [candidate]) - HV(buffer),
  clamped at 0, plus a few generated buffer/candidate pairs of the same kind.

Every value is computed by two independent exact methods that must agree
exactly (the script asserts it):

1. inclusion-exclusion over all non-empty subsets S of the points,
   HV = sum_S (-1)^(|S|+1) prod_k (min_{p in S} p_k - r_k)^+, and the
   contribution of i directly as the same sum restricted to the subsets that
   contain i;
2. recursive slicing along the last objective (HSO, "hypervolume by slicing
   objectives"), with c_i = HSO(P) - HSO(P without element i).

Each result is written both as a float (the exact rational correctly rounded,
``float(Fraction)``) and as the exact rational string "p/q" (always with a
denominator, "0/1" for zero).  Floats are written with Python's ``repr`` and
therefore round-trip.

Why
---
The Swift implementation needs an oracle that is exact for *small*
contributions.  moocore's ``hv_contributions`` zeroes contributions below
about 1.5e-8 for K >= 4, so it cannot serve as the oracle for the tiny-
contribution cases below (two points differing by 1e-9 in one coordinate,
points barely beyond the reference, ...).  Floating-point HV codes in general
lose such values to cancellation; the rational arithmetic here does not.

How to run
----------
From the package root (/work/main):

    python3 Scripts/generate-hv-fixtures.py

It writes Tests/RewardWeightingCoreTests/Fixtures/exact-hypervolume.json.
Pure Python 3.11 standard library; deterministic (``random.Random(seed)``
per case, so two runs give byte-identical files); runs in a few seconds.
Pass an output path as the only argument to write somewhere else.

Output shape:

    {"generator": "Scripts/generate-hv-fixtures.py",
     "cases": [{"name", "K", "reference", "points", "hypervolume",
                "hypervolume_exact", "contributions", "contributions_exact"}],
     "improvements": [{"name", "reference", "buffer", "candidate",
                       "improvement", "improvement_exact"}]}
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
from fractions import Fraction

GENERATOR = "Scripts/generate-hv-fixtures.py"
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "Tests", "RewardWeightingCoreTests", "Fixtures", "exact-hypervolume.json",
)
MAX_POINTS = {2: 10, 3: 10, 4: 10, 5: 10, 6: 10}
TINY = 1e-9


# --------------------------------------------------------------------------
# Exact arithmetic helpers
# --------------------------------------------------------------------------

def shifted(points, reference):
    """Exact p - r, clamped at 0 per coordinate (a zero means: no box)."""
    ref = [Fraction(x) for x in reference]
    out = []
    for p in points:
        out.append(tuple(max(Fraction(x) - r, Fraction(0)) for x, r in zip(p, ref)))
    return out


def has_box(q):
    return all(x > 0 for x in q)


def product(values):
    result = Fraction(1)
    for v in values:
        result *= v
    return result


# Method 1: inclusion-exclusion ------------------------------------------------

def inclusion_exclusion(qs):
    """Return (HV, [c_i]) by inclusion-exclusion over all subsets.

    qs are shifted, clamped points.  A point without a box makes every
    subset containing it vanish, so it is skipped (its contribution is 0).
    c_i = sum over subsets S containing i of (-1)^(|S|+1) vol(meet(S)).
    """
    n = len(qs)
    active = [i for i in range(n) if has_box(qs[i])]
    total = Fraction(0)
    contrib = [Fraction(0)] * n

    # Iterative DFS over subsets of `active` in lexicographic order.
    # stack entries: (next position in active, meet, members, sign)
    stack = [(0, None, (), 1)]
    while stack:
        start, meet, members, sign = stack.pop()
        for pos in range(start, len(active)):
            j = active[pos]
            q = qs[j]
            m = q if meet is None else tuple(min(a, b) for a, b in zip(meet, q))
            vol = product(m)
            if vol == 0:
                continue  # meet only shrinks: the whole subtree is 0
            term = vol if sign > 0 else -vol
            new_members = members + (j,)
            total += term
            for i in new_members:
                contrib[i] += term
            stack.append((pos + 1, m, new_members, -sign))
    return total, contrib


# Method 2: recursive slicing (HSO) --------------------------------------------

def hso(qs, k=None):
    """Exact HV of shifted points with all-positive coordinates (first k)."""
    if not qs:
        return Fraction(0)
    if k is None:
        k = len(qs[0])
    if k == 1:
        return max(q[0] for q in qs)
    ordered = sorted(qs, key=lambda q: q[k - 1], reverse=True)
    total = Fraction(0)
    for i, q in enumerate(ordered):
        below = ordered[i + 1][k - 1] if i + 1 < len(ordered) else Fraction(0)
        depth = q[k - 1] - below
        if depth:
            total += depth * hso(ordered[: i + 1], k - 1)
    return total


def hso_hv(qs):
    return hso([q for q in qs if has_box(q)])


def hso_contributions(qs):
    full = hso_hv(qs)
    return full, [full - hso_hv(qs[:i] + qs[i + 1:]) for i in range(len(qs))]


# --------------------------------------------------------------------------
# Checked oracle
# --------------------------------------------------------------------------

def exact_hv_and_contributions(points, reference):
    qs = shifted(points, reference)
    hv1, c1 = inclusion_exclusion(qs)
    hv2, c2 = hso_contributions(qs)
    assert hv1 == hv2, ("HV mismatch", points, reference, hv1, hv2)
    assert c1 == c2, ("contribution mismatch", points, reference, c1, c2)
    assert hv1 >= 0 and all(c >= 0 for c in c1)
    assert sum(c1) <= hv1
    return hv1, c1


def exact_hv(points, reference):
    qs = shifted(points, reference)
    hv1, _ = inclusion_exclusion(qs)
    hv2 = hso_hv(qs)
    assert hv1 == hv2, ("HV mismatch", points, reference, hv1, hv2)
    return hv1


def exact_improvement(buffer, candidate, reference):
    with_c = exact_hv(list(buffer) + [candidate], reference)
    without = exact_hv(list(buffer), reference)
    # Cross-check: the improvement is the candidate's exclusive contribution.
    _, contrib = exact_hv_and_contributions(list(buffer) + [candidate], reference)
    delta = max(with_c - without, Fraction(0))
    assert delta == contrib[-1]
    return delta


def rational_string(x: Fraction) -> str:
    return f"{x.numerator}/{x.denominator}"


def to_float(x: Fraction) -> float:
    f = float(x)  # int / int true division: correctly rounded
    assert math.isfinite(f)
    return f + 0.0


def clean(x) -> float:
    x = float(x)
    assert math.isfinite(x)
    return x + 0.0  # no -0.0 in the fixtures


# --------------------------------------------------------------------------
# Case generators.  Each takes (rng, K) and returns (reference, points).
# --------------------------------------------------------------------------

def rand_n(rng, lo=2, hi=10):
    return rng.randint(lo, hi)


def random_points(rng, n, K, lo=0.0, hi=1.0):
    return [[rng.uniform(lo, hi) for _ in range(K)] for _ in range(n)]


def front_points(rng, n, K):
    """Mutually non-dominated points on the positive unit sphere."""
    pts = []
    for _ in range(n):
        v = [abs(rng.gauss(0.0, 1.0)) + 1e-3 for _ in range(K)]
        norm = math.sqrt(sum(x * x for x in v))
        pts.append([x / norm for x in v])
    return pts


def g_single_inside(rng, K):
    return [0.0] * K, random_points(rng, 1, K)


def g_single_outside(rng, K):
    p = [rng.uniform(0.1, 1.0) for _ in range(K)]
    p[rng.randrange(K)] = -rng.uniform(0.1, 1.0)
    return [0.0] * K, [p]


def g_single_equal_reference(rng, K):
    ref = [round(rng.uniform(-2.0, 2.0), 2) for _ in range(K)]
    return ref, [list(ref)]


def g_random(rng, K):
    return [0.0] * K, random_points(rng, rand_n(rng), K)


def g_front(rng, K):
    return [0.0] * K, front_points(rng, rand_n(rng, 3, 10), K)


def g_duplicates(rng, K):
    base = front_points(rng, rand_n(rng, 2, 6), K)
    pts = [list(p) for p in base]
    for _ in range(rng.randint(1, 3)):
        pts.append(list(rng.choice(base)))
    if len(pts) < 10:
        pts.append(list(pts[0]))  # at least one point appears 2+ times
    pts = pts[:10]
    rng.shuffle(pts)
    return [0.0] * K, pts


def g_all_identical(rng, K):
    p = [rng.uniform(0.1, 1.0) for _ in range(K)]
    return [0.0] * K, [list(p) for _ in range(rng.randint(2, 5))]


def g_dominated(rng, K):
    base = front_points(rng, rand_n(rng, 2, 5), K)
    pts = [list(p) for p in base]
    while len(pts) < rng.randint(len(base) + 2, 10):
        p = rng.choice(base)
        mode = rng.randrange(3)
        if mode == 0:  # strictly dominated
            d = [x * rng.uniform(0.3, 0.95) for x in p]
        elif mode == 1:  # weakly dominated: one coordinate lowered
            d = list(p)
            k = rng.randrange(K)
            d[k] = d[k] * rng.uniform(0.3, 0.95)
        else:  # weakly dominated: all but one coordinate lowered
            k = rng.randrange(K)
            d = [x if i == k else x * rng.uniform(0.3, 0.95) for i, x in enumerate(p)]
        pts.append(d)
    rng.shuffle(pts)
    return [0.0] * K, pts


def g_chain(rng, K):
    """A totally ordered chain: only the top point contributes."""
    n = rand_n(rng, 2, 8)
    top = [rng.uniform(0.5, 1.0) for _ in range(K)]
    pts = [list(top)]
    cur = top
    for _ in range(n - 1):
        cur = [x * rng.uniform(0.5, 1.0) for x in cur]
        pts.append(cur)
    rng.shuffle(pts)
    return [0.0] * K, pts


def g_ref_equal(rng, K):
    ref = [round(rng.uniform(-1.0, 1.0), 3) for _ in range(K)]
    pts = [[r + rng.uniform(0.05, 1.0) for r in ref] for _ in range(rand_n(rng, 3, 10))]
    for p in rng.sample(pts, max(1, len(pts) // 2)):
        k = rng.randrange(K)
        p[k] = ref[k]  # on the reference plane: no box
    return ref, pts


def g_ref_worse(rng, K):
    ref = [round(rng.uniform(-1.0, 1.0), 3) for _ in range(K)]
    pts = [[r + rng.uniform(0.05, 1.0) for r in ref] for _ in range(rand_n(rng, 3, 10))]
    victims = rng.sample(pts, max(1, len(pts) // 2))
    for idx, p in enumerate(victims):
        if idx == 0:
            k = K - 1  # worse only in the last objective (the reference crash case)
        else:
            k = rng.randrange(K)
        p[k] = ref[k] - rng.uniform(0.01, 1.0)
    if len(victims) > 1:  # one point worse than the reference everywhere
        for k in range(K):
            victims[-1][k] = ref[k] - rng.uniform(0.01, 1.0)
    return ref, pts


def g_all_outside(rng, K):
    ref = [rng.uniform(-1.0, 1.0) for _ in range(K)]
    pts = []
    for _ in range(rand_n(rng, 2, 6)):
        p = [r + rng.uniform(0.0, 1.0) for r in ref]
        k = rng.randrange(K)
        p[k] = ref[k] - rng.uniform(0.0, 1.0) if rng.random() < 0.7 else ref[k]
        pts.append(p)
    return ref, pts


def g_grid(rng, K):
    ref = [float(rng.choice([0, 0, -1])) for _ in range(K)]
    pts = [[float(rng.randint(0, 3)) for _ in range(K)] for _ in range(rand_n(rng, 4, 10))]
    return ref, pts


def g_grid_fine(rng, K):
    """Dyadic grid (multiples of 1/4) with many ties, reference off-grid."""
    ref = [-0.125] * K
    pts = [[rng.randint(0, 4) / 4 for _ in range(K)] for _ in range(rand_n(rng, 4, 10))]
    return ref, pts


def g_mixed_scale_case(rng, K):
    scales = [10.0 ** rng.choice([-3, -2, -1, 0, 1, 2, 3]) for _ in range(K)]
    scales[0], scales[-1] = 1e-3, 1e3
    pts = [[s * v for s, v in zip(scales, p)] for p in front_points(rng, rand_n(rng, 3, 10), K)]
    return [0.0] * K, pts


def g_mixed_scale_point(rng, K):
    pts = []
    for _ in range(rand_n(rng, 3, 10)):
        p = [rng.choice([1e-3, 1e3]) * rng.uniform(0.1, 1.0) for _ in range(K)]
        p[0], p[-1] = 1e-3 * rng.uniform(0.1, 1.0), 1e3 * rng.uniform(0.1, 1.0)
        if rng.random() < 0.5:
            p[0], p[-1] = p[-1], p[0]
        pts.append(p)
    return [0.0] * K, pts


def g_shifted_ref(rng, K):
    ref = [rng.uniform(1.0, 10.0) for _ in range(K)]
    pts = [[r + rng.uniform(0.0, 2.0) for r in ref] for _ in range(rand_n(rng))]
    return ref, pts


def g_negative_ref(rng, K):
    ref = [-rng.choice([0.5, 1.0, 7.25, 800.0]) * rng.uniform(0.5, 1.5) for _ in range(K)]
    pts = [[r + abs(r) * rng.uniform(0.0, 1.0) for r in ref] for _ in range(rand_n(rng))]
    return ref, pts


def g_decimals(rng, K):
    """Decimal inputs like 0.52 (not exactly representable), ties likely."""
    ref = [round(rng.uniform(0.0, 0.5), 2) for _ in range(K)]
    pts = [[round(r + rng.uniform(-0.05, 0.3), 2) for r in ref] for _ in range(rand_n(rng))]
    return ref, pts


def g_tiny_dominating(rng, K):
    """p and p + 1e-9 e_k: p contributes 0, the other a 1e-9-thin slab."""
    base = front_points(rng, rand_n(rng, 2, 8), K)
    pts = [list(p) for p in base]
    p = rng.choice(base)
    q = list(p)
    k = rng.randrange(K)
    q[k] = q[k] + TINY
    pts.append(q)
    rng.shuffle(pts)
    return [0.0] * K, pts


def g_tiny_tradeoff(rng, K):
    """p and p' = p + 1e-9 e_k - 1e-9 e_j: both contributions tiny."""
    base = front_points(rng, rand_n(rng, 2, 8), K)
    pts = [list(p) for p in base]
    p = rng.choice(base)
    q = list(p)
    k, j = rng.sample(range(K), 2)
    q[k] = q[k] + TINY
    q[j] = q[j] - TINY
    pts.append(q)
    rng.shuffle(pts)
    return [0.0] * K, pts


def g_tiny_alone(rng, K):
    """Two points differing by 1e-9 in one coordinate, nothing else."""
    p = [rng.uniform(0.1, 1.0) for _ in range(K)]
    q = list(p)
    q[rng.randrange(K)] += TINY
    pts = [p, q]
    if rng.random() < 0.5:
        pts.reverse()
    return [0.0] * K, pts


def g_tiny_beyond_ref(rng, K):
    """A point beyond the reference by only 1e-9 in one coordinate."""
    ref = [rng.uniform(-1.0, 1.0) for _ in range(K)]
    pts = [[r + rng.uniform(0.1, 1.0) for r in ref] for _ in range(rand_n(rng, 1, 6))]
    p = [r + rng.uniform(0.1, 1.0) for r in ref]
    k = rng.randrange(K)
    p[k] = ref[k] + TINY
    pts.append(p)
    rng.shuffle(pts)
    return ref, pts


def g_tiny_sliver(rng, K):
    """Near-duplicate points all around one point: contributions ~1e-9 or less."""
    c = [rng.uniform(0.3, 1.0) for _ in range(K)]
    pts = []
    for k in rng.sample(range(K), min(K, rng.randint(2, 4))):
        q = list(c)
        q[k] += TINY
        for j in range(K):
            if j != k:
                q[j] -= TINY * rng.randint(0, 3)
        pts.append(q)
    pts.append(list(c))
    rng.shuffle(pts)
    return [0.0] * K, pts


# (kind, generator, how many cases per K)
KINDS = [
    ("single-inside", g_single_inside, 1),
    ("single-outside", g_single_outside, 1),
    ("single-equal-reference", g_single_equal_reference, 1),
    ("random", g_random, 6),
    ("front", g_front, 3),
    ("duplicates", g_duplicates, 3),
    ("all-identical", g_all_identical, 1),
    ("dominated", g_dominated, 3),
    ("chain", g_chain, 1),
    ("reference-equal-coordinate", g_ref_equal, 2),
    ("reference-worse-coordinate", g_ref_worse, 2),
    ("all-outside", g_all_outside, 1),
    ("integer-grid", g_grid, 3),
    ("dyadic-grid", g_grid_fine, 1),
    ("mixed-scale-across-coordinates", g_mixed_scale_case, 2),
    ("mixed-scale-within-point", g_mixed_scale_point, 2),
    ("positive-reference", g_shifted_ref, 2),
    ("negative-reference", g_negative_ref, 2),
    ("decimal-inputs", g_decimals, 2),
    ("tiny-dominating-pair", g_tiny_dominating, 2),
    ("tiny-tradeoff-pair", g_tiny_tradeoff, 2),
    ("tiny-pair-alone", g_tiny_alone, 1),
    ("tiny-beyond-reference", g_tiny_beyond_ref, 1),
    ("tiny-sliver", g_tiny_sliver, 1),
]


def make_case(name, K, reference, points):
    reference = [clean(x) for x in reference]
    points = [[clean(x) for x in p] for p in points]
    assert len(reference) == K and all(len(p) == K for p in points)
    assert 1 <= len(points) <= MAX_POINTS[K]
    hv, contrib = exact_hv_and_contributions(points, reference)
    return {
        "name": name,
        "K": K,
        "reference": reference,
        "points": points,
        "hypervolume": to_float(hv),
        "hypervolume_exact": rational_string(hv),
        "contributions": [to_float(c) for c in contrib],
        "contributions_exact": [rational_string(c) for c in contrib],
    }


def generate_cases():
    cases = []
    for K in (2, 3, 4, 5, 6):
        index = 0
        for kind, gen, count in KINDS:
            for rep in range(count):
                seed = 1000 * K + index
                rng = random.Random(seed)
                reference, points = gen(rng, K)
                name = f"K{K}-{kind}-{rep + 1}-seed{seed}"
                cases.append(make_case(name, K, reference, points))
                index += 1
    return cases


# --------------------------------------------------------------------------
# Improvement (dHV) vectors
# --------------------------------------------------------------------------

# Lu et al. 2025 reference code test vectors (/work/shared/notes/reference-code.md,
# "Test vectors"), maximize = [True, False, True], converted to maximisation
# form by negating the response length.  The buffer here is the front only
# (the reference code's buffer[1:]); buffer[0] is the reference.
PAPER_REFERENCE = [0.5, -800.0, 0.3]
A = [0.52, -780.0, 0.32]
PAPER_VECTORS = [
    ("paper-ref-only-improves", [], [0.52, -780.0, 0.32]),
    ("paper-ref-only-worse-clarity", [], [0.55, -700.0, 0.25]),
    ("paper-ref-only-worse-accuracy", [], [0.45, -700.0, 0.35]),
    ("paper-ref-only-candidate-is-reference", [], list(PAPER_REFERENCE)),
    ("paper-ref-only-small-improvement", [], [0.51, -799.0, 0.31]),
    ("paper-one-point-dominated-candidate", [A], [0.51, -790.0, 0.31]),
    ("paper-one-point-improves", [A], [0.53, -790.0, 0.31]),
    ("paper-one-point-worse-last-objective-reference-raises", [A], [0.60, -700.0, 0.29]),
]


def generated_improvements():
    """A few more buffer/candidate pairs built the way training builds B."""
    out = []
    for i in range(12):
        seed = 90000 + i
        rng = random.Random(seed)
        ref = list(PAPER_REFERENCE)

        def perf():
            return [round(ref[0] + rng.uniform(-0.05, 0.2), 3),
                    float(round(ref[1] + rng.uniform(-50.0, 300.0))),
                    round(ref[2] + rng.uniform(-0.05, 0.3), 3)]

        buffer = [perf() for _ in range(rng.randint(0, 7))]
        mode = i % 4
        if mode == 0 or not buffer:
            cand = perf()
            kind = "random"
        elif mode == 1:
            cand = list(rng.choice(buffer))
            kind = "duplicate-of-buffer-point"
        elif mode == 2:  # better than ref everywhere except the last objective
            cand = [ref[0] + rng.uniform(0.01, 0.2), ref[1] + rng.uniform(1.0, 300.0),
                    ref[2] - rng.uniform(0.001, 0.05)]
            kind = "worse-last-objective"
        else:  # tiny improvement over a buffer point
            cand = list(rng.choice(buffer))
            cand[rng.randrange(3)] += TINY
            kind = "tiny"
        out.append((f"generated-{kind}-seed{seed}", buffer, cand, ref))
    return out


def make_improvement(name, reference, buffer, candidate):
    reference = [clean(x) for x in reference]
    buffer = [[clean(x) for x in p] for p in buffer]
    candidate = [clean(x) for x in candidate]
    delta = exact_improvement(buffer, candidate, reference)
    return {
        "name": name,
        "reference": reference,
        "buffer": buffer,
        "candidate": candidate,
        "improvement": to_float(delta),
        "improvement_exact": rational_string(delta),
    }


def generate_improvements():
    out = [make_improvement(name, PAPER_REFERENCE, buf, cand) for name, buf, cand in PAPER_VECTORS]
    out += [make_improvement(name, ref, buf, cand) for name, buf, cand, ref in generated_improvements()]
    return out


# --------------------------------------------------------------------------
# Self-checks of the oracle on hand-computed values
# --------------------------------------------------------------------------

def self_test():
    F = Fraction
    # Two boxes in 2-D: [0,2]x[0,1] and [0,1]x[0,2] -> 3; contributions 1, 1.
    hv, c = exact_hv_and_contributions([[2.0, 1.0], [1.0, 2.0]], [0.0, 0.0])
    assert hv == 3 and c == [1, 1]
    # Duplicates contribute 0 each; a dominated point shrinks its dominator's contribution.
    hv, c = exact_hv_and_contributions([[1.0, 1.0], [1.0, 1.0]], [0.0, 0.0])
    assert hv == 1 and c == [0, 0]
    hv, c = exact_hv_and_contributions([[2.0, 2.0], [1.0, 1.0]], [0.0, 0.0])
    assert hv == 4 and c == [3, 0]
    # Points on / behind the reference add nothing.
    hv, c = exact_hv_and_contributions([[1.0, 0.0], [-1.0, 5.0], [0.5, 0.5]], [0.0, 0.0])
    assert hv == F(1, 4) and c == [0, 0, F(1, 4)]
    # 3-D: unit cube and a 2x1/2x1/2 box -> 1 + 2*1/4 - 1/4 = 5/4.
    hv, c = exact_hv_and_contributions([[1.0, 1.0, 1.0], [2.0, 0.5, 0.5]], [0.0, 0.0, 0.0])
    assert hv == F(5, 4) and c == [F(3, 4), F(1, 4)]


# --------------------------------------------------------------------------

def render(cases, improvements):
    """One case per line: compact, diff-friendly, deterministic."""
    def dump(obj):
        return json.dumps(obj, separators=(", ", ": "), allow_nan=False)

    lines = ["{", f'  "generator": {dump(GENERATOR)},', '  "cases": [']
    lines += [f"    {dump(c)}" + ("," if i + 1 < len(cases) else "") for i, c in enumerate(cases)]
    lines += ["  ],", '  "improvements": [']
    lines += [f"    {dump(c)}" + ("," if i + 1 < len(improvements) else "")
              for i, c in enumerate(improvements)]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def main(argv):
    output = argv[1] if len(argv) > 1 else DEFAULT_OUTPUT
    self_test()
    cases = generate_cases()
    improvements = generate_improvements()
    text = render(cases, improvements)
    # The file must parse back to exactly the same values.
    parsed = json.loads(text)
    assert parsed["cases"] == cases and parsed["improvements"] == improvements
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    per_k = {}
    for c in cases:
        per_k[c["K"]] = per_k.get(c["K"], 0) + 1
    print(f"wrote {output}: {len(cases)} cases "
          f"({', '.join(f'K={k}: {v}' for k, v in sorted(per_k.items()))}), "
          f"{len(improvements)} improvements, {len(text)} bytes")


if __name__ == "__main__":
    main(sys.argv)
