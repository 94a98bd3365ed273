"""A real Prometheus server (Debian's `prometheus`, started on loopback) scrapes a real rw-server's /metrics, and its
query API then returns the series of the calls made.

Skipped without the `prometheus` binary, unless RW_REQUIRE_PROMETHEUS=1 (CI sets it), which makes it a failure.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import numpy as np
import pytest

from rewardweighting import RewardWeighting
from rewardweighting.server import LocalServer


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def prometheus_binary():
    binary = shutil.which("prometheus")
    if binary is None:
        message = "prometheus is not installed (apt-get install prometheus)"
        if os.environ.get("RW_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


def _query(port, expression):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    with urllib.request.urlopen(url, timeout=10) as response:
        answer = json.loads(response.read())
    assert answer["status"] == "success"
    return answer["data"]["result"]


def test_prometheus_scrapes_the_server(prometheus_binary, rw_server_binary, tmp_path):
    with LocalServer(rw_server_binary) as server, RewardWeighting(server.address) as client:
        run = client.create_run("scraped", ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
        for step in range(1, 4):
            run.scalarize(step, np.eye(2))
            run.report_gradients(step, np.eye(2) * step)

        port = _free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: rw-server\n    static_configs:\n"
            f"      - targets: ['127.0.0.1:{server.http_port}']\n")
        log = open(tmp_path / "prometheus.log", "wb")
        prometheus = subprocess.Popen(
            [prometheus_binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            result = []
            while time.monotonic() < deadline:
                try:
                    result = _query(port, 'rw_events_applied_total{job="rw-server",kind="gradients"}')
                except OSError:  # not listening yet
                    result = []
                if result:
                    break
                time.sleep(0.5)
            assert result, "Prometheus never returned the series: " + (tmp_path / "prometheus.log").read_text()[-2000:]
            assert float(result[0]["value"][1]) == 3
            up = _query(port, 'up{job="rw-server"}')
            assert [float(sample["value"][1]) for sample in up] == [1.0]
            scalarize = _query(
                port, 'rw_grpc_requests_total{method="rewardweighting.v1.TrainerService/Scalarize",code="OK"}')
            assert [float(sample["value"][1]) for sample in scalarize] == [3.0]
            assert [float(s["value"][1]) for s in _query(port, "rw_active_runs")] == [1.0]
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)
            log.close()
