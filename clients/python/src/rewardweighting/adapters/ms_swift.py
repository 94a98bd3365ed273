"""ms-swift GRPO adapter: reward-function plugins (ORMs) scalarised by the service once per batch, and a callback.

Followed: ms-swift at 3602360a (2026-08-22, after v4.4.3; PyPI 4.6.0 has the same plugin interface):

- ``swift/rewards/orm.py``: ``ORM`` (``__init__(self, args=None, **kwargs)``, ``__call__(self, completions,
  **kwargs) -> List[float]``) and the ``orms`` registry a ``--external_plugins plugin.py`` file adds to;
  ``swift/rlhf_trainers/grpo_trainer.py::_prepare_rewards`` instantiates ``orms[name](args=args)`` for each
  ``--reward_funcs`` name and names it after its class (``rewards/<ClassName>/mean`` in the logs).
- ``swift/rl_core/grpo_algorithm.py::compute_rewards_per_func``: each function is called as
  ``f(completions, trainer_state=..., messages=..., prompt_id=..., request_id=..., response_token_ids=...,
  <dataset columns>=...)`` (one list per column, this process's samples), ``None`` → NaN; then
  ``swift/rl_core/advantage.py::compute_advantages`` sums ``rewards_per_func · reward_weights`` (``nansum``) and
  applies ``--scale_rewards`` (``group`` / ``batch`` / ``none`` / ``gdpo``).
- ``swift/trainers/mixin.py::_get_callbacks``: ``--callbacks NAME`` builds ``callbacks_map[NAME](args, trainer)``
  (``swift/callbacks/mapping.py``), a ``transformers.TrainerCallback`` that also holds the trainer.

So, as with TRL, the plugin registers one ORM per objective (named after it, ``--reward_weights`` 0, logged
only) plus ``rewardweighting`` (weight 1), which calls ``Scalarize`` once per batch with step
``trainer_state.global_step + 1`` and returns ``r_pareto · Σ_k w_k r_k``. The callback ``rewardweighting`` tells
evaluation batches (``trainer.model.training`` false) from training ones (``validation=True``), reports
``eval_rewards/<objective>/mean`` after each evaluation as the checkpoint of ``global_step``, logs
``rewardweighting/weight/<objective>`` and ``rewardweighting/r_pareto`` through the trainer's ``_metrics``, and
for the gradient method gives the adapter the model, so the Gram matrix of the per-objective policy-gradient
losses is reported before the step is scalarised (as :mod:`.trl` does). A plugin file::

    from rewardweighting import RewardWeighting
    from rewardweighting.adapters.ms_swift import SwiftRewardWeighting

    run = RewardWeighting("127.0.0.1:50051").create_run("swift-grpo-1", [("accuracy", "max"), ...],
                                                         method="hypervolume", weights=[0.5, 0.25, 0.25])
    SwiftRewardWeighting(run, {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity}).register()

    # swift rlhf --rlhf_type grpo --external_plugins plugin.py \
    #     --reward_funcs accuracy conciseness clarity rewardweighting --reward_weights 0 0 0 1 \
    #     --callbacks rewardweighting --scale_rewards none ...

``--scale_rewards gdpo`` (GDPO) is the service's ``normalization="group"``: the adapter then sends ms-swift's
``prompt_id`` as group ids and warns if the run does not normalise per group. ``group``, ``batch`` and ``gdpo``
all divide by a std and cancel the hypervolume method's ``r_pareto``; the callback warns.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from ..client import Run
from ..types import Scalarized
from ._batch import groups_normalised, reward_columns, warn_if_normalised_away, weight_metrics

__all__ = ["SwiftRewardWeighting"]

RewardFunction = Callable[..., Sequence[Optional[float]]]


def _base(module: str, name: str) -> Any:
    try:
        return getattr(__import__(module, fromlist=[name]), name)
    except Exception:  # ms-swift / transformers absent: plain classes, same calling convention
        return object


class SwiftRewardWeighting:
    """Wraps K ms-swift reward functions (``f(completions, **kwargs) -> list[float]``, or ``ORM`` instances;
    higher is better) so that the service weights them.

    Args:
        run: the service run; its objectives must be these K, in this order.
        objectives: objective name → reward function (called once per batch; its result is shared).
        checkpoint_metrics: objective → the evaluation metric reported as its checkpoint score (default
            ``eval_rewards/<name>/mean``, what ms-swift logs for the ORM named ``<name>``).
        group_by_prompt: send ms-swift's ``prompt_id`` as group ids (for ``normalization="group"`` runs; implied by
            ``--scale_rewards gdpo``).
        method: the run's method, for the ``r_pareto`` warning (read from the service when omitted).
        gradient_layers, clip_norm: for a ``gradient`` run, as :class:`.trl.TRLRewardWeighting`.
        name: the name of the scalarised ORM and of the callback (``--reward_funcs ... name``, ``--callbacks name``).
    """

    def __init__(self, run: Run, objectives: Mapping[str, RewardFunction], *,
                 checkpoint_metrics: Optional[Mapping[str, str]] = None, group_by_prompt: bool = False,
                 method: Optional[str] = None, gradient_layers: Optional[Sequence[int]] = None,
                 clip_norm: Optional[float] = 1.0, name: str = "rewardweighting") -> None:
        self.run = run
        self.names: List[str] = list(objectives)
        self.functions: Dict[str, RewardFunction] = dict(objectives)
        self.checkpoint_metrics = {n: f"eval_rewards/{n}/mean" for n in self.names}
        self.checkpoint_metrics.update(checkpoint_metrics or {})
        info = run.info()
        declared = [o.name for o in info.objectives]
        if declared != self.names:
            raise ValueError(f"objectives: the run {run.run_id!r} has {declared}, the adapter got {self.names}")
        if name in self.names:
            raise ValueError(f"name: {name!r} is also an objective's name")
        self.method = method or info.method
        self.group_normalised = groups_normalised(info)
        self.group_by_prompt = group_by_prompt
        self.gradient_layers = list(gradient_layers) if gradient_layers is not None else None
        self.clip_norm = clip_norm
        self.name = name
        self.trainer: Any = None  # set by the callback
        self.last: Optional[Scalarized] = None
        self.last_gradients: Optional[Any] = None
        self._reported_step: Optional[int] = None
        self._warned_no_trainer = False
        self._cache_key: Any = None
        self._cache: Dict[str, List[Optional[float]]] = {}

    # -- what the plugin registers ------------------------------------------------------------------------

    @property
    def reward_funcs(self) -> List[str]:
        """For ``--reward_funcs``: the objectives, then the scalarised function."""
        return self.names + [self.name]

    @property
    def reward_weights(self) -> List[float]:
        """For ``--reward_weights``: 0 per objective (logged only), 1 for the scalarised one."""
        return [0.0] * len(self.names) + [1.0]

    def orms(self) -> Dict[str, Any]:
        """ORM classes for ``swift.rewards.orms``: one per objective (class named after it, as ms-swift logs by
        class name) and the scalarised one. ms-swift instantiates each with ``args=GRPOConfig``."""
        base = _base("swift.rewards", "ORM")
        adapter = self
        classes: Dict[str, Any] = {}
        for objective in self.names:
            classes[objective] = type(objective, (base,), {"__init__": _orm_init,
                                                           "__call__": self._objective_call(objective)})

        def scalarized_call(self: Any, completions: Any, **kwargs: Any) -> List[float]:
            return adapter.score(completions, **kwargs)

        classes[self.name] = type(self.name, (base,), {"__init__": _orm_init, "__call__": scalarized_call})
        return classes

    def _objective_call(self, objective: str) -> Callable[..., List[Optional[float]]]:
        def __call__(orm: Any, completions: Any, **kwargs: Any) -> List[Optional[float]]:
            return self._scores(objective, completions, kwargs)

        return __call__

    def callback_class(self) -> Any:
        """The ``callbacks_map`` entry: ``cls(args, trainer)``, a ``transformers.TrainerCallback``."""
        adapter = self
        base = _base("transformers", "TrainerCallback")

        def __init__(self: Any, args: Any, trainer: Any) -> None:
            self.args, self.trainer = args, trainer
            adapter.trainer = trainer
            adapter._check_args(args)

        def on_evaluate(self: Any, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> None:
            adapter.report_evaluation(state.global_step, metrics or {})

        return type(f"{self.name}_callback", (base,), {"__init__": __init__, "on_evaluate": on_evaluate})

    def register(self) -> None:
        """Adds :meth:`orms` to ``swift.rewards.orms`` and the callback to ``swift.callbacks.callbacks_map``
        under :attr:`name` (call it from the ``--external_plugins`` file)."""
        from swift.callbacks import callbacks_map  # type: ignore[import-not-found]
        from swift.rewards import orms  # type: ignore[import-not-found]

        orms.update(self.orms())
        callbacks_map[self.name] = self.callback_class()

    # -- per batch -----------------------------------------------------------------------------------------

    def _check_args(self, args: Any) -> None:
        scale = getattr(args, "scale_rewards", None)
        if scale is None:
            return
        if scale == "gdpo":
            self.group_by_prompt = True
            if not self.group_normalised:
                warnings.warn(
                    f"rewardweighting: ms-swift --scale_rewards gdpo normalises each reward function, but ms-swift "
                    f"only sees the scalarised one; the run {self.run.run_id!r} does not normalise its objectives per "
                    "group. Create the run with normalization='group' (prompt_id is sent as group ids).",
                    RuntimeWarning, stacklevel=3)
        warn_if_normalised_away(self.method, scale in ("group", "batch", "gdpo"), f"ms-swift scale_rewards={scale!r}")

    def _scores(self, name: str, completions: Any, kwargs: Dict[str, Any]) -> List[Optional[float]]:
        if completions is not self._cache_key:  # ms-swift passes one completions list to every function
            self._cache_key, self._cache = completions, {}
        if name not in self._cache:
            self._cache[name] = list(self.functions[name](completions, **kwargs))
        return self._cache[name]

    def _validation(self) -> bool:
        model = getattr(self.trainer, "model", None)
        if model is None:
            if not self._warned_no_trainer:
                self._warned_no_trainer = True
                warnings.warn("rewardweighting: no trainer (add --callbacks rewardweighting): every batch is taken "
                              "as a training batch and recorded, evaluation batches included", RuntimeWarning,
                              stacklevel=3)
            return False
        return not getattr(model, "training", True)

    def score(self, completions: Any, **kwargs: Any) -> List[float]:
        """The scalarised ORM's body: the K objectives' rewards for this batch → one ``Scalarize`` call."""
        columns = [self._scores(name, completions, kwargs) for name in self.names]
        rewards = reward_columns(columns, self.names)
        state = kwargs.get("trainer_state")
        step = (state.global_step if state is not None else 0) + 1
        validation = self._validation()
        groups = None
        if self.group_by_prompt:
            prompt_ids = kwargs.get("prompt_id")
            if prompt_ids is None:
                raise KeyError("prompt_id: ms-swift passed no prompt ids for the group ids")
            groups = [str(p) for p in prompt_ids]
        if self.method == "gradient" and not validation and self._reported_step != step:
            self._report_gradients(step, completions, kwargs, rewards)
        result = self.run.scalarize(step, rewards, group_ids=groups, validation=validation)
        self.last = result
        metrics = getattr(self.trainer, "_metrics", None)
        if metrics is not None and not validation:
            for metric, value in weight_metrics(self.names, result).items():
                metrics["train"][metric].append(value)
        return [float(r) for r in result.rewards]

    def _report_gradients(self, step: int, completions: Any, kwargs: Dict[str, Any], rewards: Any) -> None:
        trainer = self.trainer
        if trainer is None:
            raise RuntimeError("rewardweighting: the gradient method needs the trainer's model; add "
                               "--callbacks rewardweighting")
        from ._gradients import policy_gradient_gram

        model = trainer.model
        accelerator = getattr(trainer, "accelerator", None)
        if accelerator is not None:
            model = accelerator.unwrap_model(model)
        tokenizer: Any = getattr(trainer, "processing_class", None) or getattr(trainer, "tokenizer", None)
        tokenizer = getattr(tokenizer, "tokenizer", tokenizer)  # a multimodal processor's text tokenizer
        messages = kwargs.get("messages") or [[{"role": "assistant", "content": c}] for c in completions]
        prompt_ids = [_prompt_ids(tokenizer, conversation[:-1]) for conversation in messages]
        response_ids = kwargs.get("response_token_ids")
        completion_ids = [list(r) if r is not None else tokenizer(str(c), add_special_tokens=False)["input_ids"]
                          for r, c in zip(response_ids or [None] * len(completions), completions)]
        groups = [str(p) for p in (kwargs.get("prompt_id") or [repr(m[:-1]) for m in messages])]
        gram = policy_gradient_gram(model, prompt_ids, completion_ids, rewards, groups,
                                    pad_token_id=getattr(tokenizer, "pad_token_id", None),
                                    gradient_layers=self.gradient_layers, clip_norm=self.clip_norm)
        self.last_gradients = self.run.report_gradients(step, gram)
        self._reported_step = step

    # -- evaluation ------------------------------------------------------------------------------------------

    def report_evaluation(self, step: int, metrics: Mapping[str, float]) -> Optional[Any]:
        """Reports an evaluation's metrics as the checkpoint of ``step``; ``None`` when a metric is missing."""
        try:
            scores = [float(metrics[self.checkpoint_metrics[name]]) for name in self.names]
        except KeyError:
            return None
        return self.run.report_checkpoint(step, scores)


def _orm_init(self: Any, args: Any = None, **kwargs: Any) -> None:
    self.args = args


def _prompt_ids(tokenizer: Any, conversation: Sequence[Mapping[str, Any]]) -> List[int]:
    """The prompt's token ids: the tokenizer's chat template with the generation prompt (ms-swift's own template
    may differ in details; the Gram matrix depends on the completion tokens' log-probabilities given it)."""
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(list(conversation), tokenize=False, add_generation_prompt=True)
    else:
        text = "".join(str(m.get("content", "")) for m in conversation)
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])
