"""ReportProjectedGradients: K float32 gradient vectors of any length streamed in slices; the server (through its
spawned worker, or in-process) computes G = M·Mᵀ in float64 and the run proceeds exactly as if the trainer had
sent G."""

import grpc
import numpy as np
import pytest

from rewardweighting import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    RewardWeighting,
)
from rewardweighting.server import LocalServer
from rewardweighting.v1 import runs_pb2, trainer_pb2, trainer_pb2_grpc

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]


def _gradients(seed, k, d, scale=1e-3):
    return (np.random.default_rng(seed).standard_normal((k, d)) * scale).astype(np.float32)


def _recorded_grams(run, count):
    """The Gram matrices recorded by the run's first `count` gradient events (from WatchRun's history)."""
    grams = []
    for event in run.watch(from_sequence=1):
        if event.kind == "gradients":
            gram = event.decision["gram"]
            k = gram["num_objectives"]
            grams.append(np.array(gram["values"], dtype=np.float64).reshape(k, k))
            if len(grams) == count:
                return grams
    raise AssertionError("the stream ended early")


def test_two_to_the_24_components_stream_and_the_run_proceeds_as_if_g_was_sent(rw_server_binary):
    """K = 3, D = 2²⁴ (192 MiB of float32) through the default spawned worker: G agrees with NumPy's float64
    inner products, and a second run fed that G by ReportGradients ends with identical weights."""
    d = 1 << 24
    steps = [_gradients(seed, 3, d) for seed in (1, 2)]
    with LocalServer(rw_server_binary) as server, RewardWeighting(server.address, timeout=300) as client:
        streamed = client.create_run("streamed", OBJECTIVES, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
        results = [streamed.report_projected_gradients(step + 1, m) for step, m in enumerate(steps)]
        grams = _recorded_grams(streamed, 2)
        for m, gram in zip(steps, grams):
            m64 = m.astype(np.float64)
            for i in range(3):
                for j in range(3):
                    exact = float(np.dot(m64[i], m64[j]))
                    magnitude = float(np.dot(np.abs(m64[i]), np.abs(m64[j])))
                    assert abs(gram[i, j] - exact) <= 1e-12 * magnitude, (i, j)
            assert (gram == gram.T).all()
        direct = client.create_run("direct", OBJECTIVES, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
        replies = [direct.report_gradients(step + 1, gram) for step, gram in enumerate(grams)]
        for a, b in zip(results, replies):
            assert list(a.weights) == list(b.weights)
            assert list(a.influence) == list(b.influence)
            assert a.learning_rate == b.learning_rate
        assert list(streamed.state.weights) == list(direct.state.weights)


def test_the_worker_and_in_process_give_the_same_gram_bit_for_bit(rw_server_binary, tmp_path):
    """Any slicing, either backend: the same G (the accumulation depends on component indices only)."""
    m = _gradients(7, 4, 100_003, scale=3.0)
    objectives = OBJECTIVES + [("safety", "max")]
    grams = []
    for kernels, slice_bytes in (("spawn", 1 << 20), ("in-process", 4 * 4 * 13), ("spawn", 4 * 4 * 4096 * 3)):
        with LocalServer(rw_server_binary, database=tmp_path / f"{kernels}-{slice_bytes}.sqlite",
                         extra_args=["--kernels", kernels]) as server, RewardWeighting(server.address) as client:
            run = client.create_run("g", objectives, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
            run.report_projected_gradients(1, m, slice_bytes=slice_bytes)
            grams.append(_recorded_grams(run, 1)[0])
    assert all((g == grams[0]).all() for g in grams[1:])


def test_retries_apply_once_and_a_changed_payload_is_already_exists(rw_server_binary):
    m = _gradients(3, 3, 50_000)
    with LocalServer(rw_server_binary) as server, RewardWeighting(server.address) as client:
        run = client.create_run("r", OBJECTIVES, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
        first = run.report_projected_gradients(1, m)
        again = run.report_projected_gradients(1, m, slice_bytes=4096)
        assert again.sequence == first.sequence
        assert list(again.weights) == list(first.weights)
        with pytest.raises(AlreadyExistsError):
            run.report_projected_gradients(1, m * 2)
        # A list of K vectors is accepted as well as a K×D array.
        assert run.report_projected_gradients(2, [m[0], m[1], m[2]]).sequence == first.sequence + 1
        assert run.state.last_sequence == first.sequence + 1
        # A step already passed names the header's step.
        with pytest.raises(FailedPreconditionError) as stale:
            run.report_projected_gradients(1, m * 3)
        assert stale.value.field == "header.step"


def test_bad_streams_are_refused_naming_the_field(rw_server_binary):
    m = _gradients(4, 3, 10_000)
    with LocalServer(rw_server_binary) as server, RewardWeighting(server.address) as client:
        run = client.create_run("bad", OBJECTIVES, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
        fixed = client.create_run("fixed", OBJECTIVES)
        with pytest.raises(InvalidArgumentError) as wrong_k:
            run.report_projected_gradients(1, m[:2])
        assert wrong_k.value.field == "header.num_objectives"
        with pytest.raises(FailedPreconditionError) as wrong_method:
            fixed.report_projected_gradients(1, m)
        assert wrong_method.value.field == "header.run_id"
        poisoned = m.copy()
        poisoned[1, 7777] = np.nan
        with pytest.raises(InvalidArgumentError) as nan:
            run.report_projected_gradients(1, poisoned)
        assert nan.value.field == "slice.float32_values"
        assert "objective 1, component 7777" in str(nan.value)

        stub = trainer_pb2_grpc.TrainerServiceStub(grpc.insecure_channel(server.address))
        header = trainer_pb2.ReportProjectedGradientsRequest(
            header=trainer_pb2.ProjectedGradientsHeader(run_id="bad", step=1, num_objectives=3, dimension=100))

        def piece(offset, n):
            values = np.zeros((3, n), dtype="<f4").tobytes()
            return trainer_pb2.ReportProjectedGradientsRequest(
                slice=runs_pb2.ProjectedGradientsSlice(offset=offset, float32_values=values))

        cases = [
            ([piece(0, 10)], "header"),                          # no header first
            ([header, piece(0, 10), piece(20, 10)], "slice.offset"),
            ([header, piece(0, 60), piece(60, 60)], "slice.float32_values"),  # past D
            ([header, piece(0, 60)], "slices"),                  # ended before D
            ([header, piece(0, 10), header], "header"),          # a second header
        ]
        for messages, field in cases:
            with pytest.raises(grpc.RpcError) as error:
                stub.ReportProjectedGradients(iter(messages), timeout=10)
            assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT, field
            assert error.value.details().startswith(f"{field}: "), error.value.details()
        # Nothing was applied by the refused streams.
        assert run.state.last_sequence == 1


def test_the_asyncio_client_streams_the_same_gram(rw_server_binary):
    import asyncio

    from rewardweighting import AsyncRewardWeighting

    m = _gradients(9, 3, 70_001)

    async def scenario(address):
        async with AsyncRewardWeighting(address) as client:
            run = await client.create_run("aio", OBJECTIVES, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
            return await run.report_projected_gradients(1, m, slice_bytes=1 << 16)

    with LocalServer(rw_server_binary) as server, RewardWeighting(server.address) as client:
        streamed = asyncio.run(scenario(server.address))
        reference = client.create_run("sync", OBJECTIVES, method="gradient", eta=1e-3, mu=0.1, total_steps=10)
        expected = reference.report_projected_gradients(1, m)
        assert list(streamed.weights) == list(expected.weights)
        assert list(streamed.influence) == list(expected.influence)
