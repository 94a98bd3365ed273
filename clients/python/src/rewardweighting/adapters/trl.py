"""TRL ``GRPOTrainer`` adapter: per-objective reward functions, scalarised by the service once per batch.

TRL sums its ``reward_funcs`` with the static ``reward_weights`` (TRL issue 3036 asks for dynamic ones). This
adapter keeps one reward function per objective, with weight 0.0 so TRL still logs each one as
``rewards/<objective>/mean``, and adds a last function, ``rewardweighting``, with weight 1.0, which calls
``Scalarize`` once for the batch and returns ``r_pareto · Σ_k w_k r_k``::

    from rewardweighting import RewardWeighting
    from rewardweighting.adapters.trl import TRLRewardWeighting

    run = RewardWeighting("127.0.0.1:50051").create_run("grpo-1", [("accuracy", "max"), ...], method="hypervolume")
    adapter = TRLRewardWeighting(run, {"accuracy": accuracy_fn, "conciseness": concise_fn, "clarity": clarity_fn})
    trainer = GRPOTrainer(model=..., reward_funcs=adapter.reward_funcs,
                          args=GRPOConfig(..., reward_weights=adapter.reward_weights, scale_rewards="none"),
                          callbacks=[adapter.callback()], ...)

Multi-reward aggregation (TRL ``GRPOConfig.multi_objective_aggregation``, ``trl/trainer/grpo_trainer.py``
``_generate_and_score_completions`` at TRL v1.9.0, f2cd5771; unchanged in 1.16): TRL sees one weighted column,
``rewardweighting``. Under ``"sum_then_normalize"`` (the default) it centres that column within each prompt's
group and divides by the ``scale_rewards`` std. Under ``"normalize_then_sum"`` (GDPO) it standardises it within
each group (ε = 1e-4), sums with weight 1.0 and standardises across the batch; the per-objective normalisation
GDPO asks for is then the service's: the adapter sends the prompts as group ids and the run must have
``normalization="group"`` (each objective standardised within its group, then weighted; it warns otherwise).
Either way a setting that divides by a std cancels the hypervolume method's ``r_pareto`` (one factor per
step), and the callback warns: ``scale_rewards="group"|"batch"`` with ``sum_then_normalize``, and
``normalize_then_sum`` always.

``r_pareto`` on the advantages: with ``r_pareto_on="advantages"`` the ``rewardweighting`` column is ``w·r`` (no
``r_pareto``), and :meth:`TRLRewardWeighting.attach` wraps the trainer's ``_generate_and_score_completions`` so
that the ``advantages`` it returns (after TRL's group or batch normalisation) are multiplied by the ``r_pareto`` of
the batch just scalarised. Under GRPO's std scaling the update then grows and shrinks with ``r_pareto``, as the
paper intends, instead of not moving at all::

    adapter = TRLRewardWeighting(run, objectives, r_pareto_on="advantages")
    trainer = adapter.attach(GRPOTrainer(..., reward_funcs=adapter.reward_funcs, callbacks=[adapter.callback()]))

A positive factor on the advantages scales the clipped surrogate ``min(ρ·A, clip(ρ)·A)`` by the same factor, so
it acts like ``r_pareto`` times the policy-gradient learning rate, leaving the KL term alone.

Steps: TRL's ``trainer_state.global_step`` counts finished optimiser steps, so the batch being trained is step
``global_step + 1`` (1-based, like verl's ``global_steps``); the gradient method reports step ``t ≥ 1``.
Evaluation batches are scalarised with ``validation=True`` (nothing recorded). The callback reports each
evaluation's per-objective means (``eval_rewards/<objective>/mean`` by default) as a checkpoint at
``global_step`` (so ``trainer.evaluate()`` before ``train()`` gives the paper's reference point at step 0).
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from ..client import Run
from ._batch import (check_r_pareto_on, groups_normalised, placed_rewards, reward_columns, scale_advantages,
                     scalarize_batch, warn_if_normalised_away, weight_metrics)

__all__ = ["TRLRewardWeighting"]

RewardFunction = Callable[..., Sequence[Optional[float]]]


class TRLRewardWeighting:
    """Wraps K TRL reward functions (``f(prompts, completions, **kwargs) -> list[float]``, higher is better) so
    that the service weights them.

    Args:
        run: the service run; its objectives must be these K, in this order.
        objectives: objective name → reward function.
        checkpoint_metrics: objective name → the evaluation metric reported as its checkpoint score (default
            ``eval_rewards/<name>/mean``); e.g. ``{"length": "eval_completions/mean_length"}`` for a minimised
            raw length, as the paper's validation does.
        group_by_prompt: pass the prompts as group ids (GRPO groups), for runs with ``normalization="group"``.
        method: the run's method, for the ``r_pareto`` warning (read from the service when omitted).
        gradient_layers: for a ``gradient`` run, the decoder layers whose parameters enter the Gram matrix
            (the reference uses 10–25); ``None`` takes every trainable parameter. Ignored for other methods.
        clip_norm: each per-objective gradient is clipped to this global norm first, as the reference does.
        multi_objective_aggregation: TRL's setting (``"sum_then_normalize"`` or ``"normalize_then_sum"``); read
            from ``GRPOConfig`` by the callback when omitted. ``"normalize_then_sum"`` sends the prompts as group
            ids (GDPO's per-objective normalisation is the run's ``normalization="group"``).
        r_pareto_on: ``"rewards"`` (the paper's, the default: the scalarised column is ``r_pareto·(w·r)``) or
            ``"advantages"`` (the column is ``w·r`` and :meth:`attach` multiplies TRL's advantages by
            ``r_pareto`` after normalisation).
    """

    AGGREGATIONS = ("sum_then_normalize", "normalize_then_sum")

    def __init__(self, run: Run, objectives: Mapping[str, RewardFunction], *,
                 checkpoint_metrics: Optional[Mapping[str, str]] = None, group_by_prompt: bool = False,
                 method: Optional[str] = None, gradient_layers: Optional[Sequence[int]] = None,
                 clip_norm: Optional[float] = 1.0, multi_objective_aggregation: Optional[str] = None,
                 r_pareto_on: str = "rewards") -> None:
        self.run = run
        self.r_pareto_on = check_r_pareto_on(r_pareto_on)
        self._attached = False
        self._batch_r_pareto: Optional[float] = None  # r_pareto of the batch the trainer is scoring
        self.names: List[str] = list(objectives)
        self.functions: Dict[str, RewardFunction] = dict(objectives)
        self.checkpoint_metrics = {name: f"eval_rewards/{name}/mean" for name in self.names}
        self.checkpoint_metrics.update(checkpoint_metrics or {})
        self.group_by_prompt = group_by_prompt
        info = run.info()
        declared = [o.name for o in info.objectives]
        if declared != self.names:
            raise ValueError(f"objectives: the run {run.run_id!r} has {declared}, the adapter got {self.names}")
        self.method = method or info.method
        self.group_normalised = groups_normalised(info)
        self.multi_objective_aggregation: Optional[str] = None
        if multi_objective_aggregation is not None:
            self.set_aggregation(multi_objective_aggregation)
        self.last: Optional[Any] = None  # the last Scalarized answer
        self.last_gradients: Optional[Any] = None  # the last GradientsResult (gradient runs)
        self.gradient_layers = list(gradient_layers) if gradient_layers is not None else None
        self.clip_norm = clip_norm
        self._model: Any = None
        self._tokenizer: Any = None
        self._reported_step: Optional[int] = None
        self._cache_key: Any = None
        self._cache: Dict[str, List[Optional[float]]] = {}

    @property
    def _gdpo(self) -> bool:
        return self.multi_objective_aggregation == "normalize_then_sum"

    def set_aggregation(self, aggregation: str) -> None:
        """Follows TRL's ``multi_objective_aggregation``; warns when GDPO's per-objective normalisation would be
        missing (a ``normalize_then_sum`` trainer with a run that does not normalise per group)."""
        if aggregation not in self.AGGREGATIONS:
            raise ValueError(f"multi_objective_aggregation: {aggregation!r} is not one of {list(self.AGGREGATIONS)}")
        self.multi_objective_aggregation = aggregation
        if aggregation == "normalize_then_sum" and not self.group_normalised:
            warnings.warn(
                f"rewardweighting: TRL multi_objective_aggregation='normalize_then_sum' (GDPO) normalises each reward "
                f"function, but TRL only sees the scalarised one; the run {self.run.run_id!r} does not normalise its "
                "objectives per group, so no objective is normalised separately. Create the run with "
                "normalization='group' (the adapter sends the prompts as group ids) for GDPO's behaviour.",
                RuntimeWarning, stacklevel=2)

    def check_trainer_settings(self, args: Any) -> None:
        """Reads ``multi_objective_aggregation`` and ``scale_rewards`` from a ``GRPOConfig`` and warns when they
        cancel ``r_pareto`` (hypervolume runs)."""
        aggregation = getattr(args, "multi_objective_aggregation", None) or "sum_then_normalize"
        if self.multi_objective_aggregation != aggregation:
            self.set_aggregation(aggregation)
        scale = getattr(args, "scale_rewards", "none")
        if aggregation == "normalize_then_sum":
            warn_if_normalised_away(self.method, True,
                                    "TRL multi_objective_aggregation='normalize_then_sum' (it standardises every "
                                    "reward function within its group, then the sum across the batch)",
                                    self.r_pareto_on)
        else:
            warn_if_normalised_away(self.method, scale not in ("none", False, None), f"TRL scale_rewards={scale!r}",
                                    self.r_pareto_on)
        if self.r_pareto_on == "advantages" and not self._attached and self.method == "hypervolume":
            raise RuntimeError(
                "rewardweighting: r_pareto_on='advantages' needs adapter.attach(trainer) before training; without it "
                "the rewards carry no r_pareto and the advantages are not scaled either")

    # -- reward functions -------------------------------------------------------------------------------------

    @property
    def reward_funcs(self) -> List[RewardFunction]:
        """For ``GRPOTrainer(reward_funcs=...)``: one function per objective, then ``rewardweighting``."""
        return [self._objective_function(name) for name in self.names] + [self._scalarized_function()]

    @property
    def reward_weights(self) -> List[float]:
        """For ``GRPOConfig(reward_weights=...)``: 0.0 per objective (logged only), 1.0 for the scalarised one."""
        return [0.0] * len(self.names) + [1.0]

    def _scores(self, name: str, prompts: Any, completions: Any, kwargs: Dict[str, Any]) -> List[Optional[float]]:
        # The batch is identified by its completions list itself, kept referenced: an ``id()`` alone can be reused
        # by the next batch's list once TRL frees this one, which would serve it this batch's scores.
        if completions is not self._cache_key:
            self._cache_key, self._cache = completions, {}
        if name not in self._cache:
            self._cache[name] = list(self.functions[name](prompts=prompts, completions=completions, **kwargs))
        return self._cache[name]

    def _objective_function(self, name: str) -> RewardFunction:
        def objective(prompts: Any, completions: Any, **kwargs: Any) -> List[Optional[float]]:
            return self._scores(name, prompts, completions, kwargs)

        objective.__name__ = name  # TRL logs rewards/<__name__>/mean
        return objective

    def _scalarized_function(self) -> RewardFunction:
        def rewardweighting(prompts: Any, completions: Any, **kwargs: Any) -> List[float]:
            columns = [self._scores(name, prompts, completions, kwargs) for name in self.names]
            rewards = reward_columns(columns, self.names)
            state = kwargs.get("trainer_state")
            step = (state.global_step if state is not None else 0) + 1
            validation = self._model is not None and not getattr(self._model, "training", True)
            groups = [repr(p) for p in prompts] if self.group_by_prompt or self._gdpo else None
            if self.method == "gradient" and not validation and self._reported_step != step:
                self._report_gradients(step, prompts, kwargs.get("completion_ids"), rewards)
            result = scalarize_batch(self.run, step, rewards, groups, validation)
            self.last = result
            self._batch_r_pareto = float(result.r_pareto)
            log_metric = kwargs.get("log_metric")
            if log_metric is not None and not validation:
                for metric, value in weight_metrics(self.names, result).items():
                    log_metric(metric, value)
            return [float(r) for r in placed_rewards(result, self.r_pareto_on)]

        return rewardweighting

    # -- r_pareto on the advantages -----------------------------------------------------------------------------

    def attach(self, trainer: Any) -> Any:
        """Wraps ``trainer._generate_and_score_completions`` (TRL ``GRPOTrainer``; it scores a generation batch
        and returns its normalised ``advantages``) so that, with ``r_pareto_on="advantages"``, those advantages are
        multiplied by the ``r_pareto`` Scalarize gave this batch. Returns ``trainer``. With ``"rewards"`` it changes
        nothing (``r_pareto`` is already in the rewards)."""
        if self.r_pareto_on != "advantages" or getattr(trainer, "_rewardweighting_attached", False):
            return trainer
        original = trainer._generate_and_score_completions
        adapter = self

        def generate_and_score_completions(*args: Any, **kwargs: Any) -> Any:
            adapter._batch_r_pareto = None
            output = original(*args, **kwargs)
            factor = adapter._batch_r_pareto
            if factor is not None and isinstance(output, dict) and "advantages" in output:
                output["advantages"] = scale_advantages(output["advantages"], factor)
            return output

        trainer._generate_and_score_completions = generate_and_score_completions
        trainer._rewardweighting_attached = True
        self._attached = True
        return trainer

    # -- the gradient method ------------------------------------------------------------------------------------

    def _report_gradients(self, step: int, prompts: Any, completion_ids: Any, rewards: Any) -> None:
        """Algorithm 2 inside TRL: before this step's rewards are scalarised, one backward pass per objective of
        the policy-gradient loss with that objective's GRPO advantages (rewards standardised within each
        prompt's group), on the batch just generated, at the current parameters; their Gram matrix goes to
        ``ReportGradients`` and the new weights scalarise this very step. With several generation batches per
        optimiser step, the first one's gradients stand for the step."""
        if self._model is None or self._tokenizer is None or completion_ids is None:
            raise RuntimeError(
                "rewardweighting: the gradient method needs the trainer's model and tokenizer; pass "
                "callbacks=[adapter.callback()] to GRPOTrainer")
        from ._gradients import policy_gradient_gram

        tokenizer = self._tokenizer
        texts = [p if isinstance(p, str) else tokenizer.apply_chat_template(p, tokenize=False) for p in prompts]
        prompt_ids = [list(tokenizer(text, add_special_tokens=False)["input_ids"]) for text in texts]
        gram = policy_gradient_gram(self._model, prompt_ids, [list(c) for c in completion_ids], rewards,
                                    [repr(p) for p in prompts], pad_token_id=tokenizer.pad_token_id,
                                    gradient_layers=self.gradient_layers, clip_norm=self.clip_norm)
        self.last_gradients = self.run.report_gradients(step, gram)
        self._reported_step = step

    # -- callback ---------------------------------------------------------------------------------------------

    def callback(self) -> Any:
        """A ``transformers.TrainerCallback`` that reports evaluations as checkpoints and tells evaluation
        batches from training ones."""
        from transformers import TrainerCallback

        adapter = self

        class RewardWeightingCallback(TrainerCallback):
            def on_init_end(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
                adapter._model = model  # model.training is False while the trainer evaluates
                adapter._tokenizer = kwargs.get("processing_class") or kwargs.get("tokenizer")
                if args is not None:
                    aggregation = getattr(args, "multi_objective_aggregation", None) or "sum_then_normalize"
                    if adapter.multi_objective_aggregation != aggregation:
                        adapter.set_aggregation(aggregation)

            def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
                adapter._model = model
                adapter._tokenizer = kwargs.get("processing_class") or kwargs.get("tokenizer") or adapter._tokenizer
                adapter.check_trainer_settings(args)

            def on_evaluate(self, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> None:
                adapter.report_evaluation(state.global_step, metrics or {})

        return RewardWeightingCallback()

    def report_evaluation(self, step: int, metrics: Mapping[str, float]) -> Optional[Any]:
        """Reports an evaluation's metrics as the checkpoint of ``step``; ``None`` when a metric is missing."""
        try:
            scores = [float(metrics[self.checkpoint_metrics[name]]) for name in self.names]
        except KeyError:
            return None
        return self.run.report_checkpoint(step, scores)
