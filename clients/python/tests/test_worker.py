"""rw-server with its kernels in a companion worker (`rw-server worker --socket PATH`, `--kernels unix:PATH`):
the same decisions as in-process, UNAVAILABLE (retried by the client) while the worker is down, and nothing
applied twice when it comes back."""

import os
import signal
import subprocess
import threading
import urllib.request

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


def _children(pid):
    """The process ids whose parent is `pid` (from /proc)."""
    import os

    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _wait_for(condition, what, timeout=20.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_spawned_worker_is_restarted_and_a_200_step_run_loses_nothing(rw_server_binary, tmp_path):
    """The default (--kernels spawn): a child worker; SIGKILLed mid-run it is restarted, the client retries, and
    the run ends exactly as an in-process run fed the same steps."""
    rng = np.random.default_rng(21)
    steps = [(rng.normal(size=(3, 32)), [0.3 + 0.001 * s + rng.normal(0, 0.01), 900.0 - s + rng.normal(0, 5),
                                        0.2 + rng.normal(0, 0.02)]) for s in range(1, 201)]
    retry = RetryPolicy(max_attempts=60, initial_backoff=0.05, max_backoff=0.5)
    with LocalServer(rw_server_binary) as server, \
            LocalServer(rw_server_binary, database=tmp_path / "local.sqlite",
                        extra_args=["--kernels", "in-process"]) as local, \
            RewardWeighting(server.address, retry=retry) as client, RewardWeighting(local.address) as plain:
        workers = _wait_for(lambda: _children(server.process.pid), "the spawned worker")
        assert len(workers) == 1 and not _children(local.process.pid)
        runs = [c.create_run("r200", OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, total_steps=200)
                for c in (client, plain)]
        for index, (gradients, scores) in enumerate(steps):
            step = index + 1
            if step == 100:
                os.kill(workers[0], signal.SIGKILL)  # mid-run: the next projected-gradients call needs the worker
            for run in runs:
                run.report_gradients(step, gradients=gradients)  # G = P·Pᵀ on the kernel backend
                if step % 10 == 0:
                    run.report_checkpoint(step, scores)
        restarted = _wait_for(lambda: _children(server.process.pid), "the restarted worker")
        assert restarted != workers
        remote, reference = (run.state for run in runs)
        assert remote.last_sequence == reference.last_sequence == 1 + 200 + 20  # nothing lost or applied twice
        np.testing.assert_array_equal(remote.weights, reference.weights)  # bit for bit
        assert [(p.step, list(p.scores)) for p in remote.buffer.points] == \
            [(p.step, list(p.scores)) for p in reference.buffer.points]
        metrics = urllib.request.urlopen(server.http_url + "/metrics", timeout=10).read().decode()
        assert "rw_worker_restarts_total 1" in metrics


def test_the_spawned_worker_exits_when_the_server_is_killed(rw_server_binary):
    import time

    server = LocalServer(rw_server_binary).start()
    try:
        (worker,) = _wait_for(lambda: _children(server.process.pid), "the spawned worker")
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        started = time.monotonic()
        _wait_for(lambda: not os.path.exists(f"/proc/{worker}") or _zombie(worker), "the orphan worker to exit",
                  timeout=5)
        assert time.monotonic() - started < 2.0
    finally:
        server.stop()


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_with_the_in_process_fallback_an_unreachable_worker_changes_nothing(rw_server_binary, tmp_path):
    args = ["--kernels", f"unix:{tmp_path / 'nobody.sock'}", "--kernels-fallback", "in-process"]
    with LocalServer(rw_server_binary, extra_args=args) as server, \
            LocalServer(rw_server_binary, database=tmp_path / "local.sqlite",
                        extra_args=["--kernels", "in-process"]) as local, \
            RewardWeighting(server.address, retry=RetryPolicy(max_attempts=1)) as client, \
            RewardWeighting(local.address) as plain:
        runs = [c.create_run("fb", OBJECTIVES, method="hypervolume") for c in (client, plain)]
        for step, scores in enumerate([[0.3, 900.0, 0.2], [0.5, 800.0, 0.3], [0.4, 700.0, 0.4]]):
            _same(runs[0].report_checkpoint(step, scores), runs[1].report_checkpoint(step, scores))
        assert runs[0].state.buffer.hypervolume == runs[1].state.buffer.hypervolume
        assert "running the kernel in-process (kernelsFallback)" in server.log_tail()


def _start_tcp_worker(binary, log):
    worker = subprocess.Popen([binary, "worker", "--listen", "127.0.0.1:0", "--log-level", "debug"],
                              stdout=subprocess.PIPE, stderr=log, text=True)
    ready, port = worker.stdout.readline().split()
    assert ready == "ready"
    return worker, int(port)


def test_calls_spread_across_tcp_workers_and_survive_one_of_them(rw_server_binary, tmp_path):
    logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(2)]
    workers = [_start_tcp_worker(rw_server_binary, log) for log in logs]
    target = "dns:///" + ",".join(f"127.0.0.1:{port}" for _, port in workers)
    try:
        with LocalServer(rw_server_binary, extra_args=["--kernels", target]) as server, \
                RewardWeighting(server.address, retry=RetryPolicy(max_attempts=1)) as client:
            run = client.create_run("pool", OBJECTIVES, method="hypervolume")
            for step in range(0, 8):
                run.report_checkpoint(step, [0.3 + 0.01 * step, 900.0 - 5 * step, 0.2])
            calls = [(tmp_path / f"worker{i}.log").read_text().count("kernel call") for i in range(2)]
            assert min(calls) >= 2, calls  # round-robin: both workers computed
            workers[0][0].send_signal(signal.SIGKILL)
            workers[0][0].wait(timeout=10)
            for step in range(8, 12):  # every call finds the live worker
                run.report_checkpoint(step, [0.3 + 0.01 * step, 900.0 - 5 * step, 0.2])
            workers[1][0].send_signal(signal.SIGKILL)
            workers[1][0].wait(timeout=10)
            with pytest.raises(UnavailableError, match="kernel"):
                run.report_checkpoint(12, [0.5, 800.0, 0.3])
            # Nothing stored by the refused call (the event log needs no kernel; GetRun's front would).
            import json

            page = json.loads(urllib.request.urlopen(server.http_url + "/v1/runs/pool/events?limit=100").read())
            assert [e["sequence"] for e in page["events"]] == list(range(1, 14))  # created + 12 checkpoints
    finally:
        for worker, _ in workers:
            worker.kill()
        for log in logs:
            log.close()


def test_a_worker_whose_server_died_while_it_started_exits_cleanly(rw_server_binary, tmp_path):
    # The server was SIGKILLed while its worker started: the pipe of the ready line has no reader any more. The
    # worker must stop at once and cleanly (it used to trap on the broken pipe and take seconds to die).
    read_end, write_end = os.pipe()
    os.close(read_end)
    worker = subprocess.Popen([rw_server_binary, "worker", "--socket", str(tmp_path / "orphan.sock")],
                              stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    try:
        _, errors = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, errors.decode(errors="replace")[-2000:]
    assert b"nobody reads the ready line" in errors
    assert b"Fatal error" not in errors
