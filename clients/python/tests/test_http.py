"""The HTTP/JSON read API of a real rw-server, next to its gRPC API: what a dashboard or a script reads."""

import csv
import io
import json
import urllib.error
import urllib.request

import numpy as np


def _get(server, path):
    with urllib.request.urlopen(server.http_url + path, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def _problem(server, path):
    try:
        urllib.request.urlopen(server.http_url + path, timeout=10)
    except urllib.error.HTTPError as error:
        assert error.headers["Content-Type"] == "application/problem+json"
        return error.code, json.loads(error.read())
    raise AssertionError(f"GET {path} succeeded")


def test_the_http_api_shows_what_grpc_recorded(client, server, run_id):
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    for step in range(1, 4):
        run.report_gradients(step, np.array([[1.0 + step, 0.2], [0.2, 0.5]]))
    run.scalarize(3, np.array([[1.0, 0.0], [0.5, 0.5]]))

    status, content_type, body = _get(server, f"/v1/runs/{run_id}")
    assert status == 200 and content_type == "application/json"
    document = json.loads(body)
    assert document["weights"] == list(run.state.weights)  # the same doubles, bit for bit through JSON
    assert document["last_steps"] == {"scalarize": 3, "gradients": 3, "checkpoint": None}
    assert document["last_sequence"] == run.state.last_sequence

    _, _, body = _get(server, f"/v1/runs/{run_id}/events?limit=2")
    page = json.loads(body)
    assert [e["kind"] for e in page["events"]] == ["created", "gradients"]
    assert page["next_from_sequence"] == 3

    _, content_type, body = _get(server, f"/v1/runs/{run_id}/history?format=csv")
    assert content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [int(r["step"]) for r in rows] == [1, 2, 3]
    assert [float(rows[-1]["weight_a"]), float(rows[-1]["weight_b"])] == list(run.state.weights)

    code, problem = _problem(server, "/v1/runs/no-such-run")
    assert code == 404 and problem["code"] == "NOT_FOUND" and problem["field"] == "run_id"
    code, problem = _problem(server, "/v1/runs?page_size=-3")
    assert code == 400 and problem["field"] == "page_size" and problem["detail"].startswith("page_size: ")

    assert _get(server, "/healthz")[0] == 200
    assert _get(server, "/readyz")[0] == 200
