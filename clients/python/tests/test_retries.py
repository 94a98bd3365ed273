"""Retries on UNAVAILABLE across a real server restart, and the client's bearer token."""

import threading
import time
from concurrent import futures

import grpc
import numpy as np
import pytest

from rewardweighting import RetryPolicy, RewardWeighting, UnauthenticatedError, UnavailableError
from rewardweighting.server import LocalServer
from rewardweighting.v1 import trainer_pb2, trainer_pb2_grpc


@pytest.fixture
def own_server(rw_server_binary):
    with LocalServer(rw_server_binary) as running:
        yield running


def test_calls_retry_across_a_server_restart_and_apply_once(own_server):
    client = RewardWeighting(own_server.address, retry=RetryPolicy(max_attempts=30, initial_backoff=0.05,
                                                                  max_backoff=0.5))
    run = client.create_run("restart", ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    first = run.report_gradients(1, np.eye(2))
    own_server.stop()
    restarter = threading.Timer(1.0, own_server.start)
    restarter.start()
    try:
        # sent while the server is down: retried with backoff until it is back on the same port and database
        second = run.report_gradients(2, np.array([[2.0, 0.0], [0.0, 1.0]]))
    finally:
        restarter.join()
    assert second.sequence == first.sequence + 1
    # the retry of a step that was applied before the restart gets the stored reply, not a second update
    again = run.report_gradients(1, np.eye(2))
    np.testing.assert_array_equal(again.weights, first.weights)
    assert run.state.last_sequence == second.sequence
    client.close()


def test_retries_give_up_with_unavailable(own_server):
    address = own_server.address
    own_server.stop()
    client = RewardWeighting(address, retry=RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.02))
    started = time.monotonic()
    with pytest.raises(UnavailableError) as raised:
        client.get_run("anything")
    assert raised.value.status == "UNAVAILABLE"
    assert time.monotonic() - started < 10
    client.close()


def test_watch_reconnects_after_a_restart_without_losing_events(own_server):
    client = RewardWeighting(own_server.address, retry=RetryPolicy(max_attempts=40, initial_backoff=0.05,
                                                                  max_backoff=0.5))
    run = client.create_run("watched", ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    run.report_gradients(1, np.eye(2))
    events = run.watch(2)  # after the creation event
    assert next(events).step == 1
    own_server.stop()  # the stream ends with UNAVAILABLE; the iterator reconnects from sequence 3
    own_server.start()
    writer = RewardWeighting(own_server.address)
    writer.run("watched").report_gradients(2, np.eye(2))
    event = next(events)
    assert (event.kind, event.step, event.sequence) == ("gradients", 2, 3)
    events.close()
    writer.close()
    client.close()


class _RecordingService(trainer_pb2_grpc.TrainerServiceServicer):
    """A stand-in server that records the metadata it receives and refuses callers without the token."""

    def __init__(self):
        self.metadata = []

    def GetRun(self, request, context):
        metadata = dict(context.invocation_metadata())
        self.metadata.append(metadata)
        if metadata.get("authorization") != "Bearer s3cret":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "authorization: missing or wrong bearer token")
        return trainer_pb2.GetRunResponse()


def test_the_token_is_sent_as_a_bearer_header():
    service = _RecordingService()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trainer_pb2_grpc.add_TrainerServiceServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        RewardWeighting(f"127.0.0.1:{port}", token="s3cret").get_run("r")
        assert service.metadata[-1]["authorization"] == "Bearer s3cret"
        with pytest.raises(UnauthenticatedError) as raised:
            RewardWeighting(f"127.0.0.1:{port}").get_run("r")
        assert raised.value.field == "authorization"
        assert "authorization" not in service.metadata[-1]
    finally:
        server.stop(None)


def test_backoff_grows_and_is_capped():
    import random

    policy = RetryPolicy(max_attempts=10, initial_backoff=0.1, max_backoff=1.0, multiplier=2.0)
    rng = random.Random(0)
    for attempt, cap in [(2, 0.1), (3, 0.2), (4, 0.4), (5, 0.8), (6, 1.0), (9, 1.0)]:
        delays = [policy.delay(attempt, rng) for _ in range(200)]
        assert 0.0 <= min(delays) and max(delays) <= cap
        assert max(delays) > 0.8 * cap  # full jitter spans the whole interval
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


def test_an_open_http_watch_does_not_hold_up_a_graceful_shutdown(own_server):
    """SIGTERM with a live server-sent-event stream open: the stream ends with a problem event naming
    from_sequence, and the server exits 0 promptly."""
    import json
    import urllib.request

    client = RewardWeighting(own_server.address)
    client.create_run("sse-shutdown", ["a", "b"])
    response = urllib.request.urlopen(own_server.http_url + "/v1/runs/sse-shutdown/watch?from_sequence=1",
                                      timeout=30)
    first = response.readline()  # the retry field: the stream is open
    assert first.startswith(b"retry:")
    started = time.monotonic()
    assert own_server.stop() == 0
    assert time.monotonic() - started < 10
    rest = response.read().decode()
    problem = [line[len("data: "):] for line in rest.splitlines() if line.startswith("data: ")][-1]
    assert json.loads(problem)["field"] == "from_sequence"
    client.close()


def test_metrics_count_the_calls_made(own_server):
    """/metrics, parsed with prometheus_client's parser, counts exactly the calls made to a fresh server."""
    import urllib.request

    import numpy as np
    from prometheus_client.parser import text_string_to_metric_families

    from rewardweighting import NotFoundError

    client = RewardWeighting(own_server.address)
    run = client.create_run("metered", ["a", "b"], method="hypervolume")
    run.scalarize(1, np.eye(2))
    run.scalarize(2, np.eye(2))
    run.report_checkpoint(0, [0.1, 0.1])  # the reference point: no kernel
    run.report_checkpoint(2, [0.5, 0.4])  # ΔHV on the kernel backend
    with pytest.raises(NotFoundError):
        client.run("nobody").state
    urllib.request.urlopen(own_server.http_url + "/v1/runs/metered").read()
    text = urllib.request.urlopen(own_server.http_url + "/metrics").read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value

    def value(name, **labels):
        return samples.get((name, tuple(sorted(labels.items()))))

    service = "rewardweighting.v1.TrainerService/"
    assert value("rw_grpc_requests_total", method=service + "CreateRun", code="OK") == 1
    assert value("rw_grpc_requests_total", method=service + "Scalarize", code="OK") == 2
    assert value("rw_grpc_requests_total", method=service + "ReportCheckpoint", code="OK") == 2
    assert value("rw_grpc_requests_total", method=service + "GetRun", code="NOT_FOUND") == 1
    assert value("rw_grpc_request_duration_seconds_count", method=service + "Scalarize") == 2
    assert value("rw_events_applied_total", kind="created") == 1
    assert value("rw_events_applied_total", kind="scalarize") == 2
    assert value("rw_events_applied_total", kind="checkpoint") == 2
    assert value("rw_store_commit_seconds_count") == 4  # two summaries, two checkpoints (the creation is separate)
    assert value("rw_kernel_seconds_count", kernel="hypervolume_improvement") == 1
    assert value("rw_active_runs") == 1
    assert value("rw_http_requests_total", method="GET", route="/v1/runs/{id}", status="200") == 1
    client.close()
