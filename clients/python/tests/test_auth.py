"""Bearer-token authentication, roles and tenants against a real rw-server started with --auth-tokens.

The token file (written to tmp_path) holds four tokens: a trainer and a viewer of team-a, a trainer of team-b and
an admin of the tenant ops. gRPC calls go through the Python client (``token=``, ``tenant=``), the HTTP/JSON
API through plain urllib. A second server checks the SIGHUP reload of the file, and two more the refusal to bind
a non-loopback address without tokens.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import pathlib
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest

from rewardweighting import (
    AsyncRewardWeighting,
    NotFoundError,
    PermissionDeniedError,
    RetryPolicy,
    RewardWeighting,
    UnauthenticatedError,
)
from rewardweighting.__main__ import main as cli_main
from rewardweighting.server import LocalServer

# name → (tenant, role)
TOKENS: Dict[str, Tuple[str, str]] = {
    "trainer-a": ("team-a", "trainer"),
    "viewer-a": ("team-a", "viewer"),
    "trainer-b": ("team-b", "trainer"),
    "admin": ("ops", "admin"),
}
OBJECTIVES_A = [("accuracy", "max"), ("length", "min")]
OBJECTIVES_B = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]
ONCE = RetryPolicy(max_attempts=1)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _write_yaml(path: pathlib.Path, secrets_by_name: Dict[str, str], roles: Dict[str, Tuple[str, str]]) -> None:
    lines = ["tokens:"]
    for name, (tenant, role) in roles.items():
        lines += [f"  - name: {name}", f"    sha256: {_sha256(secrets_by_name[name])}", f"    tenant: {tenant}",
                  f"    role: {role}"]
    _replace(path, "\n".join(lines) + "\n")


def _write_json(path: pathlib.Path, secrets_by_name: Dict[str, str], roles: Dict[str, Tuple[str, str]]) -> None:
    tokens = [{"name": name, "sha256": _sha256(secrets_by_name[name]), "tenant": tenant, "role": role}
              for name, (tenant, role) in roles.items()]
    _replace(path, json.dumps({"tokens": tokens}))


def _replace(path: pathlib.Path, text: str) -> None:
    """Writes the file atomically, so a reload never reads half of it."""
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    os.replace(partial, path)


def _start(binary: str, token_file: pathlib.Path) -> LocalServer:
    server = LocalServer(binary, extra_args=["--auth-tokens", str(token_file), "--kernels", "in-process"])
    try:
        return server.start(timeout=30.0)
    except BaseException:
        server.stop()
        server._tmp.cleanup()
        raise


def _stop(server: LocalServer) -> None:
    try:
        server.stop(timeout=10.0)
    finally:
        server._tmp.cleanup()


def _http(url: str, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, str], bytes]:
    """(status, headers, body) of a GET, also for 4xx answers."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Env:
    """The running server, its tokens, and clients that are closed at teardown."""

    def __init__(self, server: LocalServer, tokens: Dict[str, str]) -> None:
        self.server = server
        self.tokens = tokens
        self._clients: List[RewardWeighting] = []

    def client(self, name: Optional[str] = None, *, token: Optional[str] = None,
               tenant: Optional[str] = None) -> RewardWeighting:
        client = RewardWeighting(self.server.address, token=token or (self.tokens[name] if name else None),
                                 tenant=tenant, retry=ONCE, timeout=10.0)
        self._clients.append(client)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()


@pytest.fixture(scope="module")
def auth(rw_server_binary, tmp_path_factory):
    directory = tmp_path_factory.mktemp("auth")
    tokens = {name: secrets.token_urlsafe(24) for name in TOKENS}
    token_file = directory / "tokens.yaml"
    _write_yaml(token_file, tokens, TOKENS)
    server = _start(rw_server_binary, token_file)
    env = Env(server, tokens)
    try:
        yield env
    finally:
        env.close()
        _stop(server)


@pytest.fixture(scope="module")
def runs(auth):
    """team-a's "exp-1" (gradient method, scalarised and given gradients at step 1 by trainer-a), then team-b's
    own "exp-1" (fixed weights, scalarised at step 7 by trainer-b), which trainer-b could not see before."""
    trainer_a = auth.client("trainer-a")
    run = trainer_a.create_run("exp-1", OBJECTIVES_A, method="gradient", eta=0.1, mu=1.0, total_steps=10)
    scalarized = run.scalarize(1, np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]))
    gradients = run.report_gradients(1, np.array([[1.0, 0.2], [0.2, 0.5]]))

    trainer_b = auth.client("trainer-b")
    with pytest.raises(NotFoundError) as b_lookup:
        trainer_b.get_run("exp-1")  # team-a's run is not revealed
    with pytest.raises(NotFoundError) as b_write:
        trainer_b.run("exp-1").scalarize(1, np.ones((2, 2)))
    run_b = trainer_b.create_run("exp-1", OBJECTIVES_B, method="fixed", weights=[0.2, 0.3, 0.5])
    scalarized_b = run_b.scalarize(7, np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 1.0]]))
    return {"a_created": run.created, "a_scalarized": scalarized, "a_gradients": gradients,
            "b_lookup": b_lookup.value, "b_write": b_write.value, "b_created": run_b.created,
            "b_scalarized": scalarized_b}


