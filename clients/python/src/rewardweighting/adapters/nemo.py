"""NeMo Gym / NeMo-RL adapters: a verifier wrapper for Gym resources servers, and a NeMo-RL advantage estimator.

Followed: NVIDIA-NeMo/Gym at 07d6b0d0 (2026-08-22; PyPI nemo-gym 0.7.0, Python ≥ 3.13) and NVIDIA-NeMo/RL at
7ea279ab (2026-08-22, after v0.1.0).

**Gym.** A resources server answers ``POST /verify`` (``nemo_gym/base_resources_server.py``:
``SimpleResourcesServer.setup_webserver`` routes it to ``async verify(body: BaseVerifyRequest) ->
BaseVerifyResponse``); a multi-reward one returns ``BaseMultiRewardVerifyResponse``: the request's fields, a scalar
``reward`` and ``reward_components: {name: float}``. One call scores one rollout, and the agent
(``responses_api_agents/simple_agent/app.py::run``) copies the dataset row's extra fields into the verify
request. :class:`GymRewardWeighting` turns the components into one row of the run's objectives, calls
``Scalarize`` and answers with ``reward`` = ``r_pareto · Σ_k w_k r_k``. The components move to
``rw_reward_components`` (with ``rw_r_pareto`` and ``rw_weight_<objective>`` as top-level numbers, which Gym's
aggregate metrics profile): NeMo-RL's Gym rollout (``nemo_rl/experience/rollouts.py``, with
``nemo_rl/environments/nemo_gym.py::validate_reward_components_match_scalar``) refuses a result whose ``reward``
is not the sum of its ``reward_components``, and would otherwise hand them to GDPO. Wrap a server class::

    from rewardweighting.adapters.nemo import GymRewardWeighting
    adapter = GymRewardWeighting(run, samples_per_step=num_prompts_per_step * num_generations_per_prompt)
    WeightedServer = adapter.wrap(ToolCallMultiRewardResourcesServer)   # a SimpleResourcesServer subclass

The payload has no step, so the adapter counts rollouts (:class:`.shim.SampleSteps`, shared with the HTTP shim):
step ``first_step + seen // samples_per_step``. A row field ``rw_step`` overrides it and ``rw_validation: true``
(put it in the validation dataset's rows) answers without recording.

**NeMo-RL.** ``nemo_rl/algorithms/grpo.py::_create_advantage_estimator`` picks the estimator by
``grpo.adv_estimator.name`` from a fixed list (grpo, gdpo, opd, reinforce_plus_plus; no registry), and the
training loops call ``compute_advantage(prompt_ids=, rewards=, mask=, repeated_batch=, logprobs_policy=,
logprobs_reference=)`` once per step (``nemo_rl/algorithms/advantage_estimator.py``), with the Gym components as
``repeated_batch["reward/<name>"]``. :class:`RewardWeightingAdvantageEstimator` has that interface: it
scalarises the components (``prompt_ids`` as group ids for ``normalization="group"`` runs) and hands the result
to NeMo-RL's own GRPO estimator as ``rewards``. :func:`install_nemo_rl` wraps the factory so that
``grpo.adv_estimator.name: rewardweighting`` selects it (``AdvEstimatorConfig`` allows extra fields).
"""

from __future__ import annotations

import asyncio
import typing
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

import numpy as np

from ..client import Run
from ..types import Scalarized
from ._batch import groups_normalised, reward_columns, warn_if_normalised_away, weight_metrics
from .shim import SampleSteps

__all__ = ["GymRewardWeighting", "RewardWeightingAdvantageEstimator", "install_nemo_rl", "FLAG_FIELDS"]

#: the request/row fields the Gym wrapper reads for the step and the validation flag
FLAG_FIELDS = ("rw_step", "rw_validation")


def _as_dict(value: Any) -> Dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if hasattr(value, "model_dump"):  # pydantic (Gym's request/response models)
        data = dict(value.model_dump())
        data.update(getattr(value, "model_extra", None) or {})
        return data
    raise TypeError(f"expected a mapping or a pydantic model, got {type(value).__name__}")


