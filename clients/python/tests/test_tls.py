"""TLS and mutual TLS on both edges of a real rw-server (--tls-cert, --tls-key, --tls-client-ca), with
certificates made here by openssl: the Python client and rwctl over gRPC, urllib over HTTPS, and a certificate
reloaded on SIGHUP."""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request

import grpc
import numpy as np
import pytest

from rewardweighting import RetryPolicy, RewardWeighting
from rewardweighting.errors import UnavailableError
from rewardweighting.server import LocalServer

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


def _openssl(*args: str, cwd: pathlib.Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _issue(directory: pathlib.Path, name: str, subject: str, ca: str, server: bool) -> None:
    """A key and a certificate signed by the CA `ca` (127.0.0.1 and localhost for a server)."""
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{name}.key",
             "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    extensions = directory / f"{name}.ext"
    extensions.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n" if server
        else "extendedKeyUsage=clientAuth\n")
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key", "-CAcreateserial",
             "-days", "2", "-out", f"{name}.crt", "-extfile", extensions.name, cwd=directory)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> pathlib.Path:
    directory = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                 f"{ca}.key", "-out", f"{ca}.crt", "-days", "2", "-subj", f"/CN=rw test {ca}", cwd=directory)
    _issue(directory, "server", "/CN=rw-server", "ca", server=True)
    _issue(directory, "server2", "/CN=rw-server-renewed", "ca", server=True)
    _issue(directory, "client", "/CN=trainer", "ca", server=False)
    _issue(directory, "stranger", "/CN=stranger", "other-ca", server=False)
    return directory


def _start(binary: str, pki: pathlib.Path, live: pathlib.Path, mtls: bool) -> LocalServer:
    shutil.copy(pki / "server.crt", live / "tls.crt")
    shutil.copy(pki / "server.key", live / "tls.key")
    args = ["--kernels", "in-process", "--tls-cert", str(live / "tls.crt"), "--tls-key", str(live / "tls.key")]
    if mtls:
        args += ["--tls-client-ca", str(pki / "ca.crt")]
    return LocalServer(binary, extra_args=args).start(timeout=30.0)


def _credentials(pki: pathlib.Path, client: str = "") -> grpc.ChannelCredentials:
    root = (pki / "ca.crt").read_bytes()
    if not client:
        return grpc.ssl_channel_credentials(root_certificates=root)
    return grpc.ssl_channel_credentials(
        root_certificates=root, private_key=(pki / f"{client}.key").read_bytes(),
        certificate_chain=(pki / f"{client}.crt").read_bytes())


def _objectives():
    return [("accuracy", "max"), ("length", "min")]


def _served_certificate_subject(port: int, pki: pathlib.Path) -> str:
    """The CN of the certificate a new HTTPS connection gets."""
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            subject = dict(item[0] for item in tls.getpeercert()["subject"])
    return subject["commonName"]


def test_tls_on_grpc_and_http_and_a_certificate_reloaded_on_sighup(rw_server_binary, pki, tmp_path):
    server = _start(rw_server_binary, pki, tmp_path, mtls=False)
    try:
        with RewardWeighting(server.address, credentials=_credentials(pki), timeout=10) as client:
            run = client.create_run("tls-run", _objectives(), method="fixed")
            out = run.scalarize(1, np.array([[1.0, 2.0]]))
            assert out.rewards.shape == (1,)
        # A plaintext client does not get through.
        with RewardWeighting(server.address, timeout=3, retry=RetryPolicy(max_attempts=1)) as plain:
            with pytest.raises(UnavailableError):
                plain.get_run("tls-run")
        # HTTPS, verified against the test CA.
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        with urllib.request.urlopen(f"https://127.0.0.1:{server.http_port}/v1/runs/tls-run", context=context,
                                    timeout=10) as response:
            assert response.status == 200 and b'"run_id":"tls-run"' in response.read()
        with pytest.raises(Exception):
            urllib.request.urlopen(f"http://127.0.0.1:{server.http_port}/healthz", timeout=5).read()
        # rwctl over TLS.
        rwctl = pathlib.Path(rw_server_binary).with_name("rwctl")
        shown = subprocess.run([str(rwctl), "runs", "show", "tls-run", "--server", server.address, "--tls-ca",
                                str(pki / "ca.crt"), "--output", "json"], capture_output=True, text=True, timeout=30)
        assert shown.returncode == 0, shown.stderr
        assert "tls-run" in shown.stdout

        # SIGHUP: new connections get the renewed certificate, without a restart.
        assert _served_certificate_subject(server.http_port, pki) == "rw-server"
        shutil.copy(pki / "server2.crt", tmp_path / "tls.crt")
        shutil.copy(pki / "server2.key", tmp_path / "tls.key")
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while _served_certificate_subject(server.http_port, pki) != "rw-server-renewed":
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.2)
        with RewardWeighting(server.address, credentials=_credentials(pki), timeout=10) as client:
            assert client.get_run("tls-run").run_id == "tls-run"
        # A broken file is logged and the renewed certificate stays.
        (tmp_path / "tls.crt").write_text("not a certificate")
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "did not reload" not in server.log_tail(200):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.2)
        assert _served_certificate_subject(server.http_port, pki) == "rw-server-renewed"
        assert server.process.poll() is None
    finally:
        server.stop(timeout=10.0)


def test_mutual_tls_needs_a_client_certificate_of_the_ca(rw_server_binary, pki, tmp_path):
    server = _start(rw_server_binary, pki, tmp_path, mtls=True)
    try:
        with RewardWeighting(server.address, credentials=_credentials(pki, "client"), timeout=10) as client:
            client.create_run("mtls-run", _objectives(), method="fixed")
        for who in ("", "stranger"):
            with RewardWeighting(server.address, credentials=_credentials(pki, who), timeout=3, retry=RetryPolicy(max_attempts=1)) as other:
                # The handshake fails: no connection, so UNAVAILABLE.
                with pytest.raises(UnavailableError):
                    other.get_run("mtls-run")
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / "client.crt"), str(pki / "client.key"))
        with urllib.request.urlopen(f"https://127.0.0.1:{server.http_port}/v1/runs/mtls-run", context=context,
                                    timeout=10) as response:
            assert response.status == 200
        anonymous = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        with pytest.raises(Exception):
            urllib.request.urlopen(f"https://127.0.0.1:{server.http_port}/v1/runs/mtls-run", context=anonymous,
                                   timeout=5).read()
        rwctl = pathlib.Path(rw_server_binary).with_name("rwctl")
        base = [str(rwctl), "runs", "show", "mtls-run", "--server", server.address, "--tls-ca", str(pki / "ca.crt"),
                "--output", "json"]
        assert subprocess.run(base + ["--tls-client-cert", str(pki / "client.crt"), "--tls-client-key",
                                      str(pki / "client.key")], capture_output=True, timeout=30).returncode == 0
        assert subprocess.run(base, capture_output=True, timeout=30).returncode != 0
    finally:
        server.stop(timeout=10.0)


def test_tls_settings_that_do_not_fit_stop_the_server_naming_the_key(rw_server_binary, pki, tmp_path):
    for args, named in ((["--tls-cert", str(pki / "server.crt")], "tlsKey"),
                        (["--tls-client-ca", str(pki / "ca.crt")], "tlsClientCa"),
                        (["--tls-cert", str(tmp_path / "missing.crt"), "--tls-key", str(pki / "server.key")], "tlsCert")):
        result = subprocess.run([rw_server_binary, "--port", "0", "--http-port", "0", "--database",
                                 str(tmp_path / "x.sqlite"), "--kernels", "in-process", *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert named in result.stderr, result.stderr
