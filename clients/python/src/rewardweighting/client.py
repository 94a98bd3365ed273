"""The synchronous client: :class:`RewardWeighting` (a connection) and :class:`Run` (one run on it)."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

import grpc

from . import _convert
from ._convert import ObjectiveSpec
from .errors import from_rpc_error
from .retry import RetryPolicy
from .types import CheckpointResult, DecisionEvent, GradientsResult, ResumeResult, RunInfo, RunState, Scalarized
from .v1 import trainer_pb2, trainer_pb2_grpc

__all__ = ["RewardWeighting", "Run", "DEFAULT_TARGET", "channel_options", "open_channel", "bearer_metadata",
           "call_metadata", "run_metadata"]

DEFAULT_TARGET = "127.0.0.1:50051"
DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def channel_options(max_message_bytes: int) -> List[Tuple[str, Any]]:
    """gRPC channel options: message size limits matching the server's default, and reconnect backoff short
    enough that a restarted server is found again within the client's retries."""
    return [
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 2000),
        ("grpc.enable_retries", 0),  # the client's own RetryPolicy retries, once
    ]


def open_channel(module: Any, target: str, credentials: Optional[grpc.ChannelCredentials],
                 max_message_bytes: int) -> Any:
    """A channel from ``grpc`` or ``grpc.aio`` (``module``): TLS with ``credentials``, plaintext without."""
    options = channel_options(max_message_bytes)
    if credentials is None:
        return module.insecure_channel(target, options=options)
    return module.secure_channel(target, credentials, options=options)


def bearer_metadata(token: Optional[str]) -> Tuple[Tuple[str, str], ...]:
    """The call metadata carrying ``token``: ``authorization: Bearer <token>``, or nothing."""
    return (("authorization", f"Bearer {token}"),) if token else ()


def call_metadata(token: Optional[str], tenant: Optional[str] = None) -> Tuple[Tuple[str, str], ...]:
    """The metadata sent with every call: ``authorization: Bearer <token>`` (when ``token``) and
    ``rw-tenant: <tenant>`` (when ``tenant``)."""
    return bearer_metadata(token) + ((("rw-tenant", tenant),) if tenant else ())


def run_metadata(metadata: Tuple[Tuple[str, str], ...], run_id: str) -> Tuple[Tuple[str, str], ...]:
    """``metadata`` plus ``rw-run-id: <run_id>`` (when ``run_id``): the routing hint sent with every call that names
    a run, so that a load balancer hashing on it (``deploy/nginx``) keeps a run's calls on one replica. The server
    does not read it."""
    return metadata + (("rw-run-id", run_id),) if run_id else metadata


