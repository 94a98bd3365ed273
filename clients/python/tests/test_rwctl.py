"""`rwctl runs …` end to end: the built rwctl binary against a real rw-server over gRPC, its JSON output checked
field by field against what the Python client reads, its tables for their columns, and its exit codes."""

import json
import math
import os
import pathlib
import socket
import subprocess

import numpy as np
import pytest

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]


@pytest.fixture(scope="module")
def rwctl(rw_server_binary):
    path = pathlib.Path(os.environ.get("RWCTL_BINARY") or pathlib.Path(rw_server_binary).parent / "rwctl")
    assert os.access(path, os.X_OK), f"rwctl is not built next to rw-server ({path}); run swift build"
    return str(path)


def _run(rwctl, server, *arguments, output="json"):
    command = [rwctl, *arguments, "--server", server.address]
    if output:
        command += ["--output", output]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def _json(rwctl, server, *arguments):
    result = _run(rwctl, server, *arguments)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_create_list_show_front_resume_archive(rwctl, server, client, run_id):
    created = _json(rwctl, server, "runs", "create", "--id", run_id, "--objectives",
                    "accuracy:max,length:min,clarity:max", "--method", "hypervolume", "--weights", "0.5,0.25,0.25")
    assert created["created"] is True
    assert created["run"]["run_id"] == run_id
    assert [o["name"] for o in created["run"]["config"]["objectives"]] == ["accuracy", "length", "clarity"]
    assert created["run"]["config"]["objectives"][1]["direction"] == "OBJECTIVE_DIRECTION_MINIMIZE"
    assert created["run"]["state"]["weights"] == [0.5, 0.25, 0.25]
    # The same again is the idempotent retry: created is false.
    again = _json(rwctl, server, "runs", "create", "--id", run_id, "--objectives",
                  "accuracy:max,length:min,clarity:max", "--method", "hypervolume", "--weights", "0.5,0.25,0.25")
    assert again["created"] is False

    run = client.run(run_id)
    run.scalarize(1, np.array([[0.5, 300.0, 0.5], [0.7, 280.0, 0.6]]))
    for step, scores in [(0, [0.4, 900.0, 0.3]), (1, [0.6, 800.0, 0.35]), (2, [0.5, 700.0, 0.4])]:
        run.report_checkpoint(step, scores)
    state = run.state

    listed = _json(rwctl, server, "runs", "list", "--method", "hypervolume")
    entry = next(r for r in listed["runs"] if r["run_id"] == run_id)
    assert entry["state"]["weights"] == list(state.weights)
    assert entry["state"]["r_pareto"] == state.r_pareto
    assert entry["state"]["last_sequence"] == state.last_sequence
    assert all(r["config"]["method"] == "WEIGHTING_METHOD_HYPERVOLUME" for r in listed["runs"])
    assert run_id not in [r["run_id"] for r in _json(rwctl, server, "runs", "list", "--method", "gradient")["runs"]]

    shown = _json(rwctl, server, "runs", "show", run_id, "--events", "3")
    assert shown["run"]["state"]["last_checkpoint_step"] == 2
    assert shown["run"]["state"]["buffer"]["hypervolume"] == pytest.approx(state.buffer.hypervolume, rel=1e-15)
    assert [e["sequence"] for e in shown["recent_events"]] == [state.last_sequence - 2, state.last_sequence - 1,
                                                              state.last_sequence]
    assert shown["recent_events"][-1]["kind"] == "EVENT_KIND_CHECKPOINT"

    front = _json(rwctl, server, "runs", "front", run_id)
    assert front["objectives"] == ["accuracy", "length", "clarity"]
    points = front["buffer"]["points"]
    assert [p["step"] for p in points] == [1, 2]
    # Each exclusive contribution recomputed here: its box against the reference less the two boxes' overlap.
    a = np.array([0.6 - 0.4, 900 - 800.0, 0.35 - 0.3])
    b = np.array([0.5 - 0.4, 900 - 700.0, 0.4 - 0.3])
    overlap = np.prod(np.minimum(a, b))
    assert points[0]["exclusive_contribution"] == pytest.approx(np.prod(a) - overlap, rel=1e-12)
    assert points[1]["exclusive_contribution"] == pytest.approx(np.prod(b) - overlap, rel=1e-12)
    assert front["buffer"]["hypervolume"] == pytest.approx(np.prod(a) + np.prod(b) - overlap, rel=1e-12)

    table = _run(rwctl, server, "runs", "front", run_id, output="table")
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["step", "accuracy", "length", "clarity",
                                                    "delta_hypervolume_at_entry", "contribution"]
    csv_lines = _run(rwctl, server, "runs", "front", run_id, output="csv").stdout.splitlines()
    assert float(csv_lines[1].split(",")[5]) == points[0]["exclusive_contribution"]  # exact in CSV

    resumed = _json(rwctl, server, "runs", "resume", run_id, "--from-step", "1")
    assert resumed["superseded_events"] == 1
    assert resumed["sequence"] == state.last_sequence + 1
    assert run.state.last_checkpoint_step == 1

    archived = _json(rwctl, server, "runs", "archive", run_id, "--reason", "done")
    assert archived["state"]["status"] == "RUN_STATUS_ARCHIVED"
    assert run.state.status == "archived"
    assert run_id in [r["run_id"] for r in _json(rwctl, server, "runs", "list", "--status", "archived")["runs"]]
    assert run_id not in [r["run_id"] for r in _json(rwctl, server, "runs", "list", "--status", "active")["runs"]]


