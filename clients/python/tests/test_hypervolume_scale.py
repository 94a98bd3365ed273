"""Scale-aware ΔHV against a real rw-server: each hypervolume_scale's r_pareto is the meta-reward of ΔHV measured
as documented, recomputed here from the boxes of the checkpoints."""

import math

import numpy as np
import pytest

from rewardweighting import InvalidArgumentError

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]
REFERENCE = [0.5, 800.0, 0.3]
CHECKPOINTS = [[0.52, 790.0, 0.31], [0.51, 780.0, 0.33], [0.53, 795.0, 0.305]]


def _boxes(points):
    """Each point's box against the reference, in the maximisation convention (length negated)."""
    sign = np.array([1.0, -1.0, 1.0])
    return [np.maximum(sign * (np.array(p) - REFERENCE), 0) for p in points]


def _union_volume(boxes):
    """Exact volume of a union of boxes anchored at the origin, by inclusion–exclusion (a handful of boxes)."""
    total = 0.0
    for mask in range(1, 1 << len(boxes)):
        chosen = [boxes[i] for i in range(len(boxes)) if mask >> i & 1]
        total += (-1) ** (len(chosen) + 1) * float(np.prod(np.minimum.reduce(chosen)))
    return total


@pytest.mark.parametrize("scale,ranges", [("raw", None), ("reference_box", None), ("reference_box", [0.1, 50, 0.1]),
                                          ("relative", None)])
def test_each_scale_gives_the_meta_reward_of_its_scaled_gain(client, run_id, scale, ranges):
    run = client.create_run(run_id, OBJECTIVES, "hypervolume", reference_point=REFERENCE, hypervolume_scale=scale,
                            objective_ranges=ranges)
    boxes = _boxes(CHECKPOINTS)
    for step in range(len(CHECKPOINTS)):
        result = run.report_checkpoint(step + 1, CHECKPOINTS[step])
        before, after = _union_volume(boxes[:step]) if step else 0.0, _union_volume(boxes[:step + 1])
        gain = after - before
        assert result.hypervolume_contribution == pytest.approx(gain, rel=1e-9, abs=1e-18)
        if scale == "raw":
            measured = gain
            assert result.scaled_hypervolume_contribution is None
        elif scale == "relative":
            measured = gain / after
        elif ranges is not None:
            measured = gain / float(np.prod(ranges))
        else:
            ideal = np.maximum.reduce(boxes[:step + 1])
            measured = gain / float(np.prod(ideal))
        if scale != "raw":
            assert result.scaled_hypervolume_contribution == pytest.approx(measured, rel=1e-9, abs=1e-15)
        assert result.r_pareto == pytest.approx(0.5 + 1.5 * math.tanh(measured), rel=1e-12)
    if scale != "raw":
        # The point of the scales: the raw gains here are of order 1e-2, the scaled ones of order 0.1–1.
        assert run.info().config["hypervolume"]["scale"] == "HYPERVOLUME_SCALE_" + scale.upper()


def test_scale_settings_are_checked(client, run_id):
    with pytest.raises(InvalidArgumentError, match="hypervolume.objective_ranges"):
        client.create_run(run_id, OBJECTIVES, "hypervolume", hypervolume_scale="relative", objective_ranges=[1, 1, 1])
    with pytest.raises(InvalidArgumentError, match="hypervolume.objective_ranges"):
        client.create_run(run_id, OBJECTIVES, "hypervolume", hypervolume_scale="reference_box", objective_ranges=[1, 1])
    with pytest.raises(ValueError, match="hypervolume_scale"):
        client.create_run(run_id, OBJECTIVES, "hypervolume", hypervolume_scale="log")
    with pytest.raises(ValueError, match="only the hypervolume method"):
        client.create_run(run_id, OBJECTIVES, "fixed", hypervolume_scale="relative")
