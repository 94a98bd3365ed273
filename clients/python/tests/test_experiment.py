"""A short run of the miniature experiment through the real service: the weights and r_pareto it used are the
ones the paper's formulas give for what it reported."""

import dataclasses
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "experiments"))

from miniature import SIGNS, TaskConfig, hypervolume_3d, summarize, train  # noqa: E402

from reference import hypervolume_brute_force, meta_reward, mirror_descent, polynomial_lr  # noqa: E402

SHORT = dataclasses.replace(TaskConfig(), steps=25)


def test_gradient_method_weights_follow_mirror_descent_on_the_reported_grams(client, run_id):
    result = train(client, run_id, "gradient", "balanced", "reinforce", seed=3, task=SHORT, eta=1e-6, mu=1e-5)
    weights = np.full(3, 1 / 3)
    for (step, gram), (_, reported), (_, used) in zip(result.grams, result.reported, result.scalarized_weights):
        np.testing.assert_allclose(np.diag(gram), 1.0, rtol=1e-12)  # unit-normalised per-objective gradients
        weights = mirror_descent(weights, gram, polynomial_lr(1e-6, step, SHORT.steps), 1e-5)
        np.testing.assert_allclose(reported, weights, rtol=1e-9)
        np.testing.assert_allclose(used, weights, rtol=1e-9)  # the step's own rewards use its new weights
    assert np.abs(weights - 1 / 3).max() > 0.01  # they moved
    # the objective whose gradient agrees most with the others gains weight (I = G·1)
    total_influence = np.sum([g.sum(axis=1) for _, g in result.grams], axis=0)
    assert np.argmax(weights) == np.argmax(total_influence)


def test_hypervolume_method_r_pareto_is_the_meta_reward_of_each_checkpoint(client, run_id):
    result = train(client, run_id, "hypervolume", "accuracy-focused", "rloo", seed=4, task=SHORT)
    reference = np.array(result.checkpoints[0][1]) * SIGNS
    buffer = []
    expected = {}
    for step, scores in result.checkpoints[1:]:
        point = np.array(scores) * SIGNS
        delta = max(hypervolume_brute_force(buffer + [point], reference)
                    - hypervolume_brute_force(buffer, reference), 0.0) if len(buffer) < 12 else None
        if delta is None:  # inclusion–exclusion gets slow; the slicing HV is exact too
            delta = max(hypervolume_3d(np.array(buffer + [point]), reference)
                        - hypervolume_3d(np.array(buffer), reference), 0.0)
        if delta > 1e-15:
            buffer.append(point)
        expected[step + 1] = meta_reward(delta)  # applies to the steps after the checkpoint
    expected[1] = 1.0  # the first training step: only the reference point exists
    for step, r_pareto in result.r_pareto:
        assert r_pareto == pytest.approx(expected[step], rel=1e-9, abs=1e-12)
    # the service's buffer holds the non-dominated ones of the points that entered (the reference code's list is
    # append-only; the hypervolume is the same)
    entered = np.array(buffer)
    non_dominated = [b for b in entered if not np.any(np.all(entered >= b, axis=1) & np.any(entered > b, axis=1))]
    steps = {s for s, p in result.checkpoints[1:] if any(np.array_equal(np.array(p) * SIGNS, b) for b in non_dominated)}
    assert sorted(result.buffer_steps) == sorted(steps)


def test_fixed_weights_stay_and_the_summary_is_consistent(client, run_id):
    result = train(client, run_id, "fixed", "efficiency-focused", "grpo", seed=5, task=SHORT)
    assert all(w == [0.25, 0.375, 0.375] for _, w in result.weights)
    assert all(r == 1.0 for _, r in result.r_pareto)
    summary = summarize(result)
    assert summary["front_size"] >= 1 and 1 <= summary["steps_to_front"] <= SHORT.steps
    assert 0.0 <= summary["accuracy"] <= 1.0 and 1.0 <= summary["length"] <= SHORT.max_length
    assert summary["hypervolume"] >= 0.0
    # the checkpoints are exact expectations: the initial model guesses among 4 answers with some knowledge
    initial_accuracy = result.checkpoints[0][1][0]
    assert 0.25 < initial_accuracy < 0.5


def test_slicing_hypervolume_matches_inclusion_exclusion():
    rng = np.random.default_rng(0)
    for _ in range(50):
        points = rng.uniform(size=(rng.integers(1, 8), 3))
        reference = np.array([0.1, 0.2, 0.0])
        assert hypervolume_3d(points, reference) == pytest.approx(hypervolume_brute_force(list(points), reference),
                                                                 rel=1e-12, abs=1e-15)


def test_r_pareto_on_the_advantages_moves_grpo_where_on_the_rewards_it_cancels(client, run_id):
    kwargs = dict(seed=6, task=SHORT)
    fixed = train(client, run_id + "-f", "fixed", "balanced", "grpo", **kwargs)
    on_rewards = train(client, run_id + "-r", "hypervolume", "balanced", "grpo", **kwargs)
    on_advantages = train(client, run_id + "-a", "hypervolume", "balanced", "grpo", r_pareto_on="advantages",
                          **kwargs)
    trajectory = {name: np.array([p for _, p in r.checkpoints])
                  for name, r in (("fixed", fixed), ("rewards", on_rewards), ("advantages", on_advantages))}
    assert any(r != 1.0 for _, r in on_rewards.r_pareto)
    # GRPO's group std cancels a per-step factor on the rewards: the same checkpoints as the fixed run.
    np.testing.assert_allclose(trajectory["rewards"], trajectory["fixed"], rtol=1e-4)
    # On the advantages it scales each step's update, so training goes elsewhere.
    assert np.abs(trajectory["advantages"] - trajectory["fixed"]).max() > 1e-3


def test_the_new_options_run_end_to_end(client, run_id):
    mgda = train(client, run_id + "-m", "gradient", "balanced", "rloo", seed=7, task=SHORT,
                 run_options={"update": "mgda"})
    weights = np.array([w for _, w in mgda.weights])
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    assert (weights >= 0).all() and np.ptp(weights, axis=0).max() > 1e-3  # the MGDA weights move
    tch = train(client, run_id + "-t", "fixed", "balanced", "rloo", seed=7, task=SHORT,
                run_options={"scalarization": "tchebycheff"})
    assert summarize(tch)["front_size"] >= 1
