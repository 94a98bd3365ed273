"""Property tests against a live rw-server (issue 16, item 4): Hypothesis sends random and adversarial requests —
NaN, ±∞, subnormals, ±1e308, K mismatches, negative and 2⁶²-scale steps, unicode and 10 KB run ids, duplicate
objective names, truncated and garbage protobuf bytes — over real gRPC, and checks what the contract promises:

* every call is answered OK or with a client-error status (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS,
  FAILED_PRECONDITION, RESOURCE_EXHAUSTED, OUT_OF_RANGE) and a message; never INTERNAL, UNKNOWN or UNAVAILABLE;
* every number in every answer is finite;
* afterwards no stored JSON column holds NaN or ±∞ (read from the SQLite file itself), and every run reads the
  same after a restart (its state is its replay).

The coverage-guided fuzzer (Scripts/fuzz.sh, rw-fuzz) covers the same path in-process at millions of inputs; this
checks the real transport and the real store.
"""

from __future__ import annotations

import json
import math
import sqlite3
from typing import Iterator, List

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rewardweighting.server import LocalServer
from rewardweighting.v1 import runs_pb2, trainer_pb2, trainer_pb2_grpc

ACCEPTED = {
    grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.OUT_OF_RANGE,
}
SERVICE = "/rewardweighting.v1.TrainerService/"
RUNS = {"adv-fixed": runs_pb2.WEIGHTING_METHOD_FIXED, "adv-hv": runs_pb2.WEIGHTING_METHOD_HYPERVOLUME,
        "adv-grad": runs_pb2.WEIGHTING_METHOD_GRADIENT}
EXAMPLES = 300

special_floats = st.sampled_from([
    math.nan, math.inf, -math.inf, 5e-324, -5e-324, 2.2250738585072014e-308, 1e308, -1e308, 1.7976931348623157e308,
    0.0, -0.0, 1.0, 0.5,
])
numbers = st.one_of(special_floats, st.floats(allow_nan=True, allow_infinity=True), st.floats(-10, 10))
steps = st.one_of(
    st.sampled_from([-(2**63), -1, 0, 1, 2, 3, 2**62, 2**62 + 1, 2**63 - 1]), st.integers(-(2**63), 2**63 - 1),
    st.integers(0, 50))
run_ids = st.one_of(
    st.sampled_from(sorted(RUNS)), st.sampled_from(["", "é" * 5120, "x" * 10240, "🚀", "a\u0000b", "\u202e"]),
    st.text(max_size=40))
k_values = st.one_of(st.just(3), st.integers(-2, 20))


def _names():
    return st.lists(st.one_of(st.sampled_from(["a", "a", "b", " ", "", "ほげ", "x" * 300]), st.text(max_size=8)),
                    min_size=0, max_size=5)


@st.composite
def scalarize(draw):
    k = draw(k_values)
    values = draw(st.lists(numbers, max_size=24))
    request = trainer_pb2.ScalarizeRequest(
        run_id=draw(run_ids), step=draw(steps), validation=draw(st.booleans()),
        rewards=runs_pb2.RewardMatrix(num_objectives=k, values=values))
    if draw(st.booleans()):
        request.group_ids.extend(draw(st.lists(st.integers(-(2**63), 2**63 - 1), max_size=8)))
    return "Scalarize", request


@st.composite
def checkpoint(draw):
    return "ReportCheckpoint", trainer_pb2.ReportCheckpointRequest(
        run_id=draw(run_ids), step=draw(steps), scores=draw(st.lists(numbers, max_size=5)))


@st.composite
def gradients(draw):
    request = trainer_pb2.ReportGradientsRequest(run_id=draw(run_ids), step=draw(steps))
    if draw(st.booleans()):
        request.gram.CopyFrom(runs_pb2.GramMatrix(num_objectives=draw(k_values),
                                                  values=draw(st.lists(numbers, max_size=16))))
    else:
        request.projected.CopyFrom(runs_pb2.ProjectedGradients(
            num_objectives=draw(k_values), dimension=draw(st.integers(-3, 8)),
            values=draw(st.lists(numbers, max_size=24))))
    if draw(st.booleans()):
        request.learning_rate = draw(numbers)
    return "ReportGradients", request


@st.composite
def create(draw):
    config = runs_pb2.RunConfig(method=draw(st.integers(0, 4)), initial_weights=draw(st.lists(numbers, max_size=4)))
    for name in draw(_names()):
        config.objectives.add(name=name, direction=draw(st.integers(0, 3)))
    if draw(st.booleans()):
        config.hypervolume.reference_point.extend(draw(st.lists(numbers, max_size=4)))
    if draw(st.booleans()):
        config.gradient.learning_rate = draw(numbers)
        config.gradient.mu = draw(numbers)
        config.gradient.accumulation_steps = draw(st.integers(-(2**31), 2**31 - 1))
    return "CreateRun", trainer_pb2.CreateRunRequest(run_id=draw(run_ids), config=config)


@st.composite
def resume(draw):
    return "ResumeRun", trainer_pb2.ResumeRunRequest(run_id=draw(run_ids), from_step=draw(steps))


requests = st.one_of(scalarize(), checkpoint(), gradients(), create(), resume())
methods = st.sampled_from(["CreateRun", "GetRun", "Scalarize", "ReportGradients", "ReportCheckpoint", "ResumeRun",
                           "ArchiveRun", "ListRuns"])


