"""verl adapter: a batch reward manager that scalarises every training batch with one ``Scalarize`` call.

verl's legacy batch path calls a reward manager as ``manager(data: DataProto, return_dict=True)``; the manager
decodes the responses, scores them and returns a ``[batch, response_length]`` reward tensor with each score
on the response's last valid token, plus ``reward_extra_info`` (lists, one value per sample) that verl logs and
dumps. This manager asks the user's batch ``compute_score`` (verl's ``batch`` manager signature:
``compute_score(data_sources=, solution_strs=, ground_truths=, extra_infos=, **reward_kwargs)``) for a dict
of per-objective scores per sample, sends the N×K matrix to the service, and places the service's scalarised
rewards. Every objective's raw score, the weights and ``r_pareto`` go into ``reward_extra_info``.

Configure it with verl's importlib loader::

    reward_model.reward_manager=rewardweighting                  # if this module was imported (registered)
    # or
    reward_manager.source=importlib reward_manager.module.path=.../rewardweighting/adapters/verl.py \
    reward_manager.name=RewardWeightingRewardManager
    custom_reward_function.path=my_scores.py custom_reward_function.name=compute_scores
    +reward_model.reward_kwargs.rw_target=127.0.0.1:50051 +reward_model.reward_kwargs.rw_run_id=qwen-math-1

The step is ``data.meta_info["global_steps"]`` and validation batches (``meta_info["validate"]``) are
scalarised with ``validation=True`` (nothing recorded). With a ``normalization="group"`` run, verl's
``uid`` column (one per prompt, shared by its ``n`` rollouts) is the group id.

``r_pareto`` on the advantages (``+reward_model.reward_kwargs.rw_r_pareto_on=advantages`` or
``RW_R_PARETO_ON=advantages``): the placed score is ``w·r`` without ``r_pareto``, ``rw_r_pareto`` still goes into
``reward_extra_info`` with ``rw_advantage_scale`` (the same values; verl copies both into
``batch.non_tensor_batch``), and :func:`scale_advantages` multiplies each row of ``batch.batch["advantages"]`` by
it after ``compute_advantage`` has normalised them (GRPO divides by
the group std, which would cancel a factor on the rewards). :func:`install_advantage_scaling` wraps
``verl.trainer.ppo.ray_trainer.compute_advantage`` (the module function ``RayPPOTrainer.fit`` calls) to do so;
call it once in the driver before ``fit()``::

    from rewardweighting.adapters.verl import install_advantage_scaling
    install_advantage_scaling()
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import numpy as np

from ..client import RewardWeighting, Run
from ..types import Scalarized
from ._batch import check_r_pareto_on, placed_rewards, reward_columns
from ._batch import scale_advantages as _scale

__all__ = ["RewardWeightingRewardManager", "VerlBatchScorer", "checkpoint_scores", "scale_advantages",
           "install_advantage_scaling"]


class VerlBatchScorer:
    """The tensor-free part of the manager: per-objective score dicts → ``Scalarize`` → extra info.

    ``r_pareto_on="advantages"`` leaves ``r_pareto`` out of ``score`` (``w·r``), for :func:`scale_advantages`."""

    def __init__(self, run: Run, objectives: Sequence[str], group_by_uid: bool = False,
                 r_pareto_on: str = "rewards") -> None:
        self.run = run
        self.r_pareto_on = check_r_pareto_on(r_pareto_on)
        self.objectives = list(objectives)
        self.group_by_uid = group_by_uid
        self.last: Optional[Scalarized] = None

    def score(self, scores: Sequence[Mapping[str, float]], step: int, validate: bool,
              uids: Optional[Sequence[Any]] = None) -> Dict[str, List[Any]]:
        """Scalarises one batch. Returns ``reward_extra_info``: ``score`` (the scalarised reward), each
        objective's raw score, ``rw_weight/<objective>`` and ``rw_r_pareto`` (one value per sample)."""
        missing = [k for k in self.objectives if scores and k not in scores[0]]
        if missing:
            raise KeyError(f"compute_score: the score dicts have no {missing} (they have {sorted(scores[0])})")
        columns = [[s.get(k) for s in scores] for k in self.objectives]
        rewards = reward_columns(columns, self.objectives)
        groups = list(uids) if self.group_by_uid and uids is not None else None
        result = self.run.scalarize(int(step), rewards, group_ids=groups, validation=bool(validate))
        self.last = result
        n = len(scores)
        info: Dict[str, List[Any]] = {"score": [float(r) for r in placed_rewards(result, self.r_pareto_on)]}
        for k, name in enumerate(self.objectives):
            info[name] = rewards[:, k].tolist()
            info[f"rw_weight/{name}"] = [float(result.weights[k])] * n
        info["rw_r_pareto"] = [float(result.r_pareto)] * n
        if self.r_pareto_on == "advantages":  # what scale_advantages applies; absent when the scores carry r_pareto
            info["rw_advantage_scale"] = [float(result.r_pareto)] * n
        return info