def test_tables_have_their_columns(rwctl, server, client, run_id):
    client.create_run(run_id, OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, total_steps=10)
    client.run(run_id).report_gradients(1, np.eye(3))
    listed = _run(rwctl, server, "runs", "list", output="table")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["run_id", "method", "k", "step", "weights", "r_pareto", "status", "updated"]
    row = next(line for line in lines if line.startswith(run_id + " "))
    assert row.split()[1:4] == ["gradient", "3", "1"]
    shown = _run(rwctl, server, "runs", "show", run_id, output="table")
    fields = {line.split()[0]: line.split(None, 1)[1] for line in shown.stdout.splitlines()[1:12]}
    assert fields["method"] == "gradient" and fields["objectives"] == "accuracy:max length:min clarity:max"
    assert "sequence  step  kind" in shown.stdout and "gradients" in shown.stdout
    # Not a terminal, no --output: JSON.
    default = _run(rwctl, server, "runs", "list", output=None)
    assert json.loads(default.stdout)["runs"]


def test_create_from_json_and_yaml_files(rwctl, server, client, run_id, tmp_path):
    request = {"run_id": run_id, "config": {
        "objectives": [{"name": "accuracy", "direction": "OBJECTIVE_DIRECTION_MAXIMIZE"},
                       {"name": "length", "direction": "OBJECTIVE_DIRECTION_MINIMIZE"}],
        "method": "WEIGHTING_METHOD_GRADIENT",
        "gradient": {"learning_rate": 1e-6, "mu": 1e-5,
                     "schedule": {"kind": "SCHEDULE_KIND_POLYNOMIAL", "total_steps": 360}}}}
    json_file = tmp_path / "run.json"
    json_file.write_text(json.dumps(request))
    created = _json(rwctl, server, "runs", "create", "--from-file", str(json_file))
    assert created["created"] is True and created["run"]["config"]["gradient"]["mu"] == 1e-5
    yaml_file = tmp_path / "run.yaml"
    yaml_file.write_text(
        "config:\n  objectives:\n    - {name: accuracy, direction: OBJECTIVE_DIRECTION_MAXIMIZE}\n"
        "    - {name: length, direction: OBJECTIVE_DIRECTION_MINIMIZE}\n  method: WEIGHTING_METHOD_FIXED\n"
        "  initial_weights: [0.75, 0.25]\n")
    from_yaml = _json(rwctl, server, "runs", "create", "--from-file", str(yaml_file), "--id", run_id + "-yaml")
    assert from_yaml["run"]["state"]["weights"] == [0.75, 0.25]
    assert client.run(run_id + "-yaml").state.weights.tolist() == [0.75, 0.25]


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("arguments, exit_code, named", [
    (["runs", "show", "no-such-run"], 1, "NOT_FOUND: run_id"),
    (["runs", "create", "--id", "bad-eta", "--objectives", "a:max", "--method", "gradient", "--total-steps", "10", "--eta=-1",
      "--mu", "1"], 1, "INVALID_ARGUMENT: config.gradient.learning_rate"),
    (["runs", "resume", "no-such-run", "--from-step", "1"], 1, "NOT_FOUND"),
    (["runs", "create", "--id", "x", "--objectives", "accuracy:up"], 2, "--objectives: entry 0"),
    (["runs", "create", "--id", "x", "--objectives", "a:max", "--eta", "1"], 2, "--eta: applies to --method gradient"),
    (["runs", "create", "--id", "x", "--objectives", "a:max", "--method", "gradient", "--mu", "1"], 2, "--eta"),
    (["runs", "create", "--id", "x", "--objectives", "a:max,b:min", "--weights", "1,x"], 2, "--weights: entry 1"),
    (["runs", "create", "--from-file", "/nonexistent/run.json"], 2, "--from-file"),
    (["runs", "list", "--status", "paused"], 2, "--status"),
    (["runs", "resume", "r", "--from-step", "-3"], 2, "--from-step"),
    (["runs", "list", "--timeout", "0"], 2, "--timeout"),
])
def test_exit_codes_name_the_flag_or_field(rwctl, server, arguments, exit_code, named):
    result = _run(rwctl, server, *arguments)
    assert result.returncode == exit_code, (result.stdout, result.stderr)
    assert named in result.stderr


