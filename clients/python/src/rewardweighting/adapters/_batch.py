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


def weight_metrics(names: Sequence[str], result: Scalarized, prefix: str = "rewardweighting") -> Dict[str, float]:
    """``{prefix}/weight/<objective>`` and ``{prefix}/r_pareto`` for the trainer's logger."""
    metrics = {f"{prefix}/weight/{name}": float(w) for name, w in zip(names, result.weights)}
    metrics[f"{prefix}/r_pareto"] = float(result.r_pareto)
    return metrics


def warn_if_normalised_away(method: str, normalises_by_std: bool, where: str) -> None:
    """The hypervolume method's ``r_pareto`` is one factor per step; an estimator that divides by the group or
    batch std (GRPO's default, REINFORCE++'s whitening) cancels it (design.md; notes/trainers.md finding 3)."""
    if method == "hypervolume" and normalises_by_std:
        warnings.warn(
            f"rewardweighting: {where} divides rewards by their standard deviation, which cancels the hypervolume "
            "method's r_pareto (a constant factor per step). Use an estimator without std scaling (RLOO, "
            "REINFORCE, TRL scale_rewards='none', verl norm_adv_by_std_in_grpo=False) for r_pareto to matter.",
            RuntimeWarning, stacklevel=3)


def groups_normalised(info: Any) -> bool:
    """Whether a run (its :class:`~rewardweighting.types.RunInfo`) standardises each objective within each group
    of ``group_ids`` before weighting (``normalization="group"``: GDPO's per-objective normalisation)."""
    return str(info.config.get("normalization", "")).upper().endswith("GROUP")


def finite_mean(values: Sequence[float]) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(finite)) if finite else math.nan
