"""r_pareto on the advantages (issue 13 item 2): under GRPO's group-std normalisation a factor on the rewards
cancels, so the paper's placement leaves the policy update unchanged whatever r_pareto is; the adapters'
``r_pareto_on="advantages"`` applies it after the normalisation, and the update then scales by it.

Each trainer is played by a toy GRPO step on a tabular softmax policy (NumPy), with that trainer's own
normalisation formula, fed the rewards the adapter hands it; the adapters' hooks are the real ones (TRL's
wrapped ``_generate_and_score_completions``, verl's wrapped ``compute_advantage``, OpenRLHF's wrapped
``compute_advantages_and_returns``, installed on stand-in modules)."""

import math
import sys
import types
import warnings

import numpy as np
import pytest

from rewardweighting.adapters import openrlhf as openrlhf_adapter
from rewardweighting.adapters import verl as verl_adapter
from rewardweighting.adapters.openrlhf import OpenRLHFShim
from rewardweighting.adapters.shim import RewardShim
from rewardweighting.adapters.trl import TRLRewardWeighting
from rewardweighting.adapters.verl import VerlBatchScorer

NAMES = ["accuracy", "conciseness", "clarity"]
GROUP = 4  # completions per prompt

# Two prompts, four sampled completions each (indices into the policy's four candidate completions), and each
# candidate's three objective scores.
CHOICES = np.array([0, 1, 2, 3, 1, 1, 3, 0])
CANDIDATE_SCORES = np.array([[1.0, 0.2, 0.5], [0.0, 0.9, 0.4], [1.0, 0.6, 0.9], [0.0, 0.1, 0.0]])
SCORES = CANDIDATE_SCORES[CHOICES]
PROMPTS = ["p0"] * GROUP + ["p1"] * GROUP


def group_normalised(rewards, epsilon):
    """(r − mean_g) / (std_g + ε) within each prompt's group, the unbiased std as torch.std takes it: TRL
    (ε = 1e-4, scale_rewards="group"), verl GRPO (ε = 1e-6), OpenRLHF group_norm (ε = 1e-9)."""
    r = np.asarray(rewards, dtype=np.float64).reshape(-1, GROUP)
    return ((r - r.mean(axis=1, keepdims=True)) / (r.std(axis=1, ddof=1, keepdims=True) + epsilon)).reshape(-1)


def policy_update(advantages, learning_rate=0.1):
    """One policy-gradient step Δθ = lr · mean_i A_i ∇θ log π(c_i) of a softmax policy over the four candidates
    (θ = 0, so π is uniform and ∇θ log π(c) = e_c − π), from per-sample (or per-token, averaged) advantages."""
    a = np.asarray(advantages, dtype=np.float64)
    a = a.mean(axis=1) if a.ndim == 2 else a
    pi = np.full(4, 0.25)
    gradient = sum(ai * (np.eye(4)[c] - pi) for ai, c in zip(a, CHOICES)) / len(a)
    return learning_rate * gradient


def make_run(client, run_id):
    """A hypervolume run whose r_pareto is 1 at step 1 and 0.5 + 1.5·tanh(1) from step 2 on: the checkpoint of step 0
    is the reference point, that of step 1 adds a unit cube."""
    run = client.create_run(run_id, NAMES, method="hypervolume", weights=[0.5, 0.25, 0.25])
    return run


def improve(run):
    run.report_checkpoint(0, [0.0, 0.0, 0.0])
    result = run.report_checkpoint(1, [1.0, 1.0, 1.0])
    r = 0.5 + 1.5 * math.tanh(1.0)
    assert result.r_pareto == pytest.approx(r, rel=1e-12)
    return r


def assert_cancelled_on_rewards_and_kept_on_advantages(updates, r):
    """``updates[mode] = (Δθ at r_pareto 1, Δθ at r_pareto r)``."""
    before, after = updates["rewards"]
    # The paper's placement: the rewards were scaled by r, yet the update did not move (to the ε of the std).
    np.testing.assert_allclose(after, before, rtol=1e-3)
    before_adv, after_adv = updates["advantages"]
    # On the advantages: the same update at r_pareto 1, and exactly r times it at r_pareto r.
    np.testing.assert_allclose(before_adv, before, rtol=1e-3)
    np.testing.assert_allclose(after_adv, r * before_adv, rtol=1e-12, atol=1e-15)
    assert np.linalg.norm(after_adv - after) > 0.5 * np.linalg.norm(after)


# -- TRL ------------------------------------------------------------------------------------------------------


