"""Python values ⇄ rewardweighting.v1 messages. Shared by the sync and asyncio clients."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from google.protobuf import json_format

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
from .v1 import runs_pb2, trainer_pb2

ObjectiveSpec = Union[str, Tuple[str, str], Objective]

_DIRECTIONS = {
    "max": runs_pb2.OBJECTIVE_DIRECTION_MAXIMIZE,
    "maximize": runs_pb2.OBJECTIVE_DIRECTION_MAXIMIZE,
    "min": runs_pb2.OBJECTIVE_DIRECTION_MINIMIZE,
    "minimize": runs_pb2.OBJECTIVE_DIRECTION_MINIMIZE,
}
_METHODS = {
    "fixed": runs_pb2.WEIGHTING_METHOD_FIXED,
    "hypervolume": runs_pb2.WEIGHTING_METHOD_HYPERVOLUME,
    "gradient": runs_pb2.WEIGHTING_METHOD_GRADIENT,
}
_UPDATES = {
    "mirror_descent": runs_pb2.GRADIENT_UPDATE_MIRROR_DESCENT,
    "mgda": runs_pb2.GRADIENT_UPDATE_MGDA,
    "upgrad": runs_pb2.GRADIENT_UPDATE_UPGRAD,
    "dualproj": runs_pb2.GRADIENT_UPDATE_DUALPROJ,
    "imtl_g": runs_pb2.GRADIENT_UPDATE_IMTL_G,
    "aligned_mtl": runs_pb2.GRADIENT_UPDATE_ALIGNED_MTL,
    "cagrad": runs_pb2.GRADIENT_UPDATE_CAGRAD,
    "pcgrad": runs_pb2.GRADIENT_UPDATE_PCGRAD,
}
_ALIGNED_MTL_SCALES = {
    "min": runs_pb2.ALIGNED_MTL_SCALE_MIN,
    "median": runs_pb2.ALIGNED_MTL_SCALE_MEDIAN,
    "rmse": runs_pb2.ALIGNED_MTL_SCALE_RMSE,
}
_HYPERVOLUME_SCALES = {
    "raw": runs_pb2.HYPERVOLUME_SCALE_RAW,
    "reference_box": runs_pb2.HYPERVOLUME_SCALE_REFERENCE_BOX,
    "relative": runs_pb2.HYPERVOLUME_SCALE_RELATIVE,
}
_SCHEDULES = {
    "constant": runs_pb2.SCHEDULE_KIND_CONSTANT,
    "polynomial": runs_pb2.SCHEDULE_KIND_POLYNOMIAL,
    "cosine": runs_pb2.SCHEDULE_KIND_COSINE,
    "exponential": runs_pb2.SCHEDULE_KIND_EXPONENTIAL,
}
_META_REWARDS = {
    "tanh": runs_pb2.META_REWARD_TANH,
    "tanh3": runs_pb2.META_REWARD_TANH3,
    "sigmoid_plus_one": runs_pb2.META_REWARD_SIGMOID_PLUS_ONE,
    "two_sigmoid": runs_pb2.META_REWARD_TWO_SIGMOID,
}
_SCALARIZATIONS = {
    "linear": runs_pb2.SCALARIZATION_FUNCTION_LINEAR,
    "tchebycheff": runs_pb2.SCALARIZATION_FUNCTION_TCHEBYCHEFF,
    "smooth_tchebycheff": runs_pb2.SCALARIZATION_FUNCTION_SMOOTH_TCHEBYCHEFF,
}
_NORMALIZATIONS = {
    "none": runs_pb2.REWARD_NORMALIZATION_NONE,
    "group": runs_pb2.REWARD_NORMALIZATION_GROUP,
}
_STATUS_NAMES = {
    runs_pb2.RUN_STATUS_ACTIVE: "active",
    runs_pb2.RUN_STATUS_ARCHIVED: "archived",
    runs_pb2.RUN_STATUS_UNSPECIFIED: "unspecified",
}
_STATUS_VALUES = {"active": runs_pb2.RUN_STATUS_ACTIVE, "archived": runs_pb2.RUN_STATUS_ARCHIVED}
_EVENT_KINDS = {
    runs_pb2.EVENT_KIND_CREATED: "created",
    runs_pb2.EVENT_KIND_SCALARIZE: "scalarize",
    runs_pb2.EVENT_KIND_GRADIENTS: "gradients",
    runs_pb2.EVENT_KIND_CHECKPOINT: "checkpoint",
    runs_pb2.EVENT_KIND_RESUMED: "resumed",
    runs_pb2.EVENT_KIND_ARCHIVED: "archived",
}


def _choice(table: Mapping[str, Any], value: str, name: str) -> Any:
    key = str(value).lower()
    if key not in table:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(sorted(table))}")
    return table[key]


def objective_message(spec: ObjectiveSpec, index: int) -> runs_pb2.Objective:
    if isinstance(spec, Objective):
        name, direction = spec.name, spec.direction
    elif isinstance(spec, str):
        name, direction = spec, "max"
    else:
        name, direction = spec
    return runs_pb2.Objective(
        name=name, direction=_choice(_DIRECTIONS, direction, f"objectives[{index}].direction")
    )


@dataclass(frozen=True)
class RunSpec:
    """A run's configuration as :meth:`RewardWeighting.create_run` and :meth:`AsyncRewardWeighting.create_run`
    take it (see there for each setting); ``to_proto()`` builds the ``RunConfig`` message, checking the
    settings that only some methods take. One builder for the sync and the asyncio client."""

    objectives: Sequence[ObjectiveSpec]
    method: str = "fixed"
    weights: Optional[Sequence[float]] = None
    eta: Optional[float] = None
    mu: Optional[float] = None
    schedule: str = "constant"
    total_steps: Optional[int] = None
    warmup_steps: int = 0
    power: Optional[float] = None
    gamma: Optional[float] = None
    min_lr_ratio: Optional[float] = None
    num_cycles: Optional[float] = None
    accumulation_steps: int = 1
    min_weight: Optional[float] = None
    max_weight: Optional[float] = None
    update: str = "mirror_descent"
    regularization: Optional[float] = None
    aligned_mtl_scale: Optional[str] = None
    cagrad_c: Optional[float] = None
    meta_reward: str = "tanh"
    reference_point: Optional[Sequence[float]] = None
    hypervolume_scale: str = "raw"
    objective_ranges: Optional[Sequence[float]] = None
    normalization: str = "none"
    normalization_epsilon: Optional[float] = None
    scalarization: str = "linear"
    smoothing: Optional[float] = None
    ideal_point: Optional[Sequence[float]] = None

    def to_proto(self) -> runs_pb2.RunConfig:
        """The ``RunConfig`` message."""
        config = runs_pb2.RunConfig(
            objectives=[objective_message(spec, i) for i, spec in enumerate(self.objectives)],
            method=_choice(_METHODS, self.method, "method"),
            initial_weights=[float(w) for w in (self.weights if self.weights is not None else [])],
            normalization=_choice(_NORMALIZATIONS, self.normalization, "normalization"),
        )
        if self.normalization_epsilon is not None:
            config.normalization_epsilon = float(self.normalization_epsilon)
        scalarization = str(self.scalarization).replace("-", "_")
        if scalarization != "linear":
            config.scalarization = _choice(_SCALARIZATIONS, scalarization, "scalarization")
        # The service refuses smoothing or an ideal point with a function that does not use them, naming the field.
        if self.smoothing is not None:
            config.smoothing = float(self.smoothing)
        if self.ideal_point is not None:
            config.ideal_point.extend(float(x) for x in self.ideal_point)
        if config.method == runs_pb2.WEIGHTING_METHOD_HYPERVOLUME:
            config.hypervolume.CopyFrom(
                runs_pb2.HypervolumeSettings(
                    meta_reward=_choice(_META_REWARDS, self.meta_reward, "meta_reward"),
                    reference_point=[float(x) for x in (self.reference_point if self.reference_point is not None else [])],
                    scale=_choice(_HYPERVOLUME_SCALES, str(self.hypervolume_scale).replace("-", "_"), "hypervolume_scale"),
                    objective_ranges=[float(x) for x in (self.objective_ranges if self.objective_ranges is not None else [])],
                )
            )
        elif self.reference_point is not None:
            raise ValueError("reference_point: only the hypervolume method takes a reference point")
        elif self.hypervolume_scale != "raw" or self.objective_ranges is not None:
            raise ValueError("hypervolume_scale, objective_ranges: only the hypervolume method takes them")
        if config.method == runs_pb2.WEIGHTING_METHOD_GRADIENT:
            update = _choice(_UPDATES, str(self.update).replace("-", "_"), "update")
            mirror = update == runs_pb2.GRADIENT_UPDATE_MIRROR_DESCENT
            settings = runs_pb2.GradientSettings(accumulation_steps=int(self.accumulation_steps), update=update)
            if mirror and (self.eta is None or self.mu is None):
                raise ValueError("eta, mu: mirror descent needs a base learning rate eta and a regulariser mu")
            if self.eta is not None:
                settings.learning_rate = float(self.eta)
            if self.mu is not None:
                settings.mu = float(self.mu)
            if mirror or self.total_steps:
                sched = runs_pb2.LearningRateSchedule(
                    kind=_choice(_SCHEDULES, self.schedule, "schedule"),
                    total_steps=int(self.total_steps or 0),
                    warmup_steps=int(self.warmup_steps),
                )
                if not self.total_steps:
                    raise ValueError("total_steps: the gradient method's schedule needs the run's total number of steps")
                for name, value in (("power", self.power), ("gamma", self.gamma), ("min_lr_ratio", self.min_lr_ratio),
                                    ("num_cycles", self.num_cycles)):
                    if value is not None:
                        setattr(sched, name, float(value))
                settings.schedule.CopyFrom(sched)
            # The service refuses a setting the update does not use, naming it (gradient.regularization, …).
            if self.regularization is not None:
                settings.regularization = float(self.regularization)
            if self.cagrad_c is not None:
                settings.cagrad_c = float(self.cagrad_c)
            if self.aligned_mtl_scale is not None:
                settings.aligned_mtl_scale = _choice(_ALIGNED_MTL_SCALES, self.aligned_mtl_scale, "aligned_mtl_scale")
            if self.min_weight is not None:
                settings.min_weight = float(self.min_weight)
            if self.max_weight is not None:
                settings.max_weight = float(self.max_weight)
            config.gradient.CopyFrom(settings)
        elif self.eta is not None or self.mu is not None:
            raise ValueError("eta, mu: only the gradient method takes a learning rate and mu")
        return config


def reward_matrix(rewards: Any) -> runs_pb2.RewardMatrix:
    array = np.asarray(_to_numpy(rewards), dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"rewards: expected an N×K array (responses × objectives), got shape {array.shape}")
    return runs_pb2.RewardMatrix(num_objectives=array.shape[1], values=array.ravel(order="C").tolist())


def scalarize_request(run_id: str, step: int, rewards: Any, group_ids: Optional[Iterable[Any]],
                      validation: bool) -> trainer_pb2.ScalarizeRequest:
    request = trainer_pb2.ScalarizeRequest(
        run_id=run_id, step=int(step), rewards=reward_matrix(rewards), validation=bool(validation)
    )
    if group_ids is not None:
        request.group_ids.extend(group_id_integers(group_ids))
    return request


def group_id_integers(group_ids: Iterable[Any]) -> list:
    """Group ids as int64s. Integers pass through; other values (verl's uid strings, prompts) are numbered in
    order of first appearance, so equal values share a group."""
    values = list(_to_numpy(group_ids) if not isinstance(group_ids, (list, tuple)) else group_ids)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        return [int(v) for v in values]
    numbering: Dict[Any, int] = {}
    return [numbering.setdefault(v, len(numbering)) for v in values]


def gradients_request(run_id: str, step: int, gram: Any, gradients: Any,
                      learning_rate: Optional[float]) -> trainer_pb2.ReportGradientsRequest:
    if (gram is None) == (gradients is None):
        raise ValueError("gram, gradients: pass exactly one of a K×K Gram matrix or K gradient vectors")
    if gram is not None and not _is_square(gram):
        gram, gradients = None, gram  # K vectors of length D ≠ K given positionally: gradients, not a Gram matrix
    request = trainer_pb2.ReportGradientsRequest(run_id=run_id, step=int(step))
    if gram is not None:
        matrix = np.asarray(_to_numpy(gram), dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"gram: expected a K×K matrix, got shape {matrix.shape}")
        request.gram.CopyFrom(runs_pb2.GramMatrix(num_objectives=matrix.shape[0], values=matrix.ravel().tolist()))
    else:
        if isinstance(gradients, (list, tuple)):
            rows = [np.asarray(_to_numpy(g), dtype=np.float64).ravel() for g in gradients]
            if len({r.shape[0] for r in rows}) > 1:
                raise ValueError("gradients: every objective's gradient must have the same length")
            matrix = np.stack(rows) if rows else np.zeros((0, 0))
        else:
            matrix = np.asarray(_to_numpy(gradients), dtype=np.float64)
            if matrix.ndim != 2:
                raise ValueError(f"gradients: expected K vectors (a K×D array), got shape {matrix.shape}")
        request.projected.CopyFrom(
            runs_pb2.ProjectedGradients(
                num_objectives=matrix.shape[0], dimension=matrix.shape[1], values=matrix.ravel().tolist()
            )
        )
    if learning_rate is not None:
        request.learning_rate = float(learning_rate)
    return request


def float32_gradients(gradients: Any) -> np.ndarray:
    """K gradient vectors (a K×D NumPy array, a PyTorch tensor on any device, or a list of K vectors) as a
    C-ordered little-endian float32 K×D array, copied only when needed."""
    if hasattr(gradients, "detach") and hasattr(gradients, "cpu"):
        gradients = gradients.detach().float().cpu().numpy()
    elif isinstance(gradients, (list, tuple)):
        rows = [
            np.asarray(g.detach().float().cpu().numpy() if hasattr(g, "detach") else g, dtype=np.float32).ravel()
            for g in gradients
        ]
        if len({r.shape[0] for r in rows}) > 1:
            raise ValueError("gradients: every objective's gradient must have the same length")
        gradients = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    matrix = np.ascontiguousarray(gradients, dtype="<f4")
    if matrix.ndim != 2 or matrix.shape[0] < 1 or matrix.shape[1] < 1:
        raise ValueError(f"gradients: expected K vectors of length D ≥ 1 (a K×D array), got shape {matrix.shape}")
    return matrix


def projected_gradient_requests(run_id: str, step: int, matrix: np.ndarray, learning_rate: Optional[float],
                                slice_bytes: int) -> Iterator[trainer_pb2.ReportProjectedGradientsRequest]:
    """The messages of a ReportProjectedGradients stream: the header, then slices of about ``slice_bytes``
    (components [offset, offset + n) of every vector, objective-major float32 little-endian)."""
    k, d = matrix.shape
    header = trainer_pb2.ProjectedGradientsHeader(run_id=run_id, step=int(step), num_objectives=k, dimension=d)
    if learning_rate is not None:
        header.learning_rate = float(learning_rate)
    yield trainer_pb2.ReportProjectedGradientsRequest(header=header)
    # Whole groups of 8 components keep the server's SIMD loop aligned (any n ≥ 1 is accepted).
    n = max(8, slice_bytes // (4 * k) // 8 * 8)
    for offset in range(0, d, n):
        part = runs_pb2.ProjectedGradientsSlice(offset=offset, float32_values=matrix[:, offset:offset + n].tobytes())
        yield trainer_pb2.ReportProjectedGradientsRequest(slice=part)


def by_objective(values: Mapping[str, Any], names: Sequence[str], field: str) -> list:
    """A ``{objective: value}`` mapping as a list in the run's column order."""
    if set(values) != set(names):
        raise ValueError(f"{field}: the keys {sorted(values)} are not the run's objectives {list(names)}")
    return [values[name] for name in names]


def reward_columns_matrix(columns: Sequence[Any]) -> np.ndarray:
    """N×K rewards from K columns of N values (NumPy, lists or PyTorch)."""
    return np.stack([np.asarray(_to_numpy(c), dtype=np.float64) for c in columns], axis=1)


def _is_square(value: Any) -> bool:
    """Whether `value` is a K×K matrix (a Gram matrix) rather than K gradient vectors of another length."""
    if isinstance(value, (list, tuple)):
        return all(np.ndim(_to_numpy(row)) == 1 and np.size(_to_numpy(row)) == len(value) for row in value)
    shape = np.shape(_to_numpy(value))
    return len(shape) == 2 and shape[0] == shape[1]


def _to_numpy(value: Any) -> Any:
    """PyTorch tensors (on any device) as NumPy arrays; anything else unchanged."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().double().numpy()
    return value


def _timestamp(message: Any, name: str) -> Optional[_dt.datetime]:
    if not message.HasField(name):
        return None
    return getattr(message, name).ToDatetime(tzinfo=_dt.timezone.utc)


def _optional(message: Any, name: str) -> Optional[int]:
    return getattr(message, name) if message.HasField(name) else None


def pareto_buffer(message: runs_pb2.ParetoBuffer) -> ParetoBuffer:
    return ParetoBuffer(
        reference_point=np.array(message.reference_point) if len(message.reference_point) else None,
        reference_step=_optional(message, "reference_step"),
        points=tuple(
            ParetoPoint(step=p.step, scores=np.array(p.scores), hypervolume_contribution=p.hypervolume_contribution)
            for p in message.points
        ),
        hypervolume=message.hypervolume,
    )


def run_state(message: runs_pb2.RunState) -> RunState:
    return RunState(
        status=_STATUS_NAMES.get(message.status, str(message.status)),
        weights=np.array(message.weights),
        r_pareto=message.r_pareto,
        last_scalarize_step=_optional(message, "last_scalarize_step"),
        last_gradients_step=_optional(message, "last_gradients_step"),
        last_checkpoint_step=_optional(message, "last_checkpoint_step"),
        buffer=pareto_buffer(message.buffer),
        last_sequence=message.last_sequence,
        updated_at=_timestamp(message, "updated_at"),
    )


def run_info(message: runs_pb2.Run) -> RunInfo:
    config = message.config
    directions = {runs_pb2.OBJECTIVE_DIRECTION_MINIMIZE: "min"}
    return RunInfo(
        run_id=message.run_id,
        objectives=tuple(Objective(o.name, directions.get(o.direction, "max")) for o in config.objectives),
        method={v: k for k, v in _METHODS.items()}.get(config.method, "unspecified"),
        config=json_format.MessageToDict(config, preserving_proto_field_name=True),
        state=run_state(message.state),
        created_at=_timestamp(message, "created_at"),
        raw_config=config,
        tenant=message.tenant,
    )


def status_value(status: Optional[str]) -> Any:
    return runs_pb2.RUN_STATUS_UNSPECIFIED if status is None else _choice(_STATUS_VALUES, status, "status")


def scalarized(reply: trainer_pb2.ScalarizeResponse) -> Scalarized:
    return Scalarized(
        rewards=np.array(reply.scalarized_rewards),
        weights=np.array(reply.weights),
        r_pareto=reply.r_pareto,
        r_pareto_step=_optional(reply, "r_pareto_step"),
        sequence=reply.sequence,
        ideal_point=np.array(reply.ideal_point) if len(reply.ideal_point) else None,
    )


def gradients_result(reply: trainer_pb2.ReportGradientsResponse) -> GradientsResult:
    return GradientsResult(
        weights=np.array(reply.weights),
        weights_updated=reply.weights_updated,
        influence=np.array(reply.influence),
        learning_rate=reply.learning_rate,
        sequence=reply.sequence,
    )


def checkpoint_result(reply: trainer_pb2.ReportCheckpointResponse) -> CheckpointResult:
    return CheckpointResult(
        hypervolume_contribution=reply.hypervolume_contribution,
        r_pareto=reply.r_pareto,
        entered_buffer=reply.entered_buffer,
        became_reference_point=reply.became_reference_point,
        scaled_hypervolume_contribution=(reply.scaled_hypervolume_contribution
                                         if reply.HasField("scaled_hypervolume_contribution") else None),
        buffer=pareto_buffer(reply.buffer),
        sequence=reply.sequence,
    )


def resume_result(reply: trainer_pb2.ResumeRunResponse) -> ResumeResult:
    return ResumeResult(state=run_state(reply.state), superseded_events=reply.superseded_events,
                        sequence=reply.sequence)


def _is_repeated(descriptor: Any) -> bool:
    # protobuf ≥ 6 has `is_repeated`; older runtimes only `label`.
    if hasattr(descriptor, "is_repeated"):
        return bool(descriptor.is_repeated)
    return descriptor.label == descriptor.LABEL_REPEATED


def decision_event(message: runs_pb2.DecisionEvent) -> DecisionEvent:
    which = message.WhichOneof("decision")
    decision: Dict[str, Any] = {}
    if which:
        payload = getattr(message, which)
        for descriptor in payload.DESCRIPTOR.fields:
            value = getattr(payload, descriptor.name)
            if _is_repeated(descriptor) and descriptor.type == descriptor.TYPE_DOUBLE:
                decision[descriptor.name] = np.array(value)
            elif descriptor.type == descriptor.TYPE_MESSAGE:
                if payload.HasField(descriptor.name):
                    decision[descriptor.name] = json_format.MessageToDict(value, preserving_proto_field_name=True)
            else:
                decision[descriptor.name] = value
    return DecisionEvent(
        run_id=message.run_id,
        sequence=message.sequence,
        step=message.step,
        kind=_EVENT_KINDS.get(message.kind, "unspecified"),
        superseded=message.superseded,
        recorded_at=_timestamp(message, "recorded_at"),
        decision=decision,
    )