def _non_finite(message) -> List[str]:
    """The paths of the NaN/±∞ float fields of a protobuf message, nested and repeated ones included."""
    found = []
    for field, value in message.ListFields():
        repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
        items = value if repeated else [value]
        for index, item in enumerate(items):
            if field.type == field.TYPE_MESSAGE:
                found += [f"{field.name}[{index}].{path}" for path in _non_finite(item)]
            elif field.type in (field.TYPE_DOUBLE, field.TYPE_FLOAT) and not math.isfinite(item):
                found.append(f"{field.name}[{index}]")
    return found


@pytest.fixture(scope="module")
def live(rw_server_binary, tmp_path_factory) -> Iterator[LocalServer]:
    database = tmp_path_factory.mktemp("adversarial") / "runs.sqlite"
    with LocalServer(rw_server_binary, database=database) as server:
        with grpc.insecure_channel(server.address) as channel:
            stub = trainer_pb2_grpc.TrainerServiceStub(channel)
            gradient = runs_pb2.GradientSettings(learning_rate=0.5, mu=1.0, accumulation_steps=1)
            for run_id, method in RUNS.items():
                config = runs_pb2.RunConfig(method=method)
                for name in ("accuracy", "length", "clarity"):
                    config.objectives.add(name=name)
                if method == runs_pb2.WEIGHTING_METHOD_GRADIENT:
                    config.gradient.CopyFrom(gradient)
                stub.CreateRun(trainer_pb2.CreateRunRequest(run_id=run_id, config=config))
        yield server


@pytest.fixture(scope="module")
def channel(live) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(live.address) as opened:
        yield opened


def _call(channel: grpc.Channel, method: str, payload: bytes):
    """Sends `payload` as the request bytes of `method` (no serializer: what a broken peer would send)."""
    call = channel.unary_unary(SERVICE + method, request_serializer=None, response_deserializer=None)
    try:
        return grpc.StatusCode.OK, call(payload, timeout=30)
    except grpc.RpcError as error:
        assert error.code() in ACCEPTED, f"{method} answered {error.code()}: {error.details()}"
        assert error.details(), f"{method} answered {error.code()} without a message"
        return error.code(), None


_RESPONSES = {
    "CreateRun": trainer_pb2.CreateRunResponse, "GetRun": trainer_pb2.GetRunResponse,
    "Scalarize": trainer_pb2.ScalarizeResponse, "ReportGradients": trainer_pb2.ReportGradientsResponse,
    "ReportCheckpoint": trainer_pb2.ReportCheckpointResponse, "ResumeRun": trainer_pb2.ResumeRunResponse,
    "ArchiveRun": trainer_pb2.ArchiveRunResponse, "ListRuns": trainer_pb2.ListRunsResponse,
}


def _check_answer(method: str, answer) -> None:
    code, raw = answer
    if code == grpc.StatusCode.OK:
        response = _RESPONSES[method].FromString(raw)
        assert not _non_finite(response), f"{method} answered non-finite numbers: {_non_finite(response)}"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(request=requests)
def test_adversarial_values_are_refused_cleanly(channel, request):
    method, message = request
    _check_answer(method, _call(channel, method, message.SerializeToString()))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests, cut=st.floats(0, 1), method=methods)
def test_truncated_requests_are_refused_cleanly(channel, request, cut, method):
    """A valid request's bytes cut anywhere, sent to its own method or to another one."""
    original, message = request
    payload = message.SerializeToString()
    payload = payload[: int(len(payload) * cut)]
    for target in (original, method):
        _check_answer(target, _call(channel, target, payload))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=512), method=methods)
def test_garbage_bytes_are_refused_cleanly(channel, payload, method):
    _check_answer(method, _call(channel, method, payload))


def test_nothing_stored_is_non_finite_and_every_run_reads_the_same_after_a_restart(live, channel):
    """Runs last (pytest keeps file order): the store after every adversarial example above."""
    stub = trainer_pb2_grpc.TrainerServiceStub(channel)
    listed = stub.ListRuns(trainer_pb2.ListRunsRequest(page_size=1000)).runs
    before = {run.run_id: stub.GetRun(trainer_pb2.GetRunRequest(run_id=run.run_id, include_contributions=True)).run
              for run in listed}
    assert set(RUNS) <= set(before)

    def reject(constant: str) -> float:
        raise AssertionError(f"a stored JSON column holds {constant}")

    with sqlite3.connect(f"file:{live.database}?mode=ro", uri=True) as database:
        tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        checked = 0
        for table in tables:
            columns = [row[1] for row in database.execute(f"PRAGMA table_info({table})")]
            for row in database.execute(f"SELECT * FROM {table}"):
                for column, value in zip(columns, row):
                    if isinstance(value, str) and value[:1] in ("{", "["):
                        json.loads(value, parse_constant=reject)
                        checked += 1
        assert checked > len(RUNS)

    live.restart()
    with grpc.insecure_channel(live.address) as reopened:
        after_stub = trainer_pb2_grpc.TrainerServiceStub(reopened)
        for run_id, run in before.items():
            reloaded = after_stub.GetRun(trainer_pb2.GetRunRequest(run_id=run_id, include_contributions=True)).run
            assert not _non_finite(reloaded)
            assert reloaded.state == run.state, run_id