class RewardWeightingRewardManager:
    """A verl reward manager (``AbstractRewardManager`` interface) backed by the service.

    Args (verl passes the first four; the ``rw_*`` ones come from ``reward_model.reward_kwargs`` or the
    environment variables ``RW_TARGET``, ``RW_RUN_ID``, ``RW_TOKEN``, ``RW_TENANT``, ``RW_OBJECTIVES``
    (comma-separated)):
        tokenizer: decodes the responses.
        num_examine: how many decoded samples to print per batch (verl's convention).
        compute_score: the batch scoring function returning one dict of per-objective scores per sample.
        reward_fn_key: the non-tensor column naming the data source (verl default ``data_source``).
        rw_target / rw_run_id / rw_token: the service and run (the run must exist: create it before training).
        rw_tenant: the tenant to act in (``rw-tenant``; only for an admin token acting outside its own tenant).
        rw_objectives: the objective names, in the run's order (default: the run's own).
        rw_group_by_uid: send verl's ``uid`` as group ids (for ``normalization="group"`` runs).
        rw_r_pareto_on: ``"rewards"`` (default) or ``"advantages"`` (env ``RW_R_PARETO_ON``; then call
            :func:`install_advantage_scaling` in the driver).
        run: an existing :class:`rewardweighting.Run` instead of ``rw_target``/``rw_run_id`` (tests, notebooks).
    """

    def __init__(self, tokenizer: Any, num_examine: int = 0, compute_score: Optional[Callable[..., Any]] = None,
                 reward_fn_key: str = "data_source", *, rw_target: Optional[str] = None,
                 rw_run_id: Optional[str] = None, rw_token: Optional[str] = None,
                 rw_tenant: Optional[str] = None,
                 rw_objectives: Optional[Sequence[str]] = None, rw_group_by_uid: bool = False,
                 rw_r_pareto_on: Optional[str] = None, run: Optional[Run] = None, **reward_kwargs: Any) -> None:
        if compute_score is None:
            raise ValueError("compute_score: the manager needs custom_reward_function returning per-objective dicts")
        self.tokenizer = tokenizer
        self.num_examine = num_examine
        self.compute_score = compute_score
        self.reward_fn_key = reward_fn_key
        self.reward_kwargs = reward_kwargs
        if run is None:
            target = rw_target or os.environ.get("RW_TARGET", "127.0.0.1:50051")
            run_id = rw_run_id or os.environ.get("RW_RUN_ID")
            if not run_id:
                raise ValueError("rw_run_id: set reward_model.reward_kwargs.rw_run_id or RW_RUN_ID")
            run = RewardWeighting(target, token=rw_token or os.environ.get("RW_TOKEN"),
                                  tenant=rw_tenant or os.environ.get("RW_TENANT")).run(run_id)
        if rw_objectives is None and os.environ.get("RW_OBJECTIVES"):
            rw_objectives = os.environ["RW_OBJECTIVES"].split(",")
        objectives = list(rw_objectives) if rw_objectives else [o.name for o in run.info().objectives]
        r_pareto_on = rw_r_pareto_on or os.environ.get("RW_R_PARETO_ON") or "rewards"
        self.scorer = VerlBatchScorer(run, objectives, group_by_uid=rw_group_by_uid, r_pareto_on=r_pareto_on)

    def __call__(self, data: Any, return_dict: bool = False) -> Any:
        import torch

        if "rm_scores" in data.batch.keys():  # a reward model already scored the batch (verl's convention)
            scores = data.batch["rm_scores"]
            return {"reward_tensor": scores, "reward_extra_info": {}} if return_dict else scores

        prompt_length = data.batch["prompts"].shape[-1]
        responses = data.batch["responses"]
        valid_lengths = data.batch["attention_mask"][:, prompt_length:].sum(dim=-1)
        texts = [self.tokenizer.decode(responses[i][: int(valid_lengths[i])], skip_special_tokens=True)
                 for i in range(len(responses))]
        n = len(texts)
        non_tensor = data.non_tensor_batch
        ground_truths = [item["ground_truth"] for item in non_tensor["reward_model"]]
        data_sources = non_tensor.get(self.reward_fn_key, np.array(["unknown"] * n, dtype=object))
        extra_infos = non_tensor.get("extra_info", np.array([None] * n, dtype=object))
        scores = self.compute_score(data_sources=list(data_sources), solution_strs=texts,
                                    ground_truths=ground_truths, extra_infos=list(extra_infos),
                                    **self.reward_kwargs)
        meta = data.meta_info
        info = self.scorer.score(list(scores), step=int(meta.get("global_steps", 0)),
                                 validate=bool(meta.get("validate", False)), uids=non_tensor.get("uid"))

        reward_tensor = torch.zeros_like(responses, dtype=torch.float32)
        for i in range(n):
            length = int(valid_lengths[i])
            if length > 0:
                reward_tensor[i, length - 1] = info["score"][i]
        for i in range(min(self.num_examine, n)):
            print(f"[rewardweighting] {texts[i]!r} → {info['score'][i]:.4f}")
        if return_dict:
            return {"reward_tensor": reward_tensor, "reward_extra_info": info}
        return reward_tensor