class StandInGRPOTrainer:
    """What TRL's ``GRPOTrainer._generate_and_score_completions`` does around the reward functions: call them,
    take the weighted sum with ``reward_weights``, normalise within each group (scale_rewards="group"), return the
    advantages."""

    def __init__(self, adapter, step):
        self.adapter = adapter
        self.state = types.SimpleNamespace(global_step=step - 1)
        self.seen_rewards = None

    def _generate_and_score_completions(self, inputs):
        completions = [f"c{c}" for c in CHOICES]
        columns = np.zeros((len(PROMPTS), len(self.adapter.reward_funcs)))
        for i, function in enumerate(self.adapter.reward_funcs):
            columns[:, i] = function(prompts=PROMPTS, completions=completions, completion_ids=[[0]] * len(PROMPTS),
                                     trainer_state=self.state)
        rewards = columns @ np.array(self.adapter.reward_weights)
        self.seen_rewards = rewards
        return {"advantages": group_normalised(rewards, 1e-4), "prompt_ids": inputs}


def trl_objectives():
    def scorer(k):
        return lambda prompts, completions, **kwargs: [float(CANDIDATE_SCORES[int(c[1:]), k]) for c in completions]

    return {name: scorer(k) for k, name in enumerate(NAMES)}


def test_trl_r_pareto_on_advantages_changes_the_grpo_update_where_on_rewards_it_cancels(client, run_id):
    updates, seen = {}, {}
    for mode in ("rewards", "advantages"):
        run = make_run(client, f"{run_id}-{mode}")
        adapter = TRLRewardWeighting(run, trl_objectives(), r_pareto_on=mode)
        results = []
        for step in (1, 2):
            if step == 2:
                r = improve(run)
            trainer = adapter.attach(StandInGRPOTrainer(adapter, step))
            output = trainer._generate_and_score_completions("batch")
            assert output["prompt_ids"] == "batch"  # the rest of TRL's output passes through
            results.append(policy_update(output["advantages"]))
            seen[(mode, step)] = trainer.seen_rewards
        updates[mode] = tuple(results)
    weighted = SCORES @ [0.5, 0.25, 0.25]
    np.testing.assert_allclose(seen[("rewards", 2)], r * weighted, rtol=1e-12)  # r_pareto went on the rewards
    np.testing.assert_allclose(seen[("advantages", 2)], weighted, rtol=1e-12)  # and here it did not
    assert_cancelled_on_rewards_and_kept_on_advantages(updates, r)