def test_a_bad_file_and_an_unreachable_server(rwctl, server, tmp_path):
    bad = tmp_path / "run.json"
    bad.write_text('{"run_id": "x", "config": {"method": "WEIGHTING_METHOD_SOMETHING"}}')
    result = _run(rwctl, server, "runs", "create", "--from-file", str(bad))
    assert result.returncode == 2 and str(bad) in result.stderr
    port = _closed_port()
    unreachable = subprocess.run([rwctl, "runs", "list", "--server", f"127.0.0.1:{port}"], capture_output=True,
                                 text=True, timeout=60)
    assert unreachable.returncode == 3, unreachable.stderr
    assert f"cannot reach rw-server at 127.0.0.1:{port}" in unreachable.stderr
    env = dict(os.environ, RW_SERVER="localhost")
    missing_port = subprocess.run([rwctl, "runs", "list"], capture_output=True, text=True, timeout=60, env=env)
    assert missing_port.returncode == 2 and "RW_SERVER" in missing_port.stderr
    via_env = subprocess.run([rwctl, "runs", "list"], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, RW_SERVER=server.address))
    assert via_env.returncode == 0 and "runs" in json.loads(via_env.stdout)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_scripts_cover_the_runs_commands(rwctl, shell):
    result = subprocess.run([rwctl, "--generate-completion-script", shell], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    for word in ("runs", "archive", "from-step", "output"):
        assert word in result.stdout


class _Lines:
    """The lines a subprocess writes to standard output, collected by a thread as they arrive."""

    def __init__(self, process):
        import queue
        import threading

        self.lines = []
        self._queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process):
        for line in process.stdout:
            self._queue.put(line)

    def wait_for(self, predicate, what, timeout=30.0):
        import queue
        import time

        deadline = time.monotonic() + timeout
        while not predicate(self.lines):
            try:
                self.lines.append(self._queue.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"timed out waiting for {what}; got {self.lines!r}")
        return self.lines


def _sequences(lines):
    return [json.loads(line)["sequence"] for line in lines]


@pytest.fixture
def restartable_server(rw_server_binary):
    from rewardweighting.server import LocalServer

    with LocalServer(rw_server_binary) as running:
        yield running