def scale_advantages(data: Any) -> Any:
    """Multiplies each row of ``data.batch["advantages"]`` (B×T, already normalised by ``compute_advantage``) by
    that sample's ``data.non_tensor_batch["rw_advantage_scale"]`` (its ``r_pareto``, which the manager writes only
    with ``rw_r_pareto_on=advantages``), in place, and returns ``data``. A batch without it (scores that already
    carry ``r_pareto``, or another reward manager) is left as it is, so the hook is safe to install always."""
    factors = data.non_tensor_batch.get("rw_advantage_scale") if hasattr(data.non_tensor_batch, "get") else None
    if factors is None or "advantages" not in data.batch.keys():
        return data
    data.batch["advantages"] = _scale(data.batch["advantages"], factors)
    return data


def install_advantage_scaling() -> None:
    """Wraps ``verl.trainer.ppo.ray_trainer.compute_advantage`` so that every batch ``RayPPOTrainer.fit``
    computes advantages for goes through :func:`scale_advantages` afterwards. Idempotent; raises ``ImportError``
    when verl is not importable."""
    from verl.trainer.ppo import ray_trainer  # type: ignore[import-not-found]

    original = ray_trainer.compute_advantage
    if getattr(original, "_rewardweighting_scaled", False):
        return

    def compute_advantage(data: Any, *args: Any, **kwargs: Any) -> Any:
        return scale_advantages(original(data, *args, **kwargs))

    compute_advantage._rewardweighting_scaled = True  # type: ignore[attr-defined]
    ray_trainer.compute_advantage = compute_advantage


_VAL_KEY = re.compile(r"^val-(?:core|aux)/(?P<source>.+)/(?P<name>[^/]+)/mean@(?P<n>\d+)$")


def checkpoint_scores(metrics: Mapping[str, float], objectives: Sequence[str],
                      data_source: Optional[str] = None) -> Optional[List[float]]:
    """The K checkpoint scores in verl's validation metrics (``val-core/<source>/<objective>/mean@N``, the
    largest N; name ``data_source`` when validating on several), for ``run.report_checkpoint(global_steps, scores)`` after ``_validate()``; ``None`` if one is
    missing. Call it from a ``RayPPOTrainer`` subclass::

        def _validate(self):
            metrics = super()._validate()
            scores = checkpoint_scores(metrics, ["accuracy", "response_length", "clarity"])
            if scores is not None:
                self.rw_run.report_checkpoint(self.global_steps, scores)
            return metrics
    """
    best: Dict[str, tuple] = {}
    sources = set()
    for key, value in metrics.items():
        match = _VAL_KEY.match(key)
        if not match or (data_source is not None and match["source"] != data_source):
            continue
        sources.add(match["source"])
        name, n = match["name"], int(match["n"])
        if name in objectives and (name not in best or n > best[name][0]):
            best[name] = (n, float(value))
    if len(sources) > 1:
        raise ValueError(f"data_source: the metrics cover {sorted(sources)}; name the one to report")
    if any(name not in best for name in objectives):
        return None
    return [best[name][1] for name in objectives]


try:  # register under the name "rewardweighting" when verl is importable
    from verl.workers.reward_manager import register as _register  # type: ignore[import-not-found]

    _register("rewardweighting")(RewardWeightingRewardManager)  # records the class in verl's registry
except Exception:  # verl absent or a version without the registry
    pass