class RewardWeighting:
    """A connection to ``rw-server``.

    ``RewardWeighting("127.0.0.1:50051")`` opens a plaintext HTTP/2 channel. Every call retries ``UNAVAILABLE``
    with exponential backoff (``retry``); this is safe because the service applies each (run, kind, step) once.
    Errors are raised as :class:`~rewardweighting.errors.RewardWeightingError` subclasses carrying the gRPC
    status and the request field the service named.

    Args:
        target: ``host:port`` (or any gRPC target such as ``unix:/path``).
        token: bearer token, sent as ``authorization: Bearer <token>`` on every call. A server started with
            ``--auth-tokens`` refuses calls without a known one (``UnauthenticatedError``); the token's tenant
            scopes every run id, and its role (``viewer``, ``trainer``, ``admin``) what the calls may do.
        tenant: the tenant to act in, sent as ``rw-tenant: <tenant>`` on every call: for ``admin`` tokens, which
            otherwise act in their own tenant (and whose ``list_runs`` then lists every tenant's runs). A trainer's
            or viewer's token naming another tenant than its own gets ``PermissionDeniedError``.
        retry: the retry policy for ``UNAVAILABLE``; ``RetryPolicy(max_attempts=1)`` turns retries off.
        timeout: seconds per attempt (``None``: no deadline). Watch streams have no deadline.
        credentials: ``grpc.ChannelCredentials`` for TLS; plaintext when ``None``.
        max_message_bytes: the channel's send/receive limit (the server's default is 16 MiB).
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        token: Optional[str] = None,
        *,
        tenant: Optional[str] = None,
        retry: RetryPolicy = RetryPolicy(),
        timeout: Optional[float] = 30.0,
        credentials: Optional[grpc.ChannelCredentials] = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.target = target
        self.tenant = tenant
        self.retry = retry
        self.timeout = timeout
        self._channel = open_channel(grpc, target, credentials, max_message_bytes)
        self._stub = trainer_pb2_grpc.TrainerServiceStub(self._channel)
        self._metadata = call_metadata(token, tenant)

    # -- plumbing -------------------------------------------------------------------------------------------

    def _call(self, method: str, request: Any) -> Any:
        rpc = getattr(self._stub, method)
        attempt = 1
        while True:
            try:
                return rpc(request, timeout=self.timeout,
                           metadata=run_metadata(self._metadata, getattr(request, "run_id", "")))
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self.retry.max_attempts:
                    raise from_rpc_error(error, method) from None
                attempt += 1
                time.sleep(self.retry.delay(attempt))

    def _call_stream(self, method: str, requests: Callable[[], Iterator[Any]],
                     timeout: Optional[float] = None, run_id: str = "") -> Any:
        """A client-streaming call, retried on UNAVAILABLE by streaming the messages ``requests()`` makes again."""
        rpc = getattr(self._stub, method)
        attempt = 1
        while True:
            try:
                return rpc(requests(), timeout=timeout or self.timeout, metadata=run_metadata(self._metadata, run_id))
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self.retry.max_attempts:
                    raise from_rpc_error(error, method) from None
                attempt += 1
                time.sleep(self.retry.delay(attempt))

    def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        self._channel.close()

    def __enter__(self) -> "RewardWeighting":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- runs -----------------------------------------------------------------------------------------------

    def create_run(
        self,
        run_id: str,
        objectives: Sequence[ObjectiveSpec],
        method: str = "fixed",
        *,
        weights: Optional[Sequence[float]] = None,
        eta: Optional[float] = None,
        mu: Optional[float] = None,
        schedule: str = "constant",
        total_steps: Optional[int] = None,
        warmup_steps: int = 0,
        power: Optional[float] = None,
        gamma: Optional[float] = None,
        min_lr_ratio: Optional[float] = None,
        num_cycles: Optional[float] = None,
        accumulation_steps: int = 1,
        min_weight: Optional[float] = None,
        max_weight: Optional[float] = None,
        meta_reward: str = "tanh",
        reference_point: Optional[Sequence[float]] = None,
        normalization: str = "none",
        normalization_epsilon: Optional[float] = None,
        update: str = "mirror_descent",
        regularization: Optional[float] = None,
        aligned_mtl_scale: Optional[str] = None,
        cagrad_c: Optional[float] = None,
        hypervolume_scale: str = "raw",
        objective_ranges: Optional[Sequence[float]] = None,
        scalarization: str = "linear",
        smoothing: Optional[float] = None,
        ideal_point: Optional[Sequence[float]] = None,
    ) -> "Run":
        """Creates a run, or returns the existing one when ``run_id`` exists with the same configuration
        (so a restarted trainer can call this again); a different configuration raises ``AlreadyExistsError``.

        Args:
            run_id: 1–128 characters of ``A–Z a–z 0–9 . _ -``.
            objectives: names (maximised) or ``(name, "max" | "min")`` pairs, in the order of the reward
                columns.
            method: ``"fixed"``, ``"hypervolume"`` (Algorithm 1) or ``"gradient"`` (Algorithm 2).
            weights: initial (human) weights, non-negative (the service normalises them to sum 1); uniform when
                omitted.
            eta: the gradient method's base learning rate (the reference uses the policy's, e.g. 1e-6).
            mu: the gradient method's regulariser (1e-5 for Qwen3-8B in the paper).
            schedule: ``"constant"``, ``"polynomial"`` (power 1.03 by default, as verl), ``"cosine"`` or
                ``"exponential"``; ``η_t = eta·λ(t−1)``.
            total_steps: the schedule's length T (required by the gradient method).
            accumulation_steps: W, influence averaged over W steps between weight updates.
            update: how the gradient method turns each window's Gram matrices into weights:
                ``"mirror_descent"`` (the paper's, needs ``eta``, ``mu`` and ``total_steps``), or a Gramian
                weighting of the mean Gram matrix: ``"mgda"``, ``"upgrad"``, ``"dualproj"``, ``"imtl_g"`` or
                ``"aligned_mtl"``, ``"cagrad"`` or ``"pcgrad"`` (K ≤ 8) (``eta``/``mu``/``total_steps`` optional
                and unused).
            regularization: ε of ``"upgrad"``/``"dualproj"`` (default 1e-4, TorchJD's).
            aligned_mtl_scale: σ of ``"aligned_mtl"``: ``"min"`` (default), ``"median"`` or ``"rmse"``.
            cagrad_c: c of ``"cagrad"`` (default 0.5).
            meta_reward: ``"tanh"`` (0.5 + 1.5·tanh ΔHV, the paper's), ``"tanh3"``, ``"sigmoid_plus_one"``,
                ``"two_sigmoid"``.
            reference_point: a fixed hypervolume reference point; otherwise the first checkpoint is it.
            hypervolume_scale: how ΔHV is measured before the meta-reward: ``"raw"`` (the paper's),
                ``"reference_box"`` (a fraction of the box of ``objective_ranges``, or of the observed spread) or
                ``"relative"`` (the share of the front's hypervolume the checkpoint adds).
            objective_ranges: the box's sides for ``"reference_box"``, K positive values in the scores' units.
            normalization: ``"group"`` z-scores each objective within its ``group_ids`` group before weighting
                (GDPO); ``"none"`` uses the rewards as given.
            scalarization: how Scalarize combines the K rewards: ``"linear"`` (``Σ w_k r_k``, the paper's),
                ``"tchebycheff"`` (``−max_k w_k (z*_k − r_k)``) or ``"smooth_tchebycheff"``
                (``−μ log Σ_k exp(w_k (z*_k − r_k)/μ)``); the Tchebycheff forms need ``normalization="none"``.
            smoothing: μ of ``"smooth_tchebycheff"`` (default 0.1, in the rewards' units).
            ideal_point: a declared ``z*`` (K values, the rewards' units); by default it is tracked: the largest
                reward of each objective in this batch and every batch recorded at an earlier step.
        """
        config = _convert.RunSpec(
            objectives, method, weights=weights, eta=eta, mu=mu, schedule=schedule, total_steps=total_steps,
            warmup_steps=warmup_steps, power=power, gamma=gamma, min_lr_ratio=min_lr_ratio, num_cycles=num_cycles,
            accumulation_steps=accumulation_steps, min_weight=min_weight, max_weight=max_weight,
            update=update, regularization=regularization, aligned_mtl_scale=aligned_mtl_scale, cagrad_c=cagrad_c,
            meta_reward=meta_reward, reference_point=reference_point,
            hypervolume_scale=hypervolume_scale, objective_ranges=objective_ranges, normalization=normalization,
            normalization_epsilon=normalization_epsilon, scalarization=scalarization, smoothing=smoothing,
            ideal_point=ideal_point,
        ).to_proto()
        reply = self._call("CreateRun", trainer_pb2.CreateRunRequest(run_id=run_id, config=config))
        run = Run(self, run_id)
        run.created = reply.created
        run._info = _convert.run_info(reply.run)
        return run

    def run(self, run_id: str) -> "Run":
        """A handle on an existing run, without calling the service."""
        return Run(self, run_id)

    def get_run(self, run_id: str) -> RunInfo:
        """A run's configuration and state; ``NotFoundError`` when there is none (in the caller's tenant: another
        tenant's run of that id is not found either)."""
        return _convert.run_info(self._call("GetRun", trainer_pb2.GetRunRequest(run_id=run_id)).run)

    def list_runs(self, status: Optional[str] = None, page_size: int = 0) -> Iterator[RunInfo]:
        """All runs in run-id order (``status``: ``"active"``, ``"archived"`` or ``None`` for both), fetched a
        page at a time: the caller's tenant's, or, for an admin token without ``tenant``, every tenant's (see
        ``RunInfo.tenant``)."""
        token = ""
        while True:
            reply = self._call(
                "ListRuns",
                trainer_pb2.ListRunsRequest(page_size=page_size, page_token=token,
                                            status=_convert.status_value(status)),
            )
            for run in reply.runs:
                yield _convert.run_info(run)
            token = reply.next_page_token
            if not token:
                return

    def _watch(self, run_id: str, from_sequence: int, reconnect: bool) -> Iterator[DecisionEvent]:
        next_sequence = from_sequence
        attempt = 1
        while True:
            request = trainer_pb2.WatchRunRequest(run_id=run_id, from_sequence=next_sequence)
            stream = self._stub.WatchRun(request, metadata=run_metadata(self._metadata, run_id))
            try:
                for message in stream:
                    attempt = 1
                    next_sequence = message.sequence + 1
                    yield _convert.decision_event(message)
                return  # the run was archived: the stream ended with OK
            except grpc.RpcError as error:
                if (not reconnect or error.code() != grpc.StatusCode.UNAVAILABLE
                        or attempt >= self.retry.max_attempts):
                    raise from_rpc_error(error, "WatchRun") from None
                attempt += 1
                time.sleep(self.retry.delay(attempt))
            finally:
                stream.cancel()


class Run:
    """One run on a :class:`RewardWeighting` connection. Steps are the trainer's global steps."""

    def __init__(self, client: RewardWeighting, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.created: Optional[bool] = None
        self._info: Optional[RunInfo] = None

    def __repr__(self) -> str:
        return f"Run({self.run_id!r} on {self.client.target})"

    def info(self) -> RunInfo:
        """The run's configuration and current state (one ``GetRun``)."""
        self._info = self.client.get_run(self.run_id)
        return self._info

    @property
    def state(self) -> RunState:
        """The run's current state (one ``GetRun``)."""
        return self.info().state

    def scalarize(self, step: int, rewards: Any, group_ids: Optional[Iterable[Any]] = None, *,
                  validation: bool = False) -> Scalarized:
        """Scalarises one batch: ``rewards`` is ``N×K`` (responses × objectives, NumPy or PyTorch; or a dict of
        ``{objective: N rewards}`` columns), returns
        ``r_pareto · Σ_k w_k r_nk`` per response with the weights and ``r_pareto`` used.

        ``group_ids`` (length N; ints, or any hashable such as verl's uid strings) are needed when the run
        normalises per group. ``validation=True`` answers without recording anything (eval batches).

        The service records a summary of each batch at ``step`` and never refuses a step: a retry (a batch
        whose summary equals one recorded at the same step) records nothing and returns that summary's
        ``sequence``; another batch at the same step is a new summary (per-sample shims send many); any step
        ``≥ 0`` is accepted, also one below the run's latest.
        """
        if isinstance(rewards, Mapping):  # {objective: N rewards} columns
            rewards = _convert.reward_columns_matrix(_convert.by_objective(rewards, self.objective_names(), "rewards"))
        request = _convert.scalarize_request(self.run_id, step, rewards, group_ids, validation)
        return _convert.scalarized(self.client._call("Scalarize", request))

    def report_gradients(self, step: int, gram: Any = None, *, gradients: Any = None,
                         learning_rate: Optional[float] = None) -> GradientsResult:
        """Reports step ``step``'s per-objective gradient information (gradient method): either the ``K×K``
        Gram matrix ``G_ij = ⟨∇J_i, ∇J_j⟩`` (see :func:`rewardweighting.gram_from_gradients`) or the K gradient
        vectors themselves (``gradients=``, K×D; the server computes G). A positional argument that is not square
        (K vectors of length D ≠ K) is taken as the gradients. Returns the weights from this step on.

        ``learning_rate`` overrides the schedule's ``η_t`` (e.g. the trainer's actual policy learning rate).
        """
        request = _convert.gradients_request(self.run_id, step, gram, gradients, learning_rate)
        return _convert.gradients_result(self.client._call("ReportGradients", request))

    def report_projected_gradients(self, step: int, gradients: Any, *, learning_rate: Optional[float] = None,
                                   slice_bytes: int = 1 << 20, timeout: Optional[float] = None) -> GradientsResult:
        """Reports step ``step``'s K per-objective gradients as float32 vectors of any length D (``2**24`` and
        beyond: a K×D NumPy array, a PyTorch tensor on any device, or a list of K vectors), streamed to the server
        in slices of about ``slice_bytes`` (``ReportProjectedGradients``), so no message limit applies. The server
        computes ``G = M·Mᵀ`` in float64 as the slices arrive; the call is then exactly :meth:`report_gradients`
        with that G (same reply, same once-only step). ``timeout`` (default: the client's) covers the upload.
        Retried as a whole on ``UNAVAILABLE``."""
        matrix = _convert.float32_gradients(gradients)
        response = self.client._call_stream(
            "ReportProjectedGradients",
            lambda: _convert.projected_gradient_requests(self.run_id, step, matrix, learning_rate, slice_bytes),
            timeout,
            self.run_id,
        )
        return _convert.gradients_result(response)

    def objective_names(self) -> List[str]:
        """The run's objective names, in column order (one ``GetRun`` the first time, then cached)."""
        if self._info is None:
            self.info()
        assert self._info is not None
        return [o.name for o in self._info.objectives]

    def report_checkpoint(self, step: int, scores: Any) -> CheckpointResult:
        """Reports a checkpoint's K validation scores (raw, in the objectives' own directions; a list in column
        order or a ``{objective: score}`` dict): returns ΔHV against the Pareto buffer and ``r_pareto`` for the
        steps after ``step``."""
        if isinstance(scores, Mapping):
            scores = _convert.by_objective(scores, self.objective_names(), "scores")
        values = [float(x) for x in _convert._to_numpy(scores)]
        request = trainer_pb2.ReportCheckpointRequest(run_id=self.run_id, step=int(step), scores=values)
        return _convert.checkpoint_result(self.client._call("ReportCheckpoint", request))

    def resume(self, from_step: int) -> ResumeResult:
        """Rewinds the run to the state after ``from_step`` (e.g. the trainer's last saved checkpoint): later
        events stay in the log, flagged superseded, steps after ``from_step`` may be reported anew, and the rewind
        is logged as a ``"resumed"`` event. With nothing to supersede (a retry, or ``from_step`` the latest step)
        nothing changes and ``superseded_events`` is 0; after steps were reported again, the same ``from_step``
        rewinds again."""
        request = trainer_pb2.ResumeRunRequest(run_id=self.run_id, from_step=int(from_step))
        return _convert.resume_result(self.client._call("ResumeRun", request))

    def archive(self, reason: str = "") -> RunState:
        """Archives the run: it stays readable and accepts no more reports. ``reason`` is recorded in the
        ``"archived"`` event, the log's last."""
        request = trainer_pb2.ArchiveRunRequest(run_id=self.run_id, reason=reason)
        return _convert.run_state(self.client._call("ArchiveRun", request).state)

    def watch(self, from_sequence: int = 1, *, reconnect: bool = True) -> Iterator[DecisionEvent]:
        """Iterates the run's logged decisions from ``from_sequence`` (1: the whole log; 0: only new ones),
        then live ones as they happen. The log starts with the ``"created"`` event; a ``"resumed"`` event means
        the events already seen with a larger ``step`` are superseded (they were sent before the rewind, as not
        superseded); the ``"archived"`` event is the last, and the iteration ends. With ``reconnect`` a dropped
        stream (``UNAVAILABLE``, e.g. a server restart) is reopened after the last event seen, so none is lost
        or repeated. Break out of the loop to stop watching."""
        return self.client._watch(self.run_id, from_sequence, reconnect)
