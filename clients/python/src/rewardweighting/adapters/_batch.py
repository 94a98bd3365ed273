"""What every adapter does with one batch: K per-objective reward columns → one ``Scalarize`` call."""

from __future__ import annotations

import math
import warnings
from typing import Any, Dict, Iterable, Optional, Sequence

import numpy as np

from ..client import Run
from ..types import Scalarized


def reward_columns(columns: Sequence[Sequence[Optional[float]]], names: Sequence[str]) -> np.ndarray:
    """An N×K float64 matrix from K columns of N rewards. ``None``/NaN (a reward function that abstains, as
    TRL allows) become 0.0 with a warning: the service refuses non-finite rewards."""
    if len(columns) != len(names):
        raise ValueError(f"rewards: {len(columns)} reward columns for {len(names)} objectives")
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise ValueError(f"rewards: the objectives returned different numbers of rewards {sorted(lengths)}")
    matrix = np.array([[np.nan if v is None else float(v) for v in column] for column in columns],
                      dtype=np.float64).T.reshape(-1, len(names))
    missing = ~np.isfinite(matrix)
    if missing.any():
        bad = [names[k] for k in sorted(set(np.nonzero(missing)[1].tolist()))]
        warnings.warn(f"rewardweighting: {int(missing.sum())} missing or non-finite rewards of {bad} scored 0.0",
                      RuntimeWarning, stacklevel=3)
        matrix[missing] = 0.0
    return matrix


def scalarize_batch(run: Run, step: int, rewards: np.ndarray, group_ids: Optional[Iterable[Any]],
                    validation: bool) -> Scalarized:
    """One ``Scalarize`` call for the batch (validation batches record nothing on the service)."""
    return run.scalarize(step, rewards, group_ids=group_ids, validation=validation)


#: Where the hypervolume method's ``r_pareto`` goes: ``"rewards"`` (the paper's, the default: every scalarised reward
#: is ``r_pareto·(w·r)``) or ``"advantages"`` (the rewards are ``w·r`` and the trainer's advantages are multiplied by
#: ``r_pareto`` after its group or batch normalisation, so that a std division cannot cancel it).
R_PARETO_PLACEMENTS = ("rewards", "advantages")


def check_r_pareto_on(value: str) -> str:
    """``value`` if it is one of :data:`R_PARETO_PLACEMENTS`, else a ``ValueError`` naming ``r_pareto_on``."""
    if value not in R_PARETO_PLACEMENTS:
        raise ValueError(f"r_pareto_on: {value!r} is not one of {list(R_PARETO_PLACEMENTS)}")
    return value


def placed_rewards(result: Scalarized, r_pareto_on: str) -> np.ndarray:
    """The N rewards a trainer should see: Scalarize's ``r_pareto·(w·r_n)`` when ``r_pareto`` goes on the
    rewards, ``w·r_n`` (the same divided by ``r_pareto``, which every meta-reward keeps ≥ 0.5) when it goes on the
    advantages."""
    rewards = np.asarray(result.rewards, dtype=np.float64)
    if r_pareto_on == "advantages" and result.r_pareto != 1.0 and result.r_pareto != 0.0:
        rewards = rewards / float(result.r_pareto)
    return rewards


def scale_advantages(advantages: Any, r_pareto: Any) -> Any:
    """``advantages · r_pareto``: one factor for the batch, or one per sample (a length-B sequence) broadcast over
    the token axis of a B×T tensor. Works on NumPy arrays and torch tensors alike (a per-sample factor becomes a
    tensor on the advantages' device and dtype); returns a new array or tensor."""
    if np.ndim(r_pareto) == 0:
        factor = float(r_pareto)
        return advantages if factor == 1.0 else advantages * factor
    values = [float(v) for v in np.asarray(r_pareto, dtype=np.float64).reshape(-1)]
    if hasattr(advantages, "new_tensor"):  # torch
        factors = advantages.new_tensor(values)
    else:
        advantages = np.asarray(advantages)
        factors = np.asarray(values, dtype=advantages.dtype if advantages.dtype.kind == "f" else np.float64)
    if len(values) != advantages.shape[0]:
        raise ValueError(f"r_pareto: {len(values)} factors for {advantages.shape[0]} samples of advantages")
    return advantages * factors.reshape((-1,) + (1,) * (len(advantages.shape) - 1))


def weight_metrics(names: Sequence[str], result: Scalarized, prefix: str = "rewardweighting") -> Dict[str, float]:
    """``{prefix}/weight/<objective>`` and ``{prefix}/r_pareto`` for the trainer's logger."""
    metrics = {f"{prefix}/weight/{name}": float(w) for name, w in zip(names, result.weights)}
    metrics[f"{prefix}/r_pareto"] = float(result.r_pareto)
    return metrics


def warn_if_normalised_away(method: str, normalises_by_std: bool, where: str,
                            r_pareto_on: Optional[str] = None) -> None:
    """The hypervolume method's ``r_pareto`` is one factor per step; an estimator that divides by the group or
    batch std (GRPO's default, REINFORCE++'s whitening) cancels it when it is on the rewards (design.md;
    notes/trainers.md finding 3). On the advantages it survives, so nothing is said then. ``r_pareto_on`` is
    ``None`` for an adapter that cannot put it on the advantages."""
    if method == "hypervolume" and normalises_by_std and r_pareto_on != "advantages":
        move = "Put r_pareto on the advantages instead (r_pareto_on='advantages'), or use" if r_pareto_on else "Use"
        warnings.warn(
            f"rewardweighting: {where} divides rewards by their standard deviation, which cancels the hypervolume "
            f"method's r_pareto (a constant factor per step). {move} an estimator without std scaling (RLOO, "
            "REINFORCE, TRL scale_rewards='none', verl norm_adv_by_std_in_grpo=False) for r_pareto to matter.",
            RuntimeWarning, stacklevel=3)


def groups_normalised(info: Any) -> bool:
    """Whether a run (its :class:`~rewardweighting.types.RunInfo`) standardises each objective within each group
    of ``group_ids`` before weighting (``normalization="group"``: GDPO's per-objective normalisation)."""
    return str(info.config.get("normalization", "")).upper().endswith("GROUP")


def finite_mean(values: Sequence[float]) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan
