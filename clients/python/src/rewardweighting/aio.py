"""The asyncio client (``grpc.aio``): :class:`AsyncRewardWeighting` and :class:`AsyncRun`, with the same
methods as the synchronous ones, as coroutines (``watch`` is an async iterator)."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Callable, Iterable, Iterator, List, Mapping, Optional, Sequence

import grpc
import grpc.aio

from . import _convert
from ._convert import ObjectiveSpec
from .client import DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_TARGET, call_metadata, open_channel, run_metadata
from .errors import from_rpc_error
from .retry import RetryPolicy
from .types import CheckpointResult, DecisionEvent, GradientsResult, ResumeResult, RunInfo, RunState, Scalarized
from .v1 import trainer_pb2, trainer_pb2_grpc

__all__ = ["AsyncRewardWeighting", "AsyncRun"]


class AsyncRewardWeighting:
    """An asyncio connection to ``rw-server``; see :class:`rewardweighting.RewardWeighting` for the
    arguments (``token`` and ``tenant`` included). Use it as ``async with AsyncRewardWeighting(target) as client:``
    or call :meth:`close`."""

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
        self._channel = open_channel(grpc.aio, target, credentials, max_message_bytes)
        self._stub = trainer_pb2_grpc.TrainerServiceStub(self._channel)
        self._metadata = call_metadata(token, tenant)

    async def _call(self, method: str, request: Any) -> Any:
        rpc = getattr(self._stub, method)
        attempt = 1
        while True:
            try:
                return await rpc(request, timeout=self.timeout,
                                 metadata=run_metadata(self._metadata, getattr(request, "run_id", "")))
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self.retry.max_attempts:
                    raise from_rpc_error(error, method) from None
                attempt += 1
                await asyncio.sleep(self.retry.delay(attempt))

    async def _call_stream(self, method: str, requests: Callable[[], Iterator[Any]],
                           timeout: Optional[float] = None, run_id: str = "") -> Any:
        rpc = getattr(self._stub, method)
        attempt = 1
        while True:
            try:
                return await rpc(requests(), timeout=timeout or self.timeout,
                                 metadata=run_metadata(self._metadata, run_id))
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.UNAVAILABLE or attempt >= self.retry.max_attempts:
                    raise from_rpc_error(error, method) from None
                attempt += 1
                await asyncio.sleep(self.retry.delay(attempt))

    async def close(self) -> None:
        """Closes the channel."""
        await self._channel.close()

    async def __aenter__(self) -> "AsyncRewardWeighting":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def create_run(self, run_id: str, objectives: Sequence[ObjectiveSpec], method: str = "fixed", *,
                         weights: Optional[Sequence[float]] = None, eta: Optional[float] = None,
                         mu: Optional[float] = None, schedule: str = "constant",
                         total_steps: Optional[int] = None, warmup_steps: int = 0,
                         power: Optional[float] = None, gamma: Optional[float] = None,
                         min_lr_ratio: Optional[float] = None, num_cycles: Optional[float] = None,
                         accumulation_steps: int = 1, min_weight: Optional[float] = None,
                         max_weight: Optional[float] = None, meta_reward: str = "tanh",
                         reference_point: Optional[Sequence[float]] = None, normalization: str = "none",
                         normalization_epsilon: Optional[float] = None, update: str = "mirror_descent",
                         regularization: Optional[float] = None,
                         aligned_mtl_scale: Optional[str] = None,
                         cagrad_c: Optional[float] = None, hypervolume_scale: str = "raw",
                         objective_ranges: Optional[Sequence[float]] = None, scalarization: str = "linear",
                         smoothing: Optional[float] = None,
                         ideal_point: Optional[Sequence[float]] = None) -> "AsyncRun":
        """See :meth:`rewardweighting.RewardWeighting.create_run`."""
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
        reply = await self._call("CreateRun", trainer_pb2.CreateRunRequest(run_id=run_id, config=config))
        run = AsyncRun(self, run_id)
        run.created = reply.created
        return run

    def run(self, run_id: str) -> "AsyncRun":
        """A handle on an existing run, without calling the service."""
        return AsyncRun(self, run_id)

    async def get_run(self, run_id: str) -> RunInfo:
        """A run's configuration and state."""
        return _convert.run_info((await self._call("GetRun", trainer_pb2.GetRunRequest(run_id=run_id))).run)

    async def list_runs(self, status: Optional[str] = None, page_size: int = 0) -> AsyncIterator[RunInfo]:
        """All runs in run-id order, a page at a time."""
        token = ""
        while True:
            reply = await self._call(
                "ListRuns",
                trainer_pb2.ListRunsRequest(page_size=page_size, page_token=token,
                                            status=_convert.status_value(status)),
            )
            for run in reply.runs:
                yield _convert.run_info(run)
            token = reply.next_page_token
            if not token:
                return

    async def _watch(self, run_id: str, from_sequence: int, reconnect: bool) -> AsyncIterator[DecisionEvent]:
        next_sequence = from_sequence
        attempt = 1
        while True:
            call = self._stub.WatchRun(
                trainer_pb2.WatchRunRequest(run_id=run_id, from_sequence=next_sequence),
                metadata=run_metadata(self._metadata, run_id),
            )
            try:
                async for message in call:
                    attempt = 1
                    next_sequence = message.sequence + 1
                    yield _convert.decision_event(message)
                return
            except grpc.aio.AioRpcError as error:
                if (not reconnect or error.code() != grpc.StatusCode.UNAVAILABLE
                        or attempt >= self.retry.max_attempts):
                    raise from_rpc_error(error, "WatchRun") from None
                attempt += 1
                await asyncio.sleep(self.retry.delay(attempt))
            finally:
                call.cancel()


