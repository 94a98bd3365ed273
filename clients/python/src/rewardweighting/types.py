"""What the client returns: plain dataclasses over NumPy arrays, converted from the service's messages."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import numpy as np

__all__ = [
    "Objective",
    "Scalarized",
    "GradientsResult",
    "ParetoPoint",
    "ParetoBuffer",
    "CheckpointResult",
    "RunState",
    "RunInfo",
    "ResumeResult",
    "DecisionEvent",
]


@dataclass(frozen=True)
class Objective:
    """One objective of a run: its name and whether larger (``"max"``) or smaller (``"min"``) is better."""

    name: str
    direction: str = "max"


@dataclass(frozen=True)
class Scalarized:
    """The answer to :meth:`Run.scalarize`.

    Attributes:
        rewards: shape ``(N,)``, ``r_pareto · Σ_k w_k · r_nk`` per response (after group normalisation when the
            run normalises), or ``r_pareto`` times the Tchebycheff value under a Tchebycheff ``scalarization``.
        weights: shape ``(K,)``, the weights that scalarised this step.
        r_pareto: the meta-reward applied (1.0 unless the run's method is ``hypervolume``).
        r_pareto_step: the checkpoint step ``r_pareto`` comes from, or ``None``.
        sequence: the event's position in the run's log (0 when nothing was logged, e.g. validation calls).
        ideal_point: shape ``(K,)``, the ideal point ``z*`` a Tchebycheff scalarisation measured the rewards against
            (declared, or tracked and including this batch); ``None`` for ``"linear"``.
    """

    rewards: np.ndarray
    weights: np.ndarray
    r_pareto: float
    r_pareto_step: Optional[int] = None
    sequence: int = 0
    ideal_point: Optional[np.ndarray] = None


@dataclass(frozen=True)
class GradientsResult:
    """The answer to :meth:`Run.report_gradients`.

    Attributes:
        weights: shape ``(K,)``, the weights from this step on.
        weights_updated: ``False`` while an accumulation window is still open.
        influence: shape ``(K,)``, ``I = G·1`` of this report.
        learning_rate: the ``η_t`` used (the schedule's or the one reported).
        sequence: the event's position in the run's log (the stored one on a retry).
    """

    weights: np.ndarray
    weights_updated: bool
    influence: np.ndarray
    learning_rate: float
    sequence: int


@dataclass(frozen=True)
class ParetoPoint:
    """A checkpoint in the Pareto buffer: its step, scores (as reported) and exclusive hypervolume."""

    step: int
    scores: np.ndarray
    hypervolume_contribution: float


@dataclass(frozen=True)
class ParetoBuffer:
    """The run's Pareto buffer: the reference point, the non-dominated checkpoints and their hypervolume."""

    reference_point: Optional[np.ndarray]
    reference_step: Optional[int]
    points: Tuple[ParetoPoint, ...]
    hypervolume: float


@dataclass(frozen=True)
class CheckpointResult:
    """The answer to :meth:`Run.report_checkpoint`.

    Attributes:
        hypervolume_contribution: ΔHV of the checkpoint against the buffer before it (clamped at 0).
        r_pareto: the meta-reward for the steps after this checkpoint.
        entered_buffer: whether the checkpoint joined the front (ΔHV > 0).
        became_reference_point: whether it became the reference point (the run's first checkpoint when no
            reference point was configured).
        buffer: the buffer after this checkpoint.
        sequence: the event's position in the run's log.
        scaled_hypervolume_contribution: the ΔHV the meta-reward saw under the run's ``hypervolume_scale``
            when that is not ``"raw"``; ``None`` otherwise.
    """

    hypervolume_contribution: float
    r_pareto: float
    entered_buffer: bool
    became_reference_point: bool
    buffer: ParetoBuffer
    sequence: int
    scaled_hypervolume_contribution: Optional[float] = None


@dataclass(frozen=True)
class RunState:
    """A run's current state as the service stores it."""

    status: str
    weights: np.ndarray
    r_pareto: float
    last_scalarize_step: Optional[int]
    last_gradients_step: Optional[int]
    last_checkpoint_step: Optional[int]
    buffer: ParetoBuffer
    last_sequence: int
    updated_at: Optional[_dt.datetime]


@dataclass(frozen=True)
class RunInfo:
    """A run: id, configuration (as a plain dict and as the raw message), state, and the tenant it belongs to
    (run ids are unique per tenant; ``"default"`` on a server without ``--auth-tokens``)."""

    run_id: str
    objectives: Tuple[Objective, ...]
    method: str
    config: Dict[str, Any]
    state: RunState
    created_at: Optional[_dt.datetime]
    raw_config: Any = field(repr=False, default=None)
    tenant: str = ""


@dataclass(frozen=True)
class ResumeResult:
    """The answer to :meth:`Run.resume`: the state at the resume step and how many events were superseded."""

    state: RunState
    superseded_events: int
    sequence: int


@dataclass(frozen=True)
class DecisionEvent:
    """One logged decision, as streamed by :meth:`Run.watch`.

    Attributes:
        kind: ``"scalarize"``, ``"gradients"``, ``"checkpoint"``, ``"created"``, ``"resumed"`` or ``"archived"``.
        decision: the decision's fields (e.g. ``weights``, ``r_pareto``, ``hypervolume_contribution``), lists
            as NumPy arrays.
    """

    run_id: str
    sequence: int
    step: int
    kind: str
    superseded: bool
    recorded_at: Optional[_dt.datetime]
    decision: Dict[str, Any]