class GymRewardWeighting:
    """Scalarises NeMo Gym verify results (one rollout each) with the service.

    Args:
        run: the service run.
        samples_per_step: rollouts per training step (NeMo-RL ``num_prompts_per_step × num_generations_per_prompt``).
        components: objective → ``reward_components`` key (default: the objective's own name).
        first_step: the step of the first rollout.
    """

    def __init__(self, run: Run, samples_per_step: int, *, components: Optional[Mapping[str, str]] = None,
                 first_step: int = 1) -> None:
        self.run = run
        self.names = [o.name for o in run.info().objectives]
        self.components = {name: name for name in self.names}
        unknown = sorted(set(components or {}) - set(self.names))
        if unknown:
            raise ValueError(f"components: {unknown} are not objectives of the run {run.run_id!r} ({self.names})")
        self.components.update(components or {})
        self.steps = SampleSteps(samples_per_step, first_step)
        self.last: Optional[Scalarized] = None

    def scalarize_result(self, result: Any, request: Any = None) -> Dict[str, Any]:
        """A verify response (dict or pydantic model) → the same with the scalarised ``reward``; ``request``
        (default: the response, which carries the request's fields) is where ``rw_step``/``rw_validation`` are."""
        data = _as_dict(result)
        flags = _as_dict(request) if request is not None else data
        components = data.get("reward_components")
        if not isinstance(components, Mapping):
            raise ValueError("reward_components: the verifier returned none (a multi-reward Gym verifier returns "
                             "BaseMultiRewardVerifyResponse)")
        missing = [key for key in self.components.values() if key not in components]
        if missing:
            raise KeyError(f"reward_components: no {missing} (it has {sorted(components)})")
        rewards = reward_columns([[components[self.components[name]]] for name in self.names], self.names)
        validation = bool(flags.get("rw_validation", False))
        explicit = flags.get("rw_step")
        step = self.steps.step_for(1, int(explicit) if explicit is not None else None, validation)
        out = self.run.scalarize(step, rewards, validation=validation)
        self.last = out
        data.pop("reward_components")
        data["reward"] = float(out.rewards[0])
        data["rw_reward_components"] = {str(k): float(v) for k, v in components.items()}
        data["rw_r_pareto"] = float(out.r_pareto)
        for k, name in enumerate(self.names):
            data[f"rw_weight_{name}"] = float(out.weights[k])
        data["rw_step"] = step
        return data

    def wrap(self, server_class: Any) -> Any:
        """A subclass of a Gym resources server class whose ``/verify`` answers with the scalarised reward. The
        request model stays the wrapped ``verify``'s (so its extra fields, e.g. ``expected_call``, still parse);
        the answer is a plain dict (the response model would demand ``reward_components``)."""
        adapter = self
        inner = server_class.verify
        hints = typing.get_type_hints(inner)
        request_type = hints.get("body", Any)

        async def verify(self: Any, body: Any) -> Dict[str, Any]:
            response = await inner(self, body)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, adapter.scalarize_result, response, body)

        verify.__annotations__ = {"body": request_type, "return": Dict[str, Any]}
        verify.__doc__ = f"{server_class.__name__}.verify, scalarised by the RewardWeighting run {self.run.run_id!r}"
        return type(f"RewardWeighted{server_class.__name__}", (server_class,), {"verify": verify})