# -- who you are ---------------------------------------------------------------------------------------------


def test_a_call_without_a_token_is_unauthenticated(auth):
    with pytest.raises(UnauthenticatedError) as raised:
        list(auth.client().list_runs())
    assert raised.value.status == "UNAUTHENTICATED"
    assert raised.value.field == "authorization"
    with pytest.raises(UnauthenticatedError):
        auth.client().get_run("exp-1")


def test_an_unknown_token_is_unauthenticated(auth):
    with pytest.raises(UnauthenticatedError) as raised:
        auth.client(token="not-" + auth.tokens["admin"]).get_run("exp-1")
    assert raised.value.field == "authorization"
    with pytest.raises(UnauthenticatedError):
        auth.client(token=auth.tokens["trainer-a"] + "x").create_run("other", OBJECTIVES_A)


def test_http_runs_need_a_token_and_health_does_not(auth):
    base = auth.server.http_url
    status, headers, body = _http(f"{base}/v1/runs")
    assert status == 401
    assert headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert json.loads(body)["code"] == "UNAUTHENTICATED"
    status, headers, _ = _http(f"{base}/v1/runs", {"Authorization": "Bearer wrong"})
    assert status == 401 and headers.get("WWW-Authenticate", "").startswith("Bearer")
    assert _http(f"{base}/healthz")[0] == 200
    assert _http(f"{base}/readyz")[0] == 200
    assert _http(f"{base}/v1/runs", {"Authorization": f"Bearer {auth.tokens['trainer-a']}"})[0] == 200


# -- roles and tenants ---------------------------------------------------------------------------------------


def test_trainer_writes_and_viewer_only_reads(auth, runs):
    viewer = auth.client("viewer-a")
    info = viewer.get_run("exp-1")
    assert info.tenant == "team-a"
    assert [o.name for o in info.objectives] == ["accuracy", "length"]
    assert info.state.last_scalarize_step == 1 and info.state.last_gradients_step == 1
    np.testing.assert_allclose(info.state.weights, runs["a_gradients"].weights)
    assert [e.kind for e in _first_events(viewer, "exp-1", 3)] == ["created", "scalarize", "gradients"]

    with pytest.raises(PermissionDeniedError) as raised:
        viewer.run("exp-1").scalarize(2, np.array([[1.0, 0.0]]))
    assert raised.value.status == "PERMISSION_DENIED"
    with pytest.raises(PermissionDeniedError):
        viewer.run("exp-1").report_gradients(2, np.eye(2))
    with pytest.raises(PermissionDeniedError):
        viewer.run("exp-1").report_projected_gradients(2, np.eye(2, 8, dtype=np.float32))
    with pytest.raises(PermissionDeniedError):
        viewer.run("exp-1").report_checkpoint(2, [0.5, 100.0])
    with pytest.raises(PermissionDeniedError):
        viewer.run("exp-1").resume(0)
    with pytest.raises(PermissionDeniedError):
        viewer.run("exp-1").archive("not mine to archive")
    with pytest.raises(PermissionDeniedError):
        viewer.create_run("exp-viewer", OBJECTIVES_A)
    # nothing the viewer tried was applied
    after = auth.client("trainer-a").get_run("exp-1")
    assert after.state.last_sequence == info.state.last_sequence and after.state.status == "active"


def test_viewer_may_scalarize_a_validation_batch(auth, runs):
    # A validation batch records nothing (sequence 0): a read, which a viewer may make.
    out = auth.client("viewer-a").run("exp-1").scalarize(2, np.array([[1.0, 0.0]]), validation=True)
    assert out.sequence == 0


def test_trainer_creates_scalarizes_and_reports_gradients(auth, runs):
    assert runs["a_created"] is True
    np.testing.assert_allclose(runs["a_scalarized"].rewards, [0.5, 0.5, 0.5])
    assert runs["a_gradients"].weights_updated
    info = auth.client("trainer-a").get_run("exp-1")
    assert info.tenant == "team-a" and info.method == "gradient"
    np.testing.assert_allclose(info.state.weights, runs["a_gradients"].weights)