def test_trl_advantages_mode_needs_attach_and_silences_the_std_warning(client, run_id):
    run = make_run(client, run_id)
    group_scaling = types.SimpleNamespace(scale_rewards="group", multi_objective_aggregation="sum_then_normalize")
    with pytest.warns(RuntimeWarning, match="r_pareto_on='advantages'"):
        TRLRewardWeighting(run, trl_objectives()).check_trainer_settings(group_scaling)
    adapter = TRLRewardWeighting(run, trl_objectives(), r_pareto_on="advantages")
    with pytest.raises(RuntimeError, match="attach"):
        adapter.check_trainer_settings(group_scaling)
    adapter.attach(StandInGRPOTrainer(adapter, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # r_pareto survives the std scaling now: nothing to warn about
        adapter.check_trainer_settings(group_scaling)
    with pytest.raises(ValueError, match="r_pareto_on"):
        TRLRewardWeighting(run, trl_objectives(), r_pareto_on="loss")


# -- verl -----------------------------------------------------------------------------------------------------


def verl_compute_advantage(data, adv_estimator="grpo", **kwargs):
    """verl's GRPO outcome advantage: the sequence score standardised within its uid group (ε = 1e-6),
    broadcast over the response tokens (all valid here)."""
    scores = data.batch["token_level_rewards"].sum(axis=1)
    data.batch["advantages"] = np.repeat(group_normalised(scores, 1e-6)[:, None], 3, axis=1)
    return data


def test_verl_r_pareto_on_advantages_changes_the_grpo_update_where_on_rewards_it_cancels(client, run_id,
                                                                                           monkeypatch):
    ray_trainer = types.ModuleType("verl.trainer.ppo.ray_trainer")
    ray_trainer.compute_advantage = verl_compute_advantage
    for name in ("verl", "verl.trainer", "verl.trainer.ppo"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setattr(sys.modules["verl.trainer.ppo"], "ray_trainer", ray_trainer, raising=False)
    monkeypatch.setitem(sys.modules, "verl.trainer.ppo.ray_trainer", ray_trainer)
    verl_adapter.install_advantage_scaling()
    verl_adapter.install_advantage_scaling()  # idempotent: scaled once
    assert ray_trainer.compute_advantage is not verl_compute_advantage

    updates = {}
    score_dicts = [dict(zip(NAMES, row)) for row in SCORES.tolist()]
    for mode in ("rewards", "advantages"):
        run = make_run(client, f"{run_id}-{mode}")
        scorer = VerlBatchScorer(run, NAMES, r_pareto_on=mode)
        results = []
        for step in (1, 2):
            if step == 2:
                r = improve(run)
            info = scorer.score(score_dicts, step=step, validate=False)
            assert info["rw_r_pareto"] == [pytest.approx(1.0 if step == 1 else r)] * len(SCORES)
            assert ("rw_advantage_scale" in info) == (mode == "advantages")  # what the hook scales by
            token_level = np.zeros((len(SCORES), 3))
            token_level[:, -1] = info["score"]  # the manager places each score on the last valid token
            data = types.SimpleNamespace(batch={"token_level_rewards": token_level},
                                         non_tensor_batch={k: np.array(v, dtype=object) for k, v in info.items()})
            data = ray_trainer.compute_advantage(data, adv_estimator="grpo", norm_adv_by_std_in_grpo=True)
            results.append(policy_update(data.batch["advantages"]))
        updates[mode] = tuple(results)
    assert_cancelled_on_rewards_and_kept_on_advantages(updates, r)


# -- OpenRLHF -------------------------------------------------------------------------------------------------


class StandInExperienceMaker:
    """OpenRLHF's ``RemoteExperienceMaker.compute_advantages_and_returns`` with ``group_norm`` (GRPO): rewards
    standardised within each prompt's ``n_samples_per_prompt`` samples (ε = 1e-9), as the per-token return."""

    def compute_advantages_and_returns(self, experiences):
        rewards = np.concatenate([e.rewards for e in experiences])
        normalised = group_normalised(rewards, 1e-9)
        for e, chunk in zip(experiences, np.split(normalised, len(experiences))):
            e.advantages = np.repeat(chunk[:, None], 2, axis=1)
        return experiences


def test_openrlhf_r_pareto_on_advantages_changes_the_grpo_update_where_on_rewards_it_cancels(client, run_id,
                                                                                               monkeypatch):
    module = types.ModuleType("openrlhf.trainer.ppo_utils.experience_maker")
    module.RemoteExperienceMaker = type("RemoteExperienceMaker", (StandInExperienceMaker,), {})
    for name in ("openrlhf", "openrlhf.trainer", "openrlhf.trainer.ppo_utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "openrlhf.trainer.ppo_utils.experience_maker", module)
    openrlhf_adapter.install_advantage_scaling()
    openrlhf_adapter.install_advantage_scaling()  # idempotent
    maker = module.RemoteExperienceMaker()

    objectives = {name: (lambda k: lambda query, prompt, label: float(CANDIDATE_SCORES[int(query[1:]), k]))(k)
                  for k, name in enumerate(NAMES)}
    updates = {}
    for mode in ("rewards", "advantages"):
        run = make_run(client, f"{run_id}-{mode}")
        shim = OpenRLHFShim(run, objectives, samples_per_step=len(CHOICES), r_pareto_on=mode)
        results = []
        for step in (1, 2):
            if step == 2:
                r = improve(run)
            # OpenRLHF's agent posts one sample per request; each reply becomes one Experience (info per sample).
            experiences = []
            for c, prompt in zip(CHOICES, PROMPTS):
                reply = shim.handle({"query": [f"c{c}"], "prompts": [prompt], "labels": [""], "step": step})
                experiences.append(types.SimpleNamespace(
                    rewards=np.array(reply["rewards"]),
                    info={key: np.array(values) for key, values in reply["extra_logs"].items()}))
            experiences = maker.compute_advantages_and_returns(experiences)
            results.append(policy_update(np.concatenate([e.advantages for e in experiences])))
        updates[mode] = tuple(results)
    assert_cancelled_on_rewards_and_kept_on_advantages(updates, r)


def test_the_shim_refuses_advantages_for_a_protocol_without_a_hook(client, run_id):
    run = make_run(client, run_id)
    with pytest.raises(ValueError, match="slime"):
        RewardShim(run, {n: (lambda *a: 0.0) for n in NAMES}, 4, protocol="slime", r_pareto_on="advantages")
