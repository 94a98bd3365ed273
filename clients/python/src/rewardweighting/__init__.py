"""RewardWeighting: dynamic multi-objective reward weighting for RL trainers, as a service.

    from rewardweighting import RewardWeighting
    client = RewardWeighting("127.0.0.1:50051")
    run = client.create_run("my-run", objectives=[("accuracy", "max"), ("length", "min")], method="gradient",
                            eta=1e-6, mu=1e-5, schedule="polynomial", total_steps=360)
    out = run.scalarize(step, rewards)          # rewards: N×K  → out.rewards (N,), out.weights, out.r_pareto
    run.report_gradients(step, gram)            # K×K ⟨∇J_i, ∇J_j⟩ → new weights
    run.report_checkpoint(step, scores)         # K validation scores → ΔHV, r_pareto
"""

from .aio import AsyncRewardWeighting, AsyncRun
from .client import RewardWeighting, Run
from .errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    ResourceExhaustedError,
    RewardWeightingError,
    UnauthenticatedError,
    UnavailableError,
)
from .gram import gram_from_gradients, parameters_of_layers, per_objective_gradients
from .retry import RetryPolicy
from .types import (
    CheckpointResult,
    DecisionEvent,
    GradientsResult,
    Objective,
    ParetoBuffer,
    ParetoPoint,
    ResumeResult,
    RunInfo,
    RunState,
    Scalarized,
)

__version__ = "0.1.0"

__all__ = [
    "RewardWeighting", "Run", "AsyncRewardWeighting", "AsyncRun", "RetryPolicy",
    "RewardWeightingError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError",
    "FailedPreconditionError", "ResourceExhaustedError", "UnauthenticatedError", "PermissionDeniedError",
    "UnavailableError",
    "Objective", "Scalarized", "GradientsResult", "CheckpointResult", "ParetoBuffer", "ParetoPoint", "RunState",
    "RunInfo", "ResumeResult", "DecisionEvent",
    "gram_from_gradients", "per_objective_gradients", "parameters_of_layers",
]