class AsyncRun:
    """One run on an :class:`AsyncRewardWeighting` connection; see :class:`rewardweighting.Run`."""

    def __init__(self, client: AsyncRewardWeighting, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.created: Optional[bool] = None
        self._names: Optional[List[str]] = None

    def __repr__(self) -> str:
        return f"AsyncRun({self.run_id!r} on {self.client.target})"

    async def info(self) -> RunInfo:
        return await self.client.get_run(self.run_id)

    async def state(self) -> RunState:
        return (await self.info()).state

    async def objective_names(self) -> List[str]:
        """The run's objective names, in column order (one ``GetRun`` the first time, then cached)."""
        if self._names is None:
            self._names = [o.name for o in (await self.info()).objectives]
        return self._names

    async def scalarize(self, step: int, rewards: Any, group_ids: Optional[Iterable[Any]] = None, *,
                        validation: bool = False) -> Scalarized:
        """See :meth:`rewardweighting.Run.scalarize` (the same rule for retries and steps)."""
        if isinstance(rewards, Mapping):  # {objective: N rewards} columns
            names = await self.objective_names()
            rewards = _convert.reward_columns_matrix(_convert.by_objective(rewards, names, "rewards"))
        request = _convert.scalarize_request(self.run_id, step, rewards, group_ids, validation)
        return _convert.scalarized(await self.client._call("Scalarize", request))

    async def report_gradients(self, step: int, gram: Any = None, *, gradients: Any = None,
                               learning_rate: Optional[float] = None) -> GradientsResult:
        request = _convert.gradients_request(self.run_id, step, gram, gradients, learning_rate)
        return _convert.gradients_result(await self.client._call("ReportGradients", request))

    async def report_projected_gradients(self, step: int, gradients: Any, *, learning_rate: Optional[float] = None,
                                         slice_bytes: int = 1 << 20,
                                         timeout: Optional[float] = None) -> GradientsResult:
        """As :meth:`rewardweighting.client.Run.report_projected_gradients`."""
        matrix = _convert.float32_gradients(gradients)
        response = await self.client._call_stream(
            "ReportProjectedGradients",
            lambda: _convert.projected_gradient_requests(self.run_id, step, matrix, learning_rate, slice_bytes),
            timeout,
            self.run_id,
        )
        return _convert.gradients_result(response)

    async def report_checkpoint(self, step: int, scores: Any) -> CheckpointResult:
        if isinstance(scores, Mapping):
            scores = _convert.by_objective(scores, await self.objective_names(), "scores")
        values = [float(x) for x in _convert._to_numpy(scores)]
        request = trainer_pb2.ReportCheckpointRequest(run_id=self.run_id, step=int(step), scores=values)
        return _convert.checkpoint_result(await self.client._call("ReportCheckpoint", request))

    async def resume(self, from_step: int) -> ResumeResult:
        """As :meth:`rewardweighting.client.Run.resume`: rewinds the run, logging a ``"resumed"`` event."""
        request = trainer_pb2.ResumeRunRequest(run_id=self.run_id, from_step=int(from_step))
        return _convert.resume_result(await self.client._call("ResumeRun", request))

    async def archive(self, reason: str = "") -> RunState:
        """As :meth:`rewardweighting.client.Run.archive`: ``reason`` is recorded in the ``"archived"`` event."""
        request = trainer_pb2.ArchiveRunRequest(run_id=self.run_id, reason=reason)
        return _convert.run_state((await self.client._call("ArchiveRun", request)).state)

    def watch(self, from_sequence: int = 1, *, reconnect: bool = True) -> AsyncIterator[DecisionEvent]:
        """As :meth:`rewardweighting.client.Run.watch`, asynchronously."""
        return self.client._watch(self.run_id, from_sequence, reconnect)