class RewardWeightingAdvantageEstimator:
    """A NeMo-RL advantage estimator: the ``reward/<name>`` components → ``Scalarize`` → NeMo-RL's GRPO estimator.

    Args:
        run: the service run; each objective reads ``repeated_batch["reward/<component>"]``.
        inner: the estimator given the scalarised rewards (default: NeMo-RL's ``GRPOAdvantageEstimator`` built
            from ``estimator_config`` and ``loss_config``).
        components: objective → component name (default: the objective's name).
        first_step: the step of the first call (NeMo-RL calls the estimator once per training step; after a
            resume, pass the resumed step + 1).
    """

    def __init__(self, run: Run, *, inner: Any = None, estimator_config: Any = None, loss_config: Any = None,
                 components: Optional[Mapping[str, str]] = None, first_step: int = 1) -> None:
        self.run = run
        info = run.info()
        self.names = [o.name for o in info.objectives]
        self.components = {name: name for name in self.names}
        self.components.update(components or {})
        self.group_normalised = groups_normalised(info)
        if inner is None:
            from nemo_rl.algorithms.advantage_estimator import (  # type: ignore[import-not-found]
                GRPOAdvantageEstimator,
            )

            inner = GRPOAdvantageEstimator(estimator_config, loss_config)
        self.inner = inner
        warn_if_normalised_away(info.method, bool(getattr(inner, "normalize_rewards", False)),
                                "NeMo-RL's GRPO estimator with normalize_rewards=true")
        self.step = first_step
        self.last: Optional[Scalarized] = None
        self.last_metrics: Dict[str, float] = {}

    def compute_advantage(self, prompt_ids: Any, rewards: Any, mask: Any, repeated_batch: Any = None,
                          **kwargs: Any) -> Any:
        if repeated_batch is None:
            raise ValueError("repeated_batch: needed for the reward/<name> component columns")
        columns: List[Sequence[float]] = []
        for name in self.names:
            key = f"reward/{self.components[name]}"
            if key not in repeated_batch:
                keys = sorted(k for k in repeated_batch.keys() if str(k).startswith("reward/"))
                raise KeyError(f"repeated_batch: no {key!r} (the batch has {keys}; the Gym verifier must return "
                               "reward_components)")
            columns.append(_to_list(repeated_batch[key]))
        matrix = reward_columns(columns, self.names)
        groups = [int(g) if isinstance(g, (int, np.integer)) else repr(g) for g in _to_list(prompt_ids, rows=True)] \
            if self.group_normalised else None
        result = self.run.scalarize(self.step, matrix, group_ids=groups)
        self.last = result
        self.last_metrics = weight_metrics(self.names, result)
        self.step += 1
        scalarized = _like(result.rewards, rewards)
        return self.inner.compute_advantage(prompt_ids=prompt_ids, rewards=scalarized, mask=mask,
                                            repeated_batch=repeated_batch, **kwargs)


def _to_list(values: Any, rows: bool = False) -> List[Any]:
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu()
        if rows and values.dim() > 1:  # prompt ids as rows of token ids: one hashable key per row
            return [tuple(row.tolist()) for row in values]
        return list(values.tolist())
    array = np.asarray(values)
    if rows and array.ndim > 1:
        return [tuple(row.tolist()) for row in array]
    return list(array.tolist())


def _like(values: np.ndarray, template: Any) -> Any:
    """``values`` as the same kind of array as ``template`` (a torch tensor on its device and dtype, or NumPy)."""
    if hasattr(template, "detach"):
        import torch

        return torch.as_tensor(values, dtype=template.dtype, device=template.device)
    dtype = getattr(template, "dtype", np.float64)
    return np.asarray(values, dtype=dtype)


def install_nemo_rl(make_estimator: Callable[[Any, Any], Any], name: str = "rewardweighting") -> Callable[..., Any]:
    """Makes ``grpo.adv_estimator.name: <name>`` select ``make_estimator(estimator_config, loss_config)`` (e.g.
    ``lambda c, l: RewardWeightingAdvantageEstimator(run, estimator_config=c, loss_config=l)``) by wrapping
    ``nemo_rl.algorithms.grpo._create_advantage_estimator``, NeMo-RL's only place that picks an estimator.
    Returns the original factory."""
    import nemo_rl.algorithms.grpo as grpo  # type: ignore[import-not-found]

    original = grpo._create_advantage_estimator

    def _create_advantage_estimator(master_config: Any) -> Any:
        config = master_config.grpo.adv_estimator
        if getattr(config, "name", None) == name:
            return make_estimator(config, master_config.loss_fn)
        return original(master_config)

    grpo._create_advantage_estimator = _create_advantage_estimator
    return typing.cast(Callable[..., Any], original)

