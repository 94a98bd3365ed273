from rewardweighting.v1 import runs_pb2 as _runs_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateRunRequest(_message.Message):
    __slots__ = ("run_id", "config")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    config: _runs_pb2.RunConfig
    def __init__(self, run_id: _Optional[str] = ..., config: _Optional[_Union[_runs_pb2.RunConfig, _Mapping]] = ...) -> None: ...

class CreateRunResponse(_message.Message):
    __slots__ = ("run", "created")
    RUN_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    run: _runs_pb2.Run
    created: bool
    def __init__(self, run: _Optional[_Union[_runs_pb2.Run, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id", "include_contributions")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CONTRIBUTIONS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    include_contributions: bool
    def __init__(self, run_id: _Optional[str] = ..., include_contributions: _Optional[bool] = ...) -> None: ...

class GetRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _runs_pb2.Run
    def __init__(self, run: _Optional[_Union[_runs_pb2.Run, _Mapping]] = ...) -> None: ...

class ListRunsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "status", "method")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    status: _runs_pb2.RunStatus
    method: _runs_pb2.WeightingMethod
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., status: _Optional[_Union[_runs_pb2.RunStatus, str]] = ..., method: _Optional[_Union[_runs_pb2.WeightingMethod, str]] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ("runs", "next_page_token")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[_runs_pb2.Run]
    next_page_token: str
    def __init__(self, runs: _Optional[_Iterable[_Union[_runs_pb2.Run, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ScalarizeRequest(_message.Message):
    __slots__ = ("run_id", "step", "rewards", "group_ids", "validation")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    REWARDS_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    step: int
    rewards: _runs_pb2.RewardMatrix
    group_ids: _containers.RepeatedScalarFieldContainer[int]
    validation: bool
    def __init__(self, run_id: _Optional[str] = ..., step: _Optional[int] = ..., rewards: _Optional[_Union[_runs_pb2.RewardMatrix, _Mapping]] = ..., group_ids: _Optional[_Iterable[int]] = ..., validation: _Optional[bool] = ...) -> None: ...

class ScalarizeResponse(_message.Message):
    __slots__ = ("scalarized_rewards", "weights", "r_pareto", "r_pareto_step", "sequence", "ideal_point")
    SCALARIZED_REWARDS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_STEP_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    IDEAL_POINT_FIELD_NUMBER: _ClassVar[int]
    scalarized_rewards: _containers.RepeatedScalarFieldContainer[float]
    weights: _containers.RepeatedScalarFieldContainer[float]
    r_pareto: float
    r_pareto_step: int
    sequence: int
    ideal_point: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, scalarized_rewards: _Optional[_Iterable[float]] = ..., weights: _Optional[_Iterable[float]] = ..., r_pareto: _Optional[float] = ..., r_pareto_step: _Optional[int] = ..., sequence: _Optional[int] = ..., ideal_point: _Optional[_Iterable[float]] = ...) -> None: ...

class ReportGradientsRequest(_message.Message):
    __slots__ = ("run_id", "step", "gram", "projected", "learning_rate")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    GRAM_FIELD_NUMBER: _ClassVar[int]
    PROJECTED_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    step: int
    gram: _runs_pb2.GramMatrix
    projected: _runs_pb2.ProjectedGradients
    learning_rate: float
    def __init__(self, run_id: _Optional[str] = ..., step: _Optional[int] = ..., gram: _Optional[_Union[_runs_pb2.GramMatrix, _Mapping]] = ..., projected: _Optional[_Union[_runs_pb2.ProjectedGradients, _Mapping]] = ..., learning_rate: _Optional[float] = ...) -> None: ...

class ReportGradientsResponse(_message.Message):
    __slots__ = ("weights", "weights_updated", "influence", "learning_rate", "sequence")
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_UPDATED_FIELD_NUMBER: _ClassVar[int]
    INFLUENCE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    weights: _containers.RepeatedScalarFieldContainer[float]
    weights_updated: bool
    influence: _containers.RepeatedScalarFieldContainer[float]
    learning_rate: float
    sequence: int
    def __init__(self, weights: _Optional[_Iterable[float]] = ..., weights_updated: _Optional[bool] = ..., influence: _Optional[_Iterable[float]] = ..., learning_rate: _Optional[float] = ..., sequence: _Optional[int] = ...) -> None: ...

class ReportProjectedGradientsRequest(_message.Message):
    __slots__ = ("header", "slice")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    SLICE_FIELD_NUMBER: _ClassVar[int]
    header: ProjectedGradientsHeader
    slice: _runs_pb2.ProjectedGradientsSlice
    def __init__(self, header: _Optional[_Union[ProjectedGradientsHeader, _Mapping]] = ..., slice: _Optional[_Union[_runs_pb2.ProjectedGradientsSlice, _Mapping]] = ...) -> None: ...

class ProjectedGradientsHeader(_message.Message):
    __slots__ = ("run_id", "step", "num_objectives", "dimension", "learning_rate")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    NUM_OBJECTIVES_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    LEARNING_RATE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    step: int
    num_objectives: int
    dimension: int
    learning_rate: float
    def __init__(self, run_id: _Optional[str] = ..., step: _Optional[int] = ..., num_objectives: _Optional[int] = ..., dimension: _Optional[int] = ..., learning_rate: _Optional[float] = ...) -> None: ...

class ReportCheckpointRequest(_message.Message):
    __slots__ = ("run_id", "step", "scores")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    step: int
    scores: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, run_id: _Optional[str] = ..., step: _Optional[int] = ..., scores: _Optional[_Iterable[float]] = ...) -> None: ...

class ReportCheckpointResponse(_message.Message):
    __slots__ = ("hypervolume_contribution", "r_pareto", "entered_buffer", "became_reference_point", "buffer", "sequence", "scaled_hypervolume_contribution")
    HYPERVOLUME_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    R_PARETO_FIELD_NUMBER: _ClassVar[int]
    ENTERED_BUFFER_FIELD_NUMBER: _ClassVar[int]
    BECAME_REFERENCE_POINT_FIELD_NUMBER: _ClassVar[int]
    BUFFER_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    SCALED_HYPERVOLUME_CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    hypervolume_contribution: float
    r_pareto: float
    entered_buffer: bool
    became_reference_point: bool
    buffer: _runs_pb2.ParetoBuffer
    sequence: int
    scaled_hypervolume_contribution: float
    def __init__(self, hypervolume_contribution: _Optional[float] = ..., r_pareto: _Optional[float] = ..., entered_buffer: _Optional[bool] = ..., became_reference_point: _Optional[bool] = ..., buffer: _Optional[_Union[_runs_pb2.ParetoBuffer, _Mapping]] = ..., sequence: _Optional[int] = ..., scaled_hypervolume_contribution: _Optional[float] = ...) -> None: ...

class WatchRunRequest(_message.Message):
    __slots__ = ("run_id", "from_sequence")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    from_sequence: int
    def __init__(self, run_id: _Optional[str] = ..., from_sequence: _Optional[int] = ...) -> None: ...

class ResumeRunRequest(_message.Message):
    __slots__ = ("run_id", "from_step")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_STEP_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    from_step: int
    def __init__(self, run_id: _Optional[str] = ..., from_step: _Optional[int] = ...) -> None: ...

class ResumeRunResponse(_message.Message):
    __slots__ = ("state", "superseded_events", "sequence")
    STATE_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_EVENTS_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    state: _runs_pb2.RunState
    superseded_events: int
    sequence: int
    def __init__(self, state: _Optional[_Union[_runs_pb2.RunState, _Mapping]] = ..., superseded_events: _Optional[int] = ..., sequence: _Optional[int] = ...) -> None: ...

class ArchiveRunRequest(_message.Message):
    __slots__ = ("run_id", "reason")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    reason: str
    def __init__(self, run_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ArchiveRunResponse(_message.Message):
    __slots__ = ("state", "sequence")
    STATE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    state: _runs_pb2.RunState
    sequence: int
    def __init__(self, state: _Optional[_Union[_runs_pb2.RunState, _Mapping]] = ..., sequence: _Optional[int] = ...) -> None: ...