def test_run_ids_are_per_tenant(auth, runs):
    assert runs["b_lookup"].field == "run_id" and runs["b_write"].status == "NOT_FOUND"
    assert runs["b_created"] is True  # its own "exp-1", beside team-a's
    np.testing.assert_allclose(runs["b_scalarized"].rewards, [1.0, 0.5])
    trainer_b = auth.client("trainer-b")
    info_b = trainer_b.get_run("exp-1")
    assert info_b.tenant == "team-b" and info_b.method == "fixed"
    assert [o.name for o in info_b.objectives] == ["accuracy", "length", "clarity"]
    np.testing.assert_allclose(info_b.state.weights, [0.2, 0.3, 0.5])
    assert info_b.state.last_scalarize_step == 7 and info_b.state.last_gradients_step is None

    info_a = auth.client("trainer-a").get_run("exp-1")  # untouched by team-b's run of the same id
    assert info_a.tenant == "team-a" and len(info_a.objectives) == 2
    assert info_a.state.last_scalarize_step == 1 and info_a.state.last_gradients_step == 1
    np.testing.assert_allclose(info_a.state.weights, runs["a_gradients"].weights)
    # the same create again is the same run, not a new one
    assert trainer_b.create_run("exp-1", OBJECTIVES_B, method="fixed", weights=[0.2, 0.3, 0.5]).created is False


def test_admin_lists_every_tenant_or_the_one_it_names(auth, runs):
    every = sorted((r.tenant, r.run_id) for r in auth.client("admin").list_runs())
    assert ("team-a", "exp-1") in every and ("team-b", "exp-1") in every
    only_b = [(r.tenant, r.run_id) for r in auth.client("admin", tenant="team-b").list_runs()]
    assert only_b == [("team-b", "exp-1")]
    admin_a = auth.client("admin", tenant="team-a")
    assert admin_a.get_run("exp-1").tenant == "team-a"
    with pytest.raises(NotFoundError):
        auth.client("admin").get_run("exp-1")  # without rw-tenant, the admin acts in its own tenant, ops

    assert [r.run_id for r in auth.client("trainer-a", tenant="team-a").list_runs()] == ["exp-1"]
    with pytest.raises(PermissionDeniedError) as raised:
        list(auth.client("trainer-a", tenant="team-b").list_runs())
    assert raised.value.field == "rw-tenant"
    with pytest.raises(PermissionDeniedError):
        auth.client("viewer-a", tenant="team-b").get_run("exp-1")


def test_async_client_sends_token_and_tenant(auth, runs):

    async def scenario():
        async with AsyncRewardWeighting(auth.server.address, token=auth.tokens["admin"], tenant="team-b",
                                        retry=ONCE, timeout=10.0) as admin_b:
            listed = [(r.tenant, r.run_id) async for r in admin_b.list_runs()]
            assert listed == [("team-b", "exp-1")]
            assert (await admin_b.get_run("exp-1")).tenant == "team-b"
        async with AsyncRewardWeighting(auth.server.address, token=auth.tokens["trainer-a"], tenant="team-b",
                                        retry=ONCE, timeout=10.0) as wrong:
            with pytest.raises(PermissionDeniedError):
                await wrong.get_run("exp-1")
        async with AsyncRewardWeighting(auth.server.address, retry=ONCE, timeout=10.0) as anonymous:
            with pytest.raises(UnauthenticatedError):
                await anonymous.get_run("exp-1")

    asyncio.run(scenario())


def test_cli_reads_token_and_tenant_from_the_environment(auth, runs, monkeypatch, capsys):
    monkeypatch.setenv("RW_TOKEN", auth.tokens["admin"])
    monkeypatch.setenv("RW_TENANT", "team-b")
    assert cli_main(["--target", auth.server.address, "--json", "list"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["tenant"], r["run_id"]) for r in listed] == [("team-b", "exp-1")]
    assert cli_main(["--target", auth.server.address, "--tenant", "team-a", "show", "exp-1"]) == 0
    assert "objectives: accuracy (max), length (min)" in capsys.readouterr().out
    monkeypatch.delenv("RW_TOKEN")
    monkeypatch.delenv("RW_TENANT")
    assert cli_main(["--target", auth.server.address, "list"]) == 1
    assert "UNAUTHENTICATED" in capsys.readouterr().err


def test_http_access_token_query_and_tenants(auth, runs):
    base = auth.server.http_url
    status, _, body = _http(f"{base}/v1/runs/exp-1?access_token={auth.tokens['viewer-a']}")
    assert status == 200 and json.loads(body)["run_id"] == "exp-1"
    assert len(json.loads(body)["config"]["objectives"]) == 2  # team-a's, not team-b's
    assert _http(f"{base}/v1/runs/exp-1?access_token=wrong")[0] == 401
    # the header works the same; another tenant's run is 404, naming another tenant 403
    assert _http(f"{base}/v1/runs/exp-1", {"Authorization": f"Bearer {auth.tokens['viewer-a']}"})[0] == 200
    assert _http(f"{base}/v1/runs/exp-1", {"Authorization": f"Bearer {auth.tokens['admin']}"})[0] == 404
    assert _http(f"{base}/v1/runs/exp-1", {"Authorization": f"Bearer {auth.tokens['admin']}",
                                            "rw-tenant": "team-a"})[0] == 200
    status, _, body = _http(f"{base}/v1/runs", {"Authorization": f"Bearer {auth.tokens['trainer-a']}",
                                                "rw-tenant": "team-b"})
    assert status == 403 and json.loads(body)["field"] == "rw-tenant"


