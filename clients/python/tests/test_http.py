"""The HTTP/JSON read API of a real rw-server, next to its gRPC API: what a dashboard or a script reads."""

import csv
import io
import json
import threading
import time
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
    # Step 3's Scalarize batch, recomputed here: per-objective mean and population standard deviation.
    batch = np.array([[1.0, 0.0], [0.5, 0.5]])
    assert int(rows[-1]["responses"]) == 2
    assert [float(rows[-1]["reward_mean_a"]), float(rows[-1]["reward_mean_b"])] == list(batch.mean(axis=0))
    assert [float(rows[-1]["reward_std_a"]), float(rows[-1]["reward_std_b"])] == list(batch.std(axis=0))
    # The cosine of step 3's Gram matrix [[4, 0.2], [0.2, 0.5]].
    assert abs(float(rows[-1]["cosine_a_b"]) - 0.2 / np.sqrt(4.0 * 0.5)) <= 1e-15
    _, _, body = _get(server, f"/v1/runs/{run_id}/history?from=3")
    (row,) = json.loads(body)["rows"]
    assert row["cosines"][0][0] == 1.0 and row["reward_means"] == list(batch.mean(axis=0))

    code, problem = _problem(server, "/v1/runs/no-such-run")
    assert code == 404 and problem["code"] == "NOT_FOUND" and problem["field"] == "run_id"
    code, problem = _problem(server, "/v1/runs?page_size=-3")
    assert code == 400 and problem["field"] == "page_size" and problem["detail"].startswith("page_size: ")

    assert _get(server, "/healthz")[0] == 200
    assert _get(server, "/readyz")[0] == 200


def _server_sent_events(stream):
    """The messages of a text/event-stream response, as dicts of their fields, until the stream ends."""
    events, fields = [], {}
    for raw in stream:
        line = raw.decode().rstrip("\n")
        if not line:
            if fields:
                events.append(fields)
            fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name] = value.lstrip(" ")
    return events


def test_watch_streams_server_sent_events_until_the_archive(client, server, run_id):
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    live = []
    subscribed = threading.Event()

    def watch_live():
        request = urllib.request.Request(server.http_url + f"/v1/runs/{run_id}/watch")
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers["Content-Type"] == "text/event-stream"
            subscribed.set()
            live.extend(_server_sent_events(response))

    thread = threading.Thread(target=watch_live)
    thread.start()
    subscribed.wait(10)
    time.sleep(0.3)
    run.report_gradients(1, np.eye(2))
    run.archive("done")
    thread.join(30)
    messages = [json.loads(e["data"]) for e in live if "data" in e]
    assert [(m["kind"], m["sequence"]) for m in messages] == [("gradients", 2), ("archived", 3)]
    assert [e["id"] for e in live if "data" in e] == ["2", "3"]

    # A browser reconnecting with Last-Event-ID gets what followed it.
    request = urllib.request.Request(server.http_url + f"/v1/runs/{run_id}/watch",
                                     headers={"Last-Event-ID": "1"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert [e.get("id") for e in _server_sent_events(response) if "data" in e] == ["2", "3"]
