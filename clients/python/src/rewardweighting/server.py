"""Start a local ``rw-server`` from Python: for tests, notebooks and the experiment.

    with LocalServer() as server:                     # finds or builds the binary, ephemeral port
        client = RewardWeighting(server.address)
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
from typing import List, Optional

__all__ = ["LocalServer", "find_rw_server"]


def find_rw_server(repository: Optional[os.PathLike] = None, build: bool = True) -> str:
    """The path of an ``rw-server`` binary: ``$RW_SERVER_BINARY``; ``rw-server`` on ``PATH``; the checkout's
    ``.build/{release,debug}/rw-server``; or, with ``build``, the result of ``swift build --product rw-server``
    in the checkout (``repository``, or the one this package sits in)."""
    explicit = os.environ.get("RW_SERVER_BINARY")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise FileNotFoundError(f"RW_SERVER_BINARY={explicit} is not an executable")
        return explicit
    root = pathlib.Path(repository) if repository else _checkout()
    if root is not None:
        for configuration in ("release", "debug"):
            candidate = root / ".build" / configuration / "rw-server"
            if os.access(candidate, os.X_OK):
                return str(candidate)
    on_path = shutil.which("rw-server")
    if on_path:
        return on_path
    if build and root is not None and (root / "Package.swift").exists():
        subprocess.run(["swift", "build", "--product", "rw-server"], cwd=root, check=True)
        bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=root, check=True,
                                  capture_output=True, text=True).stdout.strip()
        return str(pathlib.Path(bin_path) / "rw-server")
    raise FileNotFoundError("rw-server: set RW_SERVER_BINARY, put rw-server on PATH, or run `swift build` in the "
                            "RewardWeighting checkout")


def _checkout() -> Optional[pathlib.Path]:
    here = pathlib.Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "Package.swift").exists() and (parent / "Protos").is_dir():
            return parent
    cwd = pathlib.Path.cwd()
    for parent in (cwd, *cwd.parents):
        if (parent / "Package.swift").exists() and (parent / "Protos").is_dir():
            return parent
    return None


class LocalServer:
    """An ``rw-server`` child process on 127.0.0.1.

    Args:
        binary: the executable (default: :func:`find_rw_server`).
        database: the SQLite file (default: a fresh temporary directory's).
        port: 0 binds an ephemeral port; :attr:`port` holds the bound one after :meth:`start`.
        http_port: the HTTP/JSON read API's port, 0 (the default here) for an ephemeral one; :attr:`http_port`
            holds the bound one after :meth:`start`.
        extra_args: more flags, e.g. ``["--log-level", "debug"]``.
    """

    def __init__(self, binary: Optional[str] = None, database: Optional[os.PathLike] = None, port: int = 0,
                 extra_args: Optional[List[str]] = None, log_path: Optional[os.PathLike] = None,
                 http_port: int = 0) -> None:
        self.binary = binary or find_rw_server()
        self._tmp = tempfile.TemporaryDirectory(prefix="rw-server-")
        self.database = str(database or pathlib.Path(self._tmp.name) / "runs.sqlite")
        self.port = port
        self.http_port = http_port
        self.extra_args = list(extra_args or [])
        self.log_path = str(log_path or pathlib.Path(self._tmp.name) / "rw-server.log")
        self.process: Optional[subprocess.Popen] = None

    @property
    def address(self) -> str:
        """``127.0.0.1:<port>`` for the client."""
        return f"127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        """``http://127.0.0.1:<http_port>`` for the HTTP/JSON read API."""
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 60.0) -> "LocalServer":
        """Starts the server and waits until both its gRPC and HTTP sides listen (it writes their port files
        then)."""
        port_file = pathlib.Path(self._tmp.name) / "port"
        http_port_file = pathlib.Path(self._tmp.name) / "http-port"
        for file in (port_file, http_port_file):
            if file.exists():
                file.unlink()
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--port-file", str(port_file),
             "--http-port", str(self.http_port), "--http-port-file", str(http_port_file),
             "--database", self.database, *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rw-server exited with {self.process.returncode}: {self.log_tail()}")
            # rw-server writes each file atomically (temporary file, then rename)
            text = port_file.read_text().strip() if port_file.exists() else ""
            http_text = http_port_file.read_text().strip() if http_port_file.exists() else ""
            if text.isdigit() and http_text.isdigit():
                self.port = int(text)
                self.http_port = int(http_text)
                return self
            time.sleep(0.02)
        self.stop()
        raise TimeoutError(f"rw-server did not listen within {timeout} s: {self.log_tail()}")

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (graceful shutdown), then waits; returns the exit status."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        status = self.process.returncode
        self.process = None
        return status

    def restart(self) -> "LocalServer":
        """Stops and starts again on the same port and database."""
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(pathlib.Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        self._tmp.cleanup()
