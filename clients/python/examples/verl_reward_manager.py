"""verl: score a batch with the RewardWeighting reward manager, the way verl's trainer calls it.

    python3 clients/python/examples/verl_reward_manager.py        # starts a local rw-server; needs torch

verl hands a reward manager a ``DataProto``: ``batch`` (TensorDict: prompts, responses, attention_mask),
``non_tensor_batch`` (numpy object arrays: data_source, reward_model={"ground_truth"}, uid) and ``meta_info``
(global_steps, validate). This script builds one by hand with the same fields (verl itself is not needed) and
shows what the manager returns: the reward tensor with each scalarised score on the last valid response token,
and ``reward_extra_info`` with every objective, the weights and r_pareto. In a verl run, point
``reward_manager`` at ``rewardweighting/adapters/verl.py`` (docs/adapters.md) and put this ``compute_scores``
in ``custom_reward_function.path``.
"""

import types

import numpy as np
import torch

from rewardweighting import RewardWeighting
from rewardweighting.adapters.verl import RewardWeightingRewardManager, checkpoint_scores
from rewardweighting.server import LocalServer

VOCAB = ["<pad>", "step", "so", "the", "answer", "is", "4", "7"]


class WordTokenizer:
    def decode(self, ids, skip_special_tokens=True):
        return " ".join(VOCAB[int(i)] for i in ids if not (skip_special_tokens and int(i) == 0))


def compute_scores(data_sources, solution_strs, ground_truths, extra_infos, **kwargs):
    """verl's batch compute_score signature; one dict of per-objective scores per response."""
    return [{"accuracy": float(s.split()[-1] == gt),
             "conciseness": float(len(s.split()) < 5),
             "clarity": float(s.split().count("step") >= 2)} for s, gt in zip(solution_strs, ground_truths)]


def main(address: str) -> None:
    client = RewardWeighting(address)
    run = client.create_run("verl-demo", ["accuracy", "conciseness", "clarity"], method="hypervolume",
                            weights=[0.5, 0.25, 0.25])
    responses = torch.tensor([[1, 1, 3, 4, 5, 6], [6, 0, 0, 0, 0, 0], [2, 7, 0, 0, 0, 0], [1, 1, 7, 0, 0, 0]])
    valid = (responses > 0).long()
    data = types.SimpleNamespace(
        batch={"prompts": torch.ones((4, 3), dtype=torch.long), "responses": responses,
               "attention_mask": torch.cat([torch.ones((4, 3), dtype=torch.long), valid], dim=1)},
        non_tensor_batch={"data_source": np.array(["toy"] * 4, dtype=object),
                          "reward_model": np.array([{"ground_truth": g} for g in "4477"], dtype=object),
                          "uid": np.array(["p0", "p0", "p1", "p1"], dtype=object)},
        meta_info={"global_steps": 1, "validate": False},
    )
    manager = RewardWeightingRewardManager(tokenizer=WordTokenizer(), num_examine=4, compute_score=compute_scores,
                                           run=run)
    out = manager(data, return_dict=True)
    print("reward tensor:\n", out["reward_tensor"])
    for key, values in out["reward_extra_info"].items():
        print(f"  {key}: {values}")
    # after verl's _validate(): report the validation means as the checkpoint of this step
    metrics = {"val-core/toy/accuracy/mean@1": 0.5, "val-core/toy/conciseness/mean@1": 0.5,
               "val-core/toy/clarity/mean@1": 0.25}
    result = run.report_checkpoint(0, checkpoint_scores(metrics, ["accuracy", "conciseness", "clarity"]))
    print("checkpoint 0 became the reference point:", result.became_reference_point)


if __name__ == "__main__":
    with LocalServer() as server:
        main(server.address)