def test_watch_follows_across_a_server_restart_and_stops_on_ctrl_c(rwctl, restartable_server):
    import signal
    import threading

    from rewardweighting import RetryPolicy, RewardWeighting

    server = restartable_server
    client = RewardWeighting(server.address, retry=RetryPolicy(max_attempts=40, initial_backoff=0.05,
                                                               max_backoff=0.5))
    run = client.create_run("watched", OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, total_steps=20)
    watch = subprocess.Popen([rwctl, "runs", "watch", "watched", "--from-sequence", "1", "--output", "json",
                              "--server", server.address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = _Lines(watch)
    try:
        for step in (1, 2, 3):
            run.report_gradients(step, np.eye(3) * step)
        lines.wait_for(lambda got: len(got) >= 4, "the first four events")
        server.stop()
        threading.Timer(1.0, server.start).start()
        for step in (4, 5, 6):  # retried by the client until the server is back
            run.report_gradients(step, np.eye(3) * step)
        got = lines.wait_for(lambda got: len(got) >= 7, "the events after the restart")
        # Every event once, in order: nothing missed, nothing repeated across the reconnection.
        assert _sequences(got) == list(range(1, 8))
        assert [json.loads(line)["kind"] for line in got] == ["EVENT_KIND_CREATED"] + ["EVENT_KIND_GRADIENTS"] * 6
        np.testing.assert_array_equal(json.loads(got[-1])["gradients"]["weights"], run.state.weights)
        watch.send_signal(signal.SIGINT)
        assert watch.wait(timeout=10) == 0  # Ctrl-C stops it cleanly
    finally:
        if watch.poll() is None:
            watch.kill()
        client.close()


def test_watch_from_now_ends_when_the_run_is_archived(rwctl, server, client, run_id):
    run = client.create_run(run_id, OBJECTIVES, method="hypervolume")
    run.report_checkpoint(0, [0.4, 900.0, 0.3])
    watch = subprocess.Popen([rwctl, "runs", "watch", run_id, "--output", "json", "--server", server.address],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = _Lines(watch)
    try:
        # Live only: it starts after the run's last event when it has read the run, and says so on stderr.
        assert "from sequence 3" in watch.stderr.readline()
        run.report_checkpoint(5, [0.5, 800.0, 0.4])
        client.run(run_id).archive("done")
        assert watch.wait(timeout=30) == 0
        got = lines.wait_for(lambda got: len(got) >= 2, "the checkpoint and the archive")
        assert [json.loads(line)["kind"] for line in got] == ["EVENT_KIND_CHECKPOINT", "EVENT_KIND_ARCHIVED"]
        assert _sequences(got) == [3, 4]
    finally:
        if watch.poll() is None:
            watch.kill()



def _train(run, steps, rng, checkpoints=True, start=1):
    for step in range(start, start + steps):
        gradients = rng.normal(size=(3, 16))
        run.report_gradients(step, gradients @ gradients.T / 16)
        run.scalarize(step, rng.random((4, 3)))
        if checkpoints and step % 3 == 0:
            run.report_checkpoint(step, [0.3 + 0.02 * step, 900.0 - 10 * step + rng.normal(0, 20), rng.random()])


def test_export_import_replay_round_trip(rwctl, server, client, run_id, tmp_path):
    run = client.create_run(run_id, OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, schedule="polynomial",
                            total_steps=40, accumulation_steps=2)
    rng = np.random.default_rng(5)
    run.report_checkpoint(0, [0.3, 900.0, 0.2])
    _train(run, 12, rng)
    run.resume(6)  # steps 7–12 superseded, then sent again differently
    _train(run, 6, rng, start=7)
    run.report_gradients(13, np.eye(3), learning_rate=5e-4)  # a trainer-given learning rate
    state = run.state

    exported = tmp_path / "run.jsonl"
    result = _run(rwctl, server, "runs", "export", run_id, "--file", str(exported), output=None)
    assert result.returncode == 0, result.stderr
    lines = exported.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "rewardweighting.run-export" and header["version"] == 1
    assert header["run"]["state"]["weights"] == list(state.weights)
    events = [json.loads(line) for line in lines[1:]]
    assert [e["sequence"] for e in events] == list(range(1, state.last_sequence + 1))
    assert sum(e.get("superseded", False) for e in events) > 0
    gradients = [e for e in events if e["kind"] == "EVENT_KIND_GRADIENTS"]
    assert gradients[-1]["gradients"]["reported_learning_rate"] == 5e-4
    assert gradients[-1]["gradients"]["gram"]["values"] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]

    csv_text = _run(rwctl, server, "runs", "export", run_id, "--format", "csv", output=None).stdout
    csv_lines = csv_text.splitlines()
    assert csv_lines[0].split(",")[:8] == ["sequence", "step", "kind", "superseded", "recorded_at",
                                           "weight_accuracy", "weight_length", "weight_clarity"]
    assert len(csv_lines) == 1 + state.last_sequence

    # Replay by id and from the file: every decision and the final state, bit for bit.
    for source in (run_id, str(exported)):
        replayed = _json(rwctl, server, "runs", "replay", source)
        assert replayed == {"run_id": run_id, "events": state.last_sequence, "identical": True, "divergence": None}

    imported = _json(rwctl, server, "runs", "import", str(exported), "--id", run_id + "-copy")
    assert imported["run"]["state"]["weights"] == list(state.weights)
    assert imported["summaries_skipped"] == sum(e["kind"] == "EVENT_KIND_SCALARIZE" for e in events)
    assert client.run(run_id + "-copy").state.r_pareto == state.r_pareto
    assert _json(rwctl, server, "runs", "replay", run_id + "-copy")["identical"] is True


def test_simulate_reproduces_the_recorded_trajectory_and_varies_with_eta(rwctl, server, client, run_id):
    run = client.create_run(run_id, OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, schedule="polynomial",
                            total_steps=40)
    _train(run, 10, np.random.default_rng(8))
    same = _json(rwctl, server, "runs", "simulate", run_id)
    gradient_rows = [row for row in same["rows"] if row["kind"] == "gradients"]
    assert len(gradient_rows) == 10
    for row in same["rows"]:
        assert row["simulated_weights"] == row["recorded_weights"]  # exactly, every step
        assert row["simulated_r_pareto"] == row["recorded_r_pareto"]
    assert same["rows"][-1]["simulated_weights"] == list(run.state.weights)
    faster = _json(rwctl, server, "runs", "simulate", run_id, "--eta", "1e-2")
    assert faster["rows"][-1]["simulated_weights"] != faster["rows"][-1]["recorded_weights"]
    # Another method: the recorded checkpoints give r_pareto; gradient reports are skipped and counted.
    hypervolume = _json(rwctl, server, "runs", "simulate", run_id, "--method", "hypervolume")
    assert hypervolume["skipped_reports"] == 10
    checkpoints = [row for row in hypervolume["rows"] if row["kind"] == "checkpoint"]
    assert checkpoints and all(row["simulated_weights"] == [1 / 3, 1 / 3, 1 / 3] for row in checkpoints)
    table = _run(rwctl, server, "runs", "simulate", run_id, output="table")
    assert table.stdout.splitlines()[0].split()[:5] == ["sequence", "step", "kind", "recorded_accuracy",
                                                        "recorded_length"]


def test_replay_detects_a_tampered_state_row(rwctl, rw_server_binary, tmp_path):
    import re
    import sqlite3

    from rewardweighting import RewardWeighting
    from rewardweighting.server import LocalServer

    database = tmp_path / "runs.sqlite"
    with LocalServer(rw_server_binary, database=database) as server:
        with RewardWeighting(server.address) as client:
            run = client.create_run("tampered", OBJECTIVES, method="gradient", eta=1e-3, mu=1e-3, total_steps=40,
                                    accumulation_steps=3)
            _train(run, 12, np.random.default_rng(2), checkpoints=False)
        assert _json(rwctl, server, "runs", "replay", "tampered")["identical"] is True
        server.stop()
        with sqlite3.connect(database) as db:
            (state,) = db.execute("SELECT state FROM run_states WHERE run_id = 'tampered'").fetchone()
            # One byte of the stored snapshot that the server cannot cross-check: the first significant digit of
            # the gradient accumulator's sum (W = 3: after step 8 it holds steps 7 and 8). The server folds the
            # later reports over it and serves the result; only a replay from the log shows the difference.
            assert json.loads(state)["gradient_accumulator"]["count"] == 2, state[:300]
            start = state.index('"influence_sum":[') + len('"influence_sum":[')
            match = re.compile(r"-?0?\.?0*([1-8])").match(state, start)
            assert match, state[start:start + 40]
            digit = match.start(1)
            tampered = state[:digit] + str(int(state[digit]) + 1) + state[digit + 1:]
            db.execute("UPDATE run_states SET state = ? WHERE run_id = 'tampered'", (tampered,))
        server.start()
        result = _run(rwctl, server, "runs", "replay", "tampered")
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert result.stdout, result.stderr
        assert json.loads(result.stdout)["identical"] is False
        assert "diverges at the final state: state.weights[" in result.stderr


def test_a_broken_export_file_names_its_line(rwctl, server, tmp_path):
    good = tmp_path / "good.jsonl"
    run_id = "broken-export-source"
    assert _run(rwctl, server, "runs", "create", "--id", run_id, "--objectives", "a:max,b:min").returncode == 0
    assert _run(rwctl, server, "runs", "export", run_id, "--file", str(good)).returncode == 0
    header, created = good.read_text().splitlines()[:2]
    cases = {
        "not an export": ('{"format": "something-else"}\n', "line 1: not a run export"),
        "garbage line": (header + "\n" + created + "\n{not json\n", "line 3: not a DecisionEvent"),
        "a gap": (header + "\n" + created.replace('"sequence":1', '"sequence":2') + "\n", "line 2: sequence is 2"),
    }
    for name, (text, named) in cases.items():
        broken = tmp_path / f"{name}.jsonl"
        broken.write_text(text)
        for command in (["runs", "replay", str(broken)], ["runs", "import", str(broken), "--id", "x"]):
            result = _run(rwctl, server, *command)
            assert result.returncode == 2, (name, command, result.stderr)
            assert named in result.stderr and str(broken) in result.stderr, (name, result.stderr)


def test_the_token_is_sent_as_a_bearer_header(rwctl):
    """Against a stand-in gRPC server (grpcio) that records metadata: --token and RW_TOKEN become
    `authorization: Bearer …`; the server's UNAUTHENTICATED is exit 1 with the status and the field."""
    from concurrent import futures

    import grpc

    from rewardweighting.v1 import trainer_pb2, trainer_pb2_grpc

    class Recording(trainer_pb2_grpc.TrainerServiceServicer):
        def __init__(self):
            self.metadata = []

        def ListRuns(self, request, context):
            metadata = dict(context.invocation_metadata())
            self.metadata.append(metadata)
            if metadata.get("authorization") != "Bearer s3cret":
                context.abort(grpc.StatusCode.UNAUTHENTICATED, "authorization: missing or wrong bearer token")
            return trainer_pb2.ListRunsResponse()

    service = Recording()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trainer_pb2_grpc.add_TrainerServiceServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        address = f"127.0.0.1:{port}"
        flag = subprocess.run([rwctl, "runs", "list", "--server", address, "--token", "s3cret"],
                              capture_output=True, text=True, timeout=60)
        assert flag.returncode == 0, flag.stderr
        assert json.loads(flag.stdout) == {"runs": []}
        assert service.metadata[-1]["authorization"] == "Bearer s3cret"
        env = subprocess.run([rwctl, "runs", "list", "--server", address], capture_output=True, text=True,
                             timeout=60, env=dict(os.environ, RW_TOKEN="s3cret"))
        assert env.returncode == 0 and service.metadata[-1]["authorization"] == "Bearer s3cret"
        missing = subprocess.run([rwctl, "runs", "list", "--server", address], capture_output=True, text=True,
                                 timeout=60, env={k: v for k, v in os.environ.items() if k != "RW_TOKEN"})
        assert missing.returncode == 1
        assert "UNAUTHENTICATED: authorization:" in missing.stderr
        assert "authorization" not in service.metadata[-1]
    finally:
        server.stop(None)


def test_create_a_gradient_run_with_a_gramian_update(rwctl, server, client, run_id):
    created = _json(rwctl, server, "runs", "create", "--id", run_id, "--objectives", "accuracy:max,length:min",
                    "--method", "gradient", "--update", "upgrad", "--regularization", "0.05",
                    "--accumulation-steps", "2")
    gradient = created["run"]["config"]["gradient"]
    assert gradient["update"] == "GRADIENT_UPDATE_UPGRAD"
    assert gradient["regularization"] == 0.05 and gradient["accumulation_steps"] == 2
    run = client.run(run_id)
    assert not run.report_gradients(1, np.diag([4.0, 1.0])).weights_updated
    # Orthogonal gradients are left as they are by the dual-cone projection: UPGrad's weights are (1/2, 1/2).
    np.testing.assert_allclose(run.report_gradients(2, np.diag([4.0, 1.0])).weights, [0.5, 0.5], atol=1e-15)
    # A setting the update does not use is refused by the server, naming it (exit 1).
    refused = _run(rwctl, server, "runs", "create", "--id", run_id + "-x", "--objectives", "a:max,b:max",
                   "--method", "gradient", "--update", "mgda", "--aligned-mtl-scale", "rmse")
    assert refused.returncode == 1 and "gradient.aligned_mtl_scale" in refused.stderr
    missing = _run(rwctl, server, "runs", "create", "--id", run_id + "-y", "--objectives", "a:max,b:max",
                   "--method", "gradient")
    assert missing.returncode != 0 and "--eta" in missing.stderr


def test_weights_compare_replays_the_gram_matrices_under_every_update(rwctl, server, client, run_id, tmp_path):
    from test_gramian_updates import _reference

    run = client.create_run(run_id, ["accuracy", "length", "clarity"], "gradient", eta=1e-6, mu=1e-5,
                            total_steps=10, weights=[0.5, 0.25, 0.25])
    rng = np.random.default_rng(7)
    recorded, grams = [], []
    for step in range(1, 7):
        a = rng.normal(size=(3, 5)) * rng.uniform(0.2, 3, size=(3, 1))
        grams.append(a @ a.T)
        recorded.append(list(run.report_gradients(step, grams[-1]).weights))
    compared = _json(rwctl, server, "weights", "compare", run_id)
    assert compared["updates"] == ["mirror-descent", "mgda", "upgrad", "dualproj", "imtl-g", "aligned-mtl", "cagrad",
                                   "pcgrad"]
    assert compared["objectives"] == ["accuracy", "length", "clarity"]
    assert [row["step"] for row in compared["rows"]] == list(range(1, 7))
    for row, weights, g in zip(compared["rows"], recorded, grams):
        # The run's own update reproduces the recorded weights bit for bit; the others are their weightings of G.
        assert row["weights"]["mirror-descent"] == weights
        for update in ("mgda", "upgrad", "dualproj", "imtl-g", "aligned-mtl", "cagrad"):
            np.testing.assert_allclose(row["weights"][update], _reference(update.replace("-", "_"), g), atol=1e-9)

    # From an export file too, a subset, as CSV with UPDATE:OBJECTIVE columns.
    export = tmp_path / "run.jsonl"
    result = _run(rwctl, server, "runs", "export", run_id, "--file", str(export), output=None)
    assert result.returncode == 0, result.stderr
    csv = _run(rwctl, server, "weights", "compare", str(export), "--updates", "mgda,upgrad", output="csv")
    assert csv.returncode == 0, csv.stderr
    lines = csv.stdout.strip().splitlines()
    assert lines[0].split(",") == ["sequence", "step", "mgda:accuracy", "mgda:length", "mgda:clarity",
                                   "upgrad:accuracy", "upgrad:length", "upgrad:clarity"]
    assert len(lines) == 7

    # A Gramian run has no η/μ: mirror descent needs them given; a run of another method has no Gram matrices.
    gramian = client.create_run(run_id + "-g", ["a", "b"], "gradient", update="mgda")
    gramian.report_gradients(1, np.diag([4.0, 1.0]))
    refused = _run(rwctl, server, "weights", "compare", run_id + "-g")
    assert refused.returncode == 2 and "--eta, --mu" in refused.stderr
    given = _json(rwctl, server, "weights", "compare", run_id + "-g", "--eta", "1e-6", "--mu", "1e-5")
    assert given["rows"][0]["weights"]["mgda"] == list(gramian.state.weights)
    # runs simulate with no option changed keeps the run's update, so it reproduces the recorded weights.
    simulated = _json(rwctl, server, "runs", "simulate", run_id + "-g")
    assert [r["simulated_weights"] for r in simulated["rows"]] == [r["recorded_weights"] for r in simulated["rows"]]
    client.create_run(run_id + "-f", ["a", "b"], "fixed")
    other = _run(rwctl, server, "weights", "compare", run_id + "-f")
    assert other.returncode == 2 and "only gradient runs" in other.stderr


def test_create_a_hypervolume_run_with_a_scale(rwctl, server, client, run_id):
    created = _json(rwctl, server, "runs", "create", "--id", run_id, "--objectives", "accuracy:max,length:min",
                    "--method", "hypervolume", "--reference-point", "0.5,800", "--hypervolume-scale",
                    "reference-box", "--objective-ranges", "0.1,100")
    hypervolume = created["run"]["config"]["hypervolume"]
    assert hypervolume["scale"] == "HYPERVOLUME_SCALE_REFERENCE_BOX" and hypervolume["objective_ranges"] == [0.1, 100]
    result = client.run(run_id).report_checkpoint(1, [0.52, 790.0])
    # ΔHV = 0.02 × 10 = 0.2 of a declared box of 0.1 × 100 = 10.
    assert result.scaled_hypervolume_contribution == pytest.approx(0.02, rel=1e-12)
    refused = _run(rwctl, server, "runs", "create", "--id", run_id + "-x", "--objectives", "a:max,b:max",
                   "--method", "hypervolume", "--objective-ranges", "1,1")
    assert refused.returncode == 1 and "hypervolume.objective_ranges" in refused.stderr


def test_create_a_tchebycheff_run(rwctl, server, client, run_id):
    created = _json(rwctl, server, "runs", "create", "--id", run_id, "--objectives", "accuracy:max,clarity:max",
                    "--weights", "0.75,0.25", "--scalarization", "smooth-tchebycheff", "--smoothing", "0.2",
                    "--ideal-point", "1,1")
    config = created["run"]["config"]
    assert config["scalarization"] == "SCALARIZATION_FUNCTION_SMOOTH_TCHEBYCHEFF"
    assert config["smoothing"] == 0.2 and config["ideal_point"] == [1, 1]
    out = client.run(run_id).scalarize(1, [[0.5, 1.0]])
    # −μ·log(exp(0.75·0.5/μ) + exp(0/μ)) with μ = 0.2.
    assert out.rewards[0] == pytest.approx(-0.2 * math.log(math.exp(0.375 / 0.2) + 1), rel=1e-13)
    refused = _run(rwctl, server, "runs", "create", "--id", run_id + "-x", "--objectives", "a:max,b:max",
                   "--scalarization", "tchebycheff", "--smoothing", "0.1")
    assert refused.returncode == 1 and "config.smoothing" in refused.stderr


def test_runs_indicators_of_a_runs_pareto_buffer(rwctl, server, client, run_id, tmp_path):
    run = client.create_run(run_id, [("accuracy", "max"), ("length", "min")], method="hypervolume")
    run.report_checkpoint(0, [0.5, 800])  # the reference point
    scores = [[0.6, 700], [0.7, 750], [0.55, 650]]  # mutually non-dominated, each adds hypervolume
    for step, s in enumerate(scores, start=1):
        assert run.report_checkpoint(step, s).entered_buffer
    reference = tmp_path / "front.csv"
    reference.write_text("0.7,650\n")
    got = _json(rwctl, server, "runs", "indicators", run_id, "--divisions", "2", "--reference-front", str(reference))
    assert got["run_id"] == run_id and got["objectives"] == ["accuracy", "length"]
    # Recomputed in the maximisation convention (length negated).
    points = np.array(scores) * [1, -1]
    assert got["cardinality"] == 3
    gaps = np.diff(np.sort(points, axis=0), axis=0)
    assert got["sparsity"] == pytest.approx((gaps ** 2).sum() / 2, rel=1e-12)
    weights = np.array([[1, 0], [0.5, 0.5], [0, 1]])
    assert got["expected_utility"] == pytest.approx((weights @ points.T).max(axis=1).mean(), rel=1e-12)
    target = np.array([0.7, -650])
    assert got["igd"] == pytest.approx(np.linalg.norm(points - target, axis=1).min(), rel=1e-12)
    assert got["igd_plus"] == pytest.approx(np.linalg.norm(np.maximum(target - points, 0), axis=1).min(), rel=1e-12)
    empty = client.create_run(run_id + "-empty", ["a", "b"], method="hypervolume")
    refused = _run(rwctl, server, "runs", "indicators", empty.run_id)
    assert refused.returncode == 2 and "buffer" in refused.stderr