# -- reloading the token file --------------------------------------------------------------------------------


def _eventually(check: Callable[[], bool], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while True:
        if check():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _accepted(env: Env, token: str) -> bool:
    try:
        list(env.client(token=token).list_runs())
        return True
    except UnauthenticatedError:
        return False


def test_sighup_reloads_the_token_file(rw_server_binary, tmp_path):
    tokens = {name: secrets.token_urlsafe(24) for name in TOKENS}
    token_file = tmp_path / "tokens.yaml"
    _write_yaml(token_file, tokens, TOKENS)
    server = _start(rw_server_binary, token_file)
    env = Env(server, tokens)
    try:
        assert _accepted(env, tokens["viewer-a"])
        tokens["newcomer"] = secrets.token_urlsafe(24)
        assert not _accepted(env, tokens["newcomer"])
        roles = {name: TOKENS[name] for name in ("trainer-a", "trainer-b", "admin")}
        roles["newcomer"] = ("team-a", "trainer")
        _write_json(token_file, tokens, roles)  # JSON this time: either format is a token file
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGHUP)
        assert _eventually(lambda: _accepted(env, tokens["newcomer"])), server.log_tail()
        assert _eventually(lambda: not _accepted(env, tokens["viewer-a"])), server.log_tail()
        with pytest.raises(UnauthenticatedError):
            env.client("viewer-a").get_run("exp-1")
        created = env.client("newcomer").create_run("exp-new", OBJECTIVES_A)
        assert created.created and env.client("trainer-a").get_run("exp-new").tenant == "team-a"

        _replace(token_file, "tokens: [ {name: broken, sha256: \n")  # not YAML: the old tokens stay
        os.kill(server.process.pid, signal.SIGHUP)
        assert _eventually(lambda: "did not reload" in server.log_tail(50)), server.log_tail()
        assert server.process.poll() is None
        assert _accepted(env, tokens["newcomer"]) and _accepted(env, tokens["admin"])
        assert not _accepted(env, tokens["viewer-a"])
    finally:
        env.close()
        _stop(server)


# -- binding without tokens ----------------------------------------------------------------------------------


def _serve_open(binary: str, directory: pathlib.Path, *flags: str) -> subprocess.Popen:
    return subprocess.Popen(
        [binary, "--host", "0.0.0.0", "--port", "0", "--port-file", str(directory / "port"), "--http-port", "0",
         "--http-port-file", str(directory / "http-port"), "--database", str(directory / "runs.sqlite"),
         "--kernels", "in-process", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_a_non_loopback_host_needs_tokens_or_insecure_no_auth(rw_server_binary, tmp_path):
    refused = _serve_open(rw_server_binary, tmp_path)
    try:
        output, _ = refused.communicate(timeout=20)
    finally:
        if refused.poll() is None:
            refused.kill()
            refused.wait()
    assert refused.returncode != 0
    assert "host" in output and "--auth-tokens" in output, output
    assert not (tmp_path / "port").exists()

    allowed = _serve_open(rw_server_binary, tmp_path, "--insecure-no-auth")
    try:
        port_file, http_port_file = tmp_path / "port", tmp_path / "http-port"
        assert _eventually(lambda: allowed.poll() is not None or (
            port_file.exists() and port_file.read_text().strip().isdigit()
            and http_port_file.exists() and http_port_file.read_text().strip().isdigit()), within=20.0)
        assert allowed.poll() is None, allowed.communicate()[0]
        with RewardWeighting(f"127.0.0.1:{port_file.read_text().strip()}", retry=ONCE, timeout=10.0) as client:
            run = client.create_run("open-run", OBJECTIVES_A)  # open: every caller is the default tenant's admin
            assert run.created and client.get_run("open-run").tenant == "default"
    finally:
        if allowed.poll() is None:
            allowed.send_signal(signal.SIGTERM)
            try:
                allowed.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                allowed.kill()
                allowed.communicate()


# -- helpers -------------------------------------------------------------------------------------------------


def _first_events(client: RewardWeighting, run_id: str, count: int):
    events = []
    stream = client.run(run_id).watch(1, reconnect=False)
    try:
        for event in stream:
            events.append(event)
            if len(events) == count:
                break
    finally:
        stream.close()
    return events
