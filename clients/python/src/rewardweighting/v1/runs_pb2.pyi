import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ObjectiveDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OBJECTIVE_DIRECTION_UNSPECIFIED: _ClassVar[ObjectiveDirection]
    OBJECTIVE_DIRECTION_MAXIMIZE: _ClassVar[ObjectiveDirection]
    OBJECTIVE_DIRECTION_MINIMIZE: _ClassVar[ObjectiveDirection]

class WeightingMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEIGHTING_METHOD_UNSPECIFIED: _ClassVar[WeightingMethod]
    WEIGHTING_METHOD_FIXED: _ClassVar[WeightingMethod]
    WEIGHTING_METHOD_HYPERVOLUME: _ClassVar[WeightingMethod]
    WEIGHTING_METHOD_GRADIENT: _ClassVar[WeightingMethod]

class MetaReward(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    META_REWARD_UNSPECIFIED: _ClassVar[MetaReward]
    META_REWARD_TANH: _ClassVar[MetaReward]
    META_REWARD_TANH3: _ClassVar[MetaReward]
    META_REWARD_SIGMOID_PLUS_ONE: _ClassVar[MetaReward]
    META_REWARD_TWO_SIGMOID: _ClassVar[MetaReward]

class ScalarizationFunction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCALARIZATION_FUNCTION_UNSPECIFIED: _ClassVar[ScalarizationFunction]
    SCALARIZATION_FUNCTION_LINEAR: _ClassVar[ScalarizationFunction]
    SCALARIZATION_FUNCTION_TCHEBYCHEFF: _ClassVar[ScalarizationFunction]
    SCALARIZATION_FUNCTION_SMOOTH_TCHEBYCHEFF: _ClassVar[ScalarizationFunction]

class RewardNormalization(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REWARD_NORMALIZATION_UNSPECIFIED: _ClassVar[RewardNormalization]
    REWARD_NORMALIZATION_NONE: _ClassVar[RewardNormalization]
    REWARD_NORMALIZATION_GROUP: _ClassVar[RewardNormalization]

class ScheduleKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCHEDULE_KIND_UNSPECIFIED: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_CONSTANT: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_POLYNOMIAL: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_COSINE: _ClassVar[ScheduleKind]
    SCHEDULE_KIND_EXPONENTIAL: _ClassVar[ScheduleKind]

class HypervolumeScale(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HYPERVOLUME_SCALE_UNSPECIFIED: _ClassVar[HypervolumeScale]
    HYPERVOLUME_SCALE_RAW: _ClassVar[HypervolumeScale]
    HYPERVOLUME_SCALE_REFERENCE_BOX: _ClassVar[HypervolumeScale]
    HYPERVOLUME_SCALE_RELATIVE: _ClassVar[HypervolumeScale]

class GradientUpdate(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GRADIENT_UPDATE_UNSPECIFIED: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_MIRROR_DESCENT: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_MGDA: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_UPGRAD: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_DUALPROJ: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_IMTL_G: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_ALIGNED_MTL: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_CAGRAD: _ClassVar[GradientUpdate]
    GRADIENT_UPDATE_PCGRAD: _ClassVar[GradientUpdate]

class AlignedMtlScale(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALIGNED_MTL_SCALE_UNSPECIFIED: _ClassVar[AlignedMtlScale]
    ALIGNED_MTL_SCALE_MIN: _ClassVar[AlignedMtlScale]
    ALIGNED_MTL_SCALE_MEDIAN: _ClassVar[AlignedMtlScale]
    ALIGNED_MTL_SCALE_RMSE: _ClassVar[AlignedMtlScale]

class RunStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATUS_UNSPECIFIED: _ClassVar[RunStatus]
    RUN_STATUS_ACTIVE: _ClassVar[RunStatus]
    RUN_STATUS_ARCHIVED: _ClassVar[RunStatus]

class EventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_KIND_UNSPECIFIED: _ClassVar[EventKind]
    EVENT_KIND_CREATED: _ClassVar[EventKind]
    EVENT_KIND_SCALARIZE: _ClassVar[EventKind]
    EVENT_KIND_GRADIENTS: _ClassVar[EventKind]
    EVENT_KIND_CHECKPOINT: _ClassVar[EventKind]
    EVENT_KIND_RESUMED: _ClassVar[EventKind]
    EVENT_KIND_ARCHIVED: _ClassVar[EventKind]
OBJECTIVE_DIRECTION_UNSPECIFIED: ObjectiveDirection
OBJECTIVE_DIRECTION_MAXIMIZE: ObjectiveDirection
OBJECTIVE_DIRECTION_MINIMIZE: ObjectiveDirection
WEIGHTING_METHOD_UNSPECIFIED: WeightingMethod
WEIGHTING_METHOD_FIXED: WeightingMethod
WEIGHTING_METHOD_HYPERVOLUME: WeightingMethod
WEIGHTING_METHOD_GRADIENT: WeightingMethod
META_REWARD_UNSPECIFIED: MetaReward
META_REWARD_TANH: MetaReward
META_REWARD_TANH3: MetaReward
META_REWARD_SIGMOID_PLUS_ONE: MetaReward
META_REWARD_TWO_SIGMOID: MetaReward
SCALARIZATION_FUNCTION_UNSPECIFIED: ScalarizationFunction
SCALARIZATION_FUNCTION_LINEAR: ScalarizationFunction
SCALARIZATION_FUNCTION_TCHEBYCHEFF: ScalarizationFunction
SCALARIZATION_FUNCTION_SMOOTH_TCHEBYCHEFF: ScalarizationFunction
REWARD_NORMALIZATION_UNSPECIFIED: RewardNormalization
REWARD_NORMALIZATION_NONE: RewardNormalization
REWARD_NORMALIZATION_GROUP: RewardNormalization
SCHEDULE_KIND_UNSPECIFIED: ScheduleKind
SCHEDULE_KIND_CONSTANT: ScheduleKind
SCHEDULE_KIND_POLYNOMIAL: ScheduleKind
SCHEDULE_KIND_COSINE: ScheduleKind
SCHEDULE_KIND_EXPONENTIAL: ScheduleKind
HYPERVOLUME_SCALE_UNSPECIFIED: HypervolumeScale
HYPERVOLUME_SCALE_RAW: HypervolumeScale
HYPERVOLUME_SCALE_REFERENCE_BOX: HypervolumeScale
HYPERVOLUME_SCALE_RELATIVE: HypervolumeScale
GRADIENT_UPDATE_UNSPECIFIED: GradientUpdate
GRADIENT_UPDATE_MIRROR_DESCENT: GradientUpdate
GRADIENT_UPDATE_MGDA: GradientUpdate
GRADIENT_UPDATE_UPGRAD: GradientUpdate
GRADIENT_UPDATE_DUALPROJ: GradientUpdate
GRADIENT_UPDATE_IMTL_G: GradientUpdate
GRADIENT_UPDATE_ALIGNED_MTL: GradientUpdate
GRADIENT_UPDATE_CAGRAD: GradientUpdate
GRADIENT_UPDATE_PCGRAD: GradientUpdate
ALIGNED_MTL_SCALE_UNSPECIFIED: AlignedMtlScale
ALIGNED_MTL_SCALE_MIN: AlignedMtlScale
ALIGNED_MTL_SCALE_MEDIAN: AlignedMtlScale
ALIGNED_MTL_SCALE_RMSE: AlignedMtlScale
RUN_STATUS_UNSPECIFIED: RunStatus
RUN_STATUS_ACTIVE: RunStatus
RUN_STATUS_ARCHIVED: RunStatus
EVENT_KIND_UNSPECIFIED: EventKind
EVENT_KIND_CREATED: EventKind
EVENT_KIND_SCALARIZE: EventKind
EVENT_KIND_GRADIENTS: EventKind
EVENT_KIND_CHECKPOINT: EventKind
EVENT_KIND_RESUMED: EventKind
EVENT_KIND_ARCHIVED: EventKind

class Objective(_message.Message):
    __slots__ = ("name", "direction")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    name: str
    direction: ObjectiveDirection
    def __init__(self, name: _Optional[str] = ..., direction: _Optional[_Union[ObjectiveDirection, str]] = ...) -> None: ...

class LearningRateSchedule(_message.Message):
    __slots__ = ("kind", "total_steps", "warmup_steps", "power", "gamma", "min_lr_ratio", "num_cycles")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TOTAL_STEPS_FIELD_NUMBER: _ClassVar[int]
    WARMUP_STEPS_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    GAMMA_FIELD_NUMBER: _ClassVar[int]
    MIN_LR_RATIO_FIELD_NUMBER: _ClassVar[int]
    NUM_CYCLES_FIELD_NUMBER: _ClassVar[int]
    kind: ScheduleKind
    total_steps: int
    warmup_steps: int
    power: float
    gamma: float
    min_lr_ratio: float
    num_cycles: float
    def __init__(self, kind: _Optional[_Union[ScheduleKind, str]] = ..., total_steps: _Optional[int] = ..., warmup_steps: _Optional[int] = ..., power: _Optional[float] = ..., gamma: _Optional[float] = ..., min_lr_ratio: _Optional[float] = ..., num_cycles: _Optional[float] = ...) -> None: ...

class HypervolumeSettings(_message.Message):
    __slots__ = ("meta_reward", "reference_point", "scale", "objective_ranges")
    META_REWARD_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_POINT_FIELD_NUMBER: _ClassVar[int]
    SCALE_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_RANGES_FIELD_NUMBER: _ClassVar[int]
    meta_reward: MetaReward
    reference_point: _containers.RepeatedScalarFieldContainer[float]
    scale: HypervolumeScale
    objective_ranges: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, meta_reward: _Optional[_Union[MetaReward, str]] = ..., reference_point: _Optional[_Iterable[float]] = ..., scale: _Optional[_Union[HypervolumeScale, str]] = ..., objective_ranges: _Optional[_Iterable[float]] = ...) -> None: ...

class GradientSettings(_message.Message):
    __slots__ = ("learning_rate", "mu", "schedule", "accumulation_steps", "min_weight", "max_weight", "update", "regularization", "aligned_mtl_scale", "cagrad_c")
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    MU_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    ACCUMULATION_STEPS_FIELD_NUMBER: _ClassVar[int]
    MIN_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    MAX_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_FIELD_NUMBER: _ClassVar[int]
    REGULARIZATION_FIELD_NUMBER: _ClassVar[int]
    ALIGNED_MTL_SCALE_FIELD_NUMBER: _ClassVar[int]
    CAGRAD_C_FIELD_NUMBER: _ClassVar[int]
    learning_rate: float
    mu: float
    schedule: LearningRateSchedule
    accumulation_steps: int
    min_weight: float
    max_weight: float
    update: GradientUpdate
    regularization: float
    aligned_mtl_scale: AlignedMtlScale
    cagrad_c: float
    def __init__(self, learning_rate: _Optional[float] = ..., mu: _Optional[float] = ..., schedule: _Optional[_Union[LearningRateSchedule, _Mapping]] = ..., accumulation_steps: _Optional[int] = ..., min_weight: _Optional[float] = ..., max_weight: _Optional[float] = ..., update: _Optional[_Union[GradientUpdate, str]] = ..., regularization: _Optional[float] = ..., aligned_mtl_scale: _Optional[_Union[AlignedMtlScale, str]] = ..., cagrad_c: _Optional[float] = ...) -> None: ...

class RunConfig(_message.Message):
    __slots__ = ("objectives", "method", "initial_weights", "hypervolume", "gradient", "normalization", "normalization_epsilon", "scalarization", "smoothing", "ideal_point")
    OBJECTIVES_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    INITIAL_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_FIELD_NUMBER: _ClassVar[int]
    GRADIENT_FIELD_NUMBER: _ClassVar[int]
    NORMALIZATION_FIELD_NUMBER: _ClassVar[int]
    NORMALIZATION_EPSILON_FIELD_NUMBER: _ClassVar[int]
    SCALARIZATION_FIELD_NUMBER: _ClassVar[int]
    SMOOTHING_FIELD_NUMBER: _ClassVar[int]
    IDEAL_POINT_FIELD_NUMBER: _ClassVar[int]
    objectives: _containers.RepeatedCompositeFieldContainer[Objective]
    method: WeightingMethod
    initial_weights: _containers.RepeatedScalarFieldContainer[float]
    hypervolume: HypervolumeSettings
    gradient: GradientSettings
    normalization: RewardNormalization
    normalization_epsilon: float
    scalarization: ScalarizationFunction
    smoothing: float
    ideal_point: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, objectives: _Optional[_Iterable[_Union[Objective, _Mapping]]] = ..., method: _Optional[_Union[WeightingMethod, str]] = ..., initial_weights: _Optional[_Iterable[float]] = ..., hypervolume: _Optional[_Union[HypervolumeSettings, _Mapping]] = ..., gradient: _Optional[_Union[GradientSettings, _Mapping]] = ..., normalization: _Optional[_Union[RewardNormalization, str]] = ..., normalization_epsilon: _Optional[float] = ..., scalarization: _Optional[_Union[ScalarizationFunction, str]] = ..., smoothing: _Optional[float] = ..., ideal_point: _Optional[_Iterable[float]] = ...) -> None: ...

class RewardMatrix(_message.Message):
    __slots__ = ("num_objectives", "values")
    NUM_OBJECTIVES_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    num_objectives: int
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, num_objectives: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class GramMatrix(_message.Message):
    __slots__ = ("num_objectives", "values")
    NUM_OBJECTIVES_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    num_objectives: int
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, num_objectives: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class ProjectedGradients(_message.Message):
    __slots__ = ("num_objectives", "dimension", "values")
    NUM_OBJECTIVES_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    num_objectives: int
    dimension: int
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, num_objectives: _Optional[int] = ..., dimension: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ...) -> None: ...

class ProjectedGradientsSlice(_message.Message):
    __slots__ = ("offset", "float32_values")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    FLOAT32_VALUES_FIELD_NUMBER: _ClassVar[int]
    offset: int
    float32_values: bytes
    def __init__(self, offset: _Optional[int] = ..., float32_values: _Optional[bytes] = ...) -> None: ...

class ParetoPoint(_message.Message):
    __slots__ = ("step", "scores", "hypervolume_contribution", "exclusive_contribution")
    STEP_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    EXCLUSIVE_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    step: int
    scores: _containers.RepeatedScalarFieldContainer[float]
    hypervolume_contribution: float
    exclusive_contribution: float
    def __init__(self, step: _Optional[int] = ..., scores: _Optional[_Iterable[float]] = ..., hypervolume_contribution: _Optional[float] = ..., exclusive_contribution: _Optional[float] = ...) -> None: ...

class ParetoBuffer(_message.Message):
    __slots__ = ("reference_point", "reference_step", "points", "hypervolume")
    REFERENCE_POINT_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_STEP_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_FIELD_NUMBER: _ClassVar[int]
    reference_point: _containers.RepeatedScalarFieldContainer[float]
    reference_step: int
    points: _containers.RepeatedCompositeFieldContainer[ParetoPoint]
    hypervolume: float
    def __init__(self, reference_point: _Optional[_Iterable[float]] = ..., reference_step: _Optional[int] = ..., points: _Optional[_Iterable[_Union[ParetoPoint, _Mapping]]] = ..., hypervolume: _Optional[float] = ...) -> None: ...

class RunState(_message.Message):
    __slots__ = ("status", "weights", "r_pareto", "last_scalarize_step", "last_gradients_step", "last_checkpoint_step", "buffer", "last_sequence", "updated_at")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_FIELD_NUMBER: _ClassVar[int]
    LAST_SCALARIZE_STEP_FIELD_NUMBER: _ClassVar[int]
    LAST_GRADIENTS_STEP_FIELD_NUMBER: _ClassVar[int]
    LAST_CHECKPOINT_STEP_FIELD_NUMBER: _ClassVar[int]
    BUFFER_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    status: RunStatus
    weights: _containers.RepeatedScalarFieldContainer[float]
    r_pareto: float
    last_scalarize_step: int
    last_gradients_step: int
    last_checkpoint_step: int
    buffer: ParetoBuffer
    last_sequence: int
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, status: _Optional[_Union[RunStatus, str]] = ..., weights: _Optional[_Iterable[float]] = ..., r_pareto: _Optional[float] = ..., last_scalarize_step: _Optional[int] = ..., last_gradients_step: _Optional[int] = ..., last_checkpoint_step: _Optional[int] = ..., buffer: _Optional[_Union[ParetoBuffer, _Mapping]] = ..., last_sequence: _Optional[int] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("run_id", "config", "state", "created_at", "tenant")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    config: RunConfig
    state: RunState
    created_at: _timestamp_pb2.Timestamp
    tenant: str
    def __init__(self, run_id: _Optional[str] = ..., config: _Optional[_Union[RunConfig, _Mapping]] = ..., state: _Optional[_Union[RunState, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant: _Optional[str] = ...) -> None: ...

class CreatedDecision(_message.Message):
    __slots__ = ("config", "weights")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    config: RunConfig
    weights: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, config: _Optional[_Union[RunConfig, _Mapping]] = ..., weights: _Optional[_Iterable[float]] = ...) -> None: ...

class ScalarizeDecision(_message.Message):
    __slots__ = ("num_responses", "weights", "r_pareto", "objective_means", "objective_standard_deviations", "mean_scalarized", "objective_maxima")
    NUM_RESPONSES_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_MEANS_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_STANDARD_DEVIATIONS_FIELD_NUMBER: _ClassVar[int]
    MEAN_SCALARIZED_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_MAXIMA_FIELD_NUMBER: _ClassVar[int]
    num_responses: int
    weights: _containers.RepeatedScalarFieldContainer[float]
    r_pareto: float
    objective_means: _containers.RepeatedScalarFieldContainer[float]
    objective_standard_deviations: _containers.RepeatedScalarFieldContainer[float]
    mean_scalarized: float
    objective_maxima: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, num_responses: _Optional[int] = ..., weights: _Optional[_Iterable[float]] = ..., r_pareto: _Optional[float] = ..., objective_means: _Optional[_Iterable[float]] = ..., objective_standard_deviations: _Optional[_Iterable[float]] = ..., mean_scalarized: _Optional[float] = ..., objective_maxima: _Optional[_Iterable[float]] = ...) -> None: ...

class GradientsDecision(_message.Message):
    __slots__ = ("influence", "learning_rate", "weights_updated", "weights", "gram", "reported_learning_rate", "raw_weights")
    INFLUENCE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    GRAM_FIELD_NUMBER: _ClassVar[int]
    REPORTED_LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    RAW_WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    influence: _containers.RepeatedScalarFieldContainer[float]
    learning_rate: float
    weights_updated: bool
    weights: _containers.RepeatedScalarFieldContainer[float]
    gram: GramMatrix
    reported_learning_rate: float
    raw_weights: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, influence: _Optional[_Iterable[float]] = ..., learning_rate: _Optional[float] = ..., weights_updated: _Optional[bool] = ..., weights: _Optional[_Iterable[float]] = ..., gram: _Optional[_Union[GramMatrix, _Mapping]] = ..., reported_learning_rate: _Optional[float] = ..., raw_weights: _Optional[_Iterable[float]] = ...) -> None: ...

class CheckpointDecision(_message.Message):
    __slots__ = ("scores", "hypervolume_contribution", "r_pareto", "entered_buffer", "became_reference_point", "hypervolume", "scaled_hypervolume_contribution")
    SCORES_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_FIELD_NUMBER: _ClassVar[int]
    ENTERED_BUFFER_FIELD_NUMBER: _ClassVar[int]
    BECAME_REFERENCE_POINT_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_FIELD_NUMBER: _ClassVar[int]
    SCALED_HYPERVOLUME_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    scores: _containers.RepeatedScalarFieldContainer[float]
    hypervolume_contribution: float
    r_pareto: float
    entered_buffer: bool
    became_reference_point: bool
    hypervolume: float
    scaled_hypervolume_contribution: float
    def __init__(self, scores: _Optional[_Iterable[float]] = ..., hypervolume_contribution: _Optional[float] = ..., r_pareto: _Optional[float] = ..., entered_buffer: _Optional[bool] = ..., became_reference_point: _Optional[bool] = ..., hypervolume: _Optional[float] = ..., scaled_hypervolume_contribution: _Optional[float] = ...) -> None: ...

class ResumedDecision(_message.Message):
    __slots__ = ("from_step", "superseded_events", "weights", "r_pareto")
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_EVENTS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_FIELD_NUMBER: _ClassVar[int]
    from_step: int
    superseded_events: int
    weights: _containers.RepeatedScalarFieldContainer[float]
    r_pareto: float
    def __init__(self, from_step: _Optional[int] = ..., superseded_events: _Optional[int] = ..., weights: _Optional[_Iterable[float]] = ..., r_pareto: _Optional[float] = ...) -> None: ...

class ArchivedDecision(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class DecisionEvent(_message.Message):
    __slots__ = ("run_id", "sequence", "step", "kind", "recorded_at", "superseded", "created", "scalarize", "gradients", "checkpoint", "resumed", "archived")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    SCALARIZE_FIELD_NUMBER: _ClassVar[int]
    GRADIENTS_FIELD_NUMBER: _ClassVar[int]
    CHECKPOINT_FIELD_NUMBER: _ClassVar[int]
    RESUMED_FIELD_NUMBER: _ClassVar[int]
    ARCHIVED_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    sequence: int
    step: int
    kind: EventKind
    recorded_at: _timestamp_pb2.Timestamp
    superseded: bool
    created: CreatedDecision
    scalarize: ScalarizeDecision
    gradients: GradientsDecision
    checkpoint: CheckpointDecision
    resumed: ResumedDecision
    archived: ArchivedDecision
    def __init__(self, run_id: _Optional[str] = ..., sequence: _Optional[int] = ..., step: _Optional[int] = ..., kind: _Optional[_Union[EventKind, str]] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., superseded: _Optional[bool] = ..., created: _Optional[_Union[CreatedDecision, _Mapping]] = ..., scalarize: _Optional[_Union[ScalarizeDecision, _Mapping]] = ..., gradients: _Optional[_Union[GradientsDecision, _Mapping]] = ..., checkpoint: _Optional[_Union[CheckpointDecision, _Mapping]] = ..., resumed: _Optional[_Union[ResumedDecision, _Mapping]] = ..., archived: _Optional[_Union[ArchivedDecision, _Mapping]] = ...) -> None: ...
