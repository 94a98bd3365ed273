"""`rw-server --run-idle-timeout SECONDS`: a run that no call uses leaves the server's memory (rw_active_runs falls,
rw_runs_evicted_total counts it) and its next call loads it again, with nothing a trainer can notice."""

from __future__ import annotations

import time
import urllib.request

import numpy as np
from prometheus_client.parser import text_string_to_metric_families

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer


def _metric(server: LocalServer, name: str) -> float:
    text = urllib.request.urlopen(server.http_url + "/metrics").read().decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and not sample.labels:
                return sample.value
    return 0.0


def _until(condition, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_an_idle_run_leaves_memory_and_comes_back_unchanged(rw_server_binary, tmp_path):
    with LocalServer(rw_server_binary, database=tmp_path / "runs.sqlite",
                     extra_args=["--run-idle-timeout", "1"]) as server, RewardWeighting(server.address) as client:
        run = client.create_run("idle", ["accuracy", "length"], method="gradient", eta=1e-2, mu=1e-1,
                                schedule="constant", total_steps=10)
        rng = np.random.default_rng(3)
        g = rng.normal(size=(2, 5))
        first = run.report_gradients(1, g @ g.T)
        batch = rng.random((4, 2))
        scalarized = run.scalarize(1, batch)
        before = run.state
        assert _metric(server, "rw_active_runs") == 1

        # Idle for over a second: evicted (the evictor looks every quarter of the timeout).
        assert _until(lambda: _metric(server, "rw_active_runs") == 0), "the idle run stayed in memory"
        assert _metric(server, "rw_runs_evicted_total") == 1

        # Retries after the eviction are answered as before, and change nothing.
        assert np.array_equal(run.report_gradients(1, g @ g.T).weights, first.weights)
        assert np.array_equal(run.scalarize(1, batch).rewards, scalarized.rewards)
        after = run.state
        assert after.last_sequence == before.last_sequence
        assert np.array_equal(after.weights, before.weights)
        assert _metric(server, "rw_active_runs") == 1
        # And the run goes on.
        h = rng.normal(size=(2, 5))
        assert run.report_gradients(2, h @ h.T).sequence == after.last_sequence + 1
