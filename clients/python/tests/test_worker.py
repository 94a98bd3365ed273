"""rw-server with its kernels in a companion worker (`rw-server worker --socket PATH`, `--kernels unix:PATH`):
the same decisions as in-process, UNAVAILABLE (retried by the client) while the worker is down, and nothing
applied twice when it comes back."""

import signal
import subprocess
import threading

import numpy as np
import pytest

from rewardweighting import RetryPolicy, RewardWeighting, UnavailableError
from rewardweighting.server import LocalServer

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]


def _same(a, b):
    """The same decision, bit for bit: ΔHV, r_pareto, buffer entry, sequence."""
    assert (a.hypervolume_contribution, a.r_pareto, a.entered_buffer, a.sequence) == \
        (b.hypervolume_contribution, b.r_pareto, b.entered_buffer, b.sequence)


def _start_worker(binary, socket_path):
    worker = subprocess.Popen([binary, "worker", "--socket", str(socket_path)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    assert worker.stdout.readline().strip() == "ready"
    return worker


@pytest.fixture
def worker_socket(tmp_path):
    return tmp_path / "worker.sock"


def test_a_run_through_the_worker_survives_its_death(rw_server_binary, worker_socket, tmp_path):
    worker = _start_worker(rw_server_binary, worker_socket)
    scores = [[0.3, 900.0, 0.2]] + [[0.3 + 0.03 * s, 900.0 - 15 * s, 0.2 + 0.02 * (s % 4)] for s in range(1, 13)]
    try:
        with LocalServer(rw_server_binary, extra_args=["--kernels", f"unix:{worker_socket}"]) as server, \
                LocalServer(rw_server_binary, database=tmp_path / "local.sqlite") as local:
            retry = RetryPolicy(max_attempts=40, initial_backoff=0.05, max_backoff=0.5)
            with RewardWeighting(server.address, retry=retry) as client, RewardWeighting(local.address) as plain:
                remote = client.create_run("w", OBJECTIVES, method="hypervolume")
                reference = plain.create_run("w", OBJECTIVES, method="hypervolume")
                for step in range(0, 6):
                    _same(remote.report_checkpoint(step, scores[step]), reference.report_checkpoint(step, scores[step]))
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=10)
                with RewardWeighting(server.address, retry=RetryPolicy(max_attempts=1)) as impatient:
                    with pytest.raises(UnavailableError, match="kernel"):
                        impatient.run("w").report_checkpoint(6, scores[6])
                # The worker comes back while the client retries: the step applies once.
                restarted = {}
                timer = threading.Timer(1.0, lambda: restarted.setdefault("worker", _start_worker(
                    rw_server_binary, worker_socket)))
                timer.start()
                for step in range(6, 13):
                    _same(remote.report_checkpoint(step, scores[step]), reference.report_checkpoint(step, scores[step]))
                timer.join()
                worker = restarted["worker"]
                assert remote.state.last_sequence == reference.state.last_sequence == 14  # created + 13 checkpoints
                assert [p.step for p in remote.state.buffer.points] == [p.step for p in reference.state.buffer.points]
                assert remote.state.buffer.hypervolume == reference.state.buffer.hypervolume
    finally:
        worker.kill()
        worker.wait(timeout=10)
