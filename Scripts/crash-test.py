#!/usr/bin/env python3
"""Crash test under load (issue 16, items 5 and 6): concurrent runs of all three methods against one rw-server
while the server is SIGKILLed and restarted at random moments (and its spawned kernel worker SIGKILLed too), then
SIGTERMed under load; afterwards the store must hold exactly what was acknowledged.

    Scripts/crash-test.py                                   # 20 runs, 20 server kills, SQLite, spawned worker
    Scripts/crash-test.py --runs 6 --kills 5 --seed 3       # the CI size
    Scripts/crash-test.py --database-url postgres://rw@127.0.0.1:PORT/rw?sslmode=disable   # PostgreSQL
    Scripts/crash-test.py --kernels in-process --worker-kills 0

Run it with a Python that has the client's dependencies (numpy, grpcio, protobuf), e.g. the test venv's; the
client itself is imported from clients/python/src of this checkout. The server binary is $RW_SERVER_BINARY or
the checkout's .build/{release,debug}/rw-server; rwctl is the one next to it (or --rwctl).

Each run's driver calls, per step: ReportGradients (gradient runs), Scalarize, and every --checkpoint-every steps
ReportCheckpoint. A call is retried (with backoff, for as long as --give-up seconds) while it fails with
UNAVAILABLE or CANCELLED, which is what a dead, restarting or draining server answers; a call that eventually
succeeds is *acknowledged*, and its reply is recorded. Every other status is a violation. A chaos thread waits
until the load is flowing, then after a random (seeded) delay SIGKILLs the server (or, with --worker-kills, the
kernel worker it spawned), waits a random down time and starts it again on the same ports and database. Then
--sigterms times it sends SIGTERM under load (once a streamed ReportProjectedGradients upload is in flight, the
longest call there is) and measures how long the process takes to exit; each call in flight at that moment must
complete or fail with UNAVAILABLE/CANCELLED, no call (in flight then or started during the drain) may hang for
--hang-seconds, and the exit must come within --grace seconds (the server's graceful-shutdown limit is 30 s) with
status 0. A server still up 5 s after SIGTERM gets its sockets (and, with --gdb, its stacks) written to
server/sigterm-N-diagnosis.txt.

Afterwards, on the server restarted once more (gracefully, so it reads everything back from the store):
  * lost: every acknowledged call has its event in the run's log (GET /v1/runs/{id}/events), of its kind and
    step, at the sequence its reply named, and the stored decision equals the reply (weights, r_pareto, η_t,
    influence, ΔHV, entered-buffer / reference flags; bit for bit);
  * duplicated: no (run, kind, step) is logged twice, no event is logged that no call was acknowledged for, and
    nothing is superseded (nothing is ever resumed here);
  * replay: `rwctl runs replay ID` exits 0 (every decision and the state recomputed from the log, bit for bit);
  * clean: a fresh SQLite server fed each run's acknowledged calls, in order, answers every call exactly as the
    crashed server did, ends in the same state (weights, r_pareto, last steps, last sequence, Pareto buffer) and
    logs the same events (timestamps aside);
  * no spawned worker outlives its SIGKILLed server by 5 s, the server never exits by itself, and no process
    crashes (no "Fatal error" / "Program crashed" in the logs).
The summary line goes to standard output; the exit status is 1 on any violation (each is listed on standard
error), 2 on bad usage or when a server cannot be started at all.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import json
import math
import os
import pathlib
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional, Tuple

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "clients" / "python" / "src"))
# gRPC core's INFO lines (each GOAWAY of a draining server) would drown the log; GRPC_VERBOSITY=INFO shows them.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

import grpc  # noqa: E402
import numpy as np  # noqa: E402

from rewardweighting import RetryPolicy, RewardWeighting, RewardWeightingError  # noqa: E402

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]
METHODS = ["gradient", "hypervolume", "fixed"]
# What a killed, restarting or draining server answers; retrying is safe because every call is idempotent per
# (run, kind, step).
RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED}
NO_RETRY = RetryPolicy(max_attempts=1)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------------------------


class StartFailed(Exception):
    pass


def _child_env() -> Dict[str, str]:
    """The environment without RW_* settings, so nothing but our flags configures the servers."""
    return {k: v for k, v in os.environ.items() if not k.startswith("RW_")}


def _children(pid: int) -> List[int]:
    found: List[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                text = pathlib.Path(f"/proc/{pid}/task/{task}/children").read_text()
            except OSError:
                continue
            found += [int(x) for x in text.split()]
    except OSError:
        pass
    return found


def _cmdline(pid: int) -> List[str]:
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Server:
    """One rw-server child on fixed ports (ephemeral the first time), restarted on the same ports and database."""

    def __init__(self, binary: str, directory: pathlib.Path, database: Optional[str], database_url: Optional[str],
                 kernels: str, log_level: str) -> None:
        self.binary = binary
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.database = database
        self.database_url = database_url
        self.kernels = kernels
        self.log_level = log_level
        self.log_path = directory / "rw-server.log"
        self.port = 0
        self.http_port = 0
        self.process: Optional[subprocess.Popen] = None
        self.starts = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 60.0, attempts: int = 8) -> None:
        """Starts the server; a start that fails (the binary being rebuilt, the port still held) is retried."""
        last = ""
        for attempt in range(1, attempts + 1):
            try:
                self._start_once(timeout)
                self.starts += 1
                return
            except (OSError, StartFailed) as error:
                last = str(error)
                log(f"start attempt {attempt} failed: {last}")
                time.sleep(min(5.0, 0.5 * attempt))
        raise StartFailed(f"rw-server did not start after {attempts} attempts: {last}")

    def _start_once(self, timeout: float) -> None:
        port_file = self.directory / "port"
        http_port_file = self.directory / "http-port"
        for file in (port_file, http_port_file):
            if file.exists():
                file.unlink()
        arguments = [self.binary, "--host", "127.0.0.1", "--port", str(self.port), "--port-file", str(port_file),
                     "--http-port", str(self.http_port), "--http-port-file", str(http_port_file),
                     "--kernels", self.kernels, "--log-level", self.log_level]
        if self.database_url:
            arguments += ["--database-url", self.database_url]
        else:
            arguments += ["--database", str(self.database)]
        with open(self.log_path, "ab") as out:
            out.write(f"==== start {time.strftime('%H:%M:%S')} {' '.join(arguments)}\n".encode())
            out.flush()
            self.process = subprocess.Popen(arguments, stdout=out, stderr=subprocess.STDOUT, env=_child_env(),
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise StartFailed(f"exited with {code}: {self.log_tail(8)}")
            text = port_file.read_text().strip() if port_file.exists() else ""
            http_text = http_port_file.read_text().strip() if http_port_file.exists() else ""
            if text.isdigit() and http_text.isdigit():
                self.port, self.http_port = int(text), int(http_text)
                return
            time.sleep(0.01)
        self.kill()
        raise StartFailed(f"did not listen within {timeout} s: {self.log_tail(8)}")

    @property
    def pid(self) -> Optional[int]:
        return self.process.pid if self.process is not None else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def worker_pids(self) -> List[int]:
        """The kernel workers this server spawned (`rw-server worker …` children)."""
        if not self.running():
            return []
        return [p for p in _children(self.pid) if "worker" in _cmdline(p)[1:2] and _alive(p)]

    def kill(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def terminate(self, limit: float) -> Tuple[Optional[float], Optional[int]]:
        """SIGTERM; returns (seconds until the process exited or None after `limit`, exit status)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(limit)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, None
        elapsed = time.monotonic() - started
        code = self.process.returncode
        self.process = None
        return elapsed, code

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------------------------
# The runs: deterministic plans, drivers that record every attempt and every acknowledged reply
# ---------------------------------------------------------------------------------------------------------------


def run_config(index: int) -> Tuple[str, Dict[str, Any], bool]:
    """(method, create_run options, whether Scalarize sends group ids) of run `index`."""
    method = METHODS[index % len(METHODS)]
    variant = (index // len(METHODS)) % 2
    options: Dict[str, Any] = {}
    grouped = False
    if method == "gradient":
        # Every other gradient run accumulates influence over 3 steps: the open window is state too.
        options = {"eta": 1e-2, "mu": 1e-1, "schedule": "constant", "total_steps": 1_000_000,
                   "accumulation_steps": 3 if variant else 1}
    elif method == "fixed":
        options = {"weights": [0.5, 0.3, 0.2]}
        if variant:
            options["normalization"] = "group"
            grouped = True
    return method, options, grouped


@dataclasses.dataclass(frozen=True)
class ProjectedGradients:
    """A step's K×D float32 gradients for ReportProjectedGradients, generated on demand."""
    seed: int
    index: int
    step: int
    dim: int

    def matrix(self) -> np.ndarray:
        rng = np.random.default_rng([self.seed, self.index, self.step, 99])
        return (rng.standard_normal((3, self.dim), dtype=np.float32) / np.float32(math.sqrt(self.dim)) * 3)


def send_gradients(handle: Any, step: int, payload: Any) -> Any:
    if isinstance(payload, ProjectedGradients):
        return handle.report_projected_gradients(step, payload.matrix())
    return handle.report_gradients(step, payload)


@dataclasses.dataclass
class Attempt:
    kind: str
    step: int
    start: float  # time.monotonic()
    end: Optional[float] = None
    code: Optional[str] = None  # "OK" or the status code's name
    message: str = ""
    streamed: bool = False  # a ReportProjectedGradients upload


@dataclasses.dataclass
class Call:
    """One acknowledged call: what was sent and what came back."""
    kind: str
    step: int
    payload: Any
    reply: Any
    attempts: int
    first_failure_wall: Optional[float]  # time.time() when its first attempt failed, if one did


class Shared:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lock = threading.Lock()
        self.acknowledged = 0
        self.progress = threading.Condition(self.lock)
        self.chaos_done = threading.Event()
        self.abort = threading.Event()
        self.violations: List[str] = []
        self.target = ""

    def acked(self) -> None:
        with self.progress:
            self.acknowledged += 1
            self.progress.notify_all()

    def wait_progress(self, calls: int, timeout: float) -> bool:
        """Waits until `calls` more calls were acknowledged; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.progress:
            goal = self.acknowledged + calls
            while self.acknowledged < goal:
                left = deadline - time.monotonic()
                if left <= 0 or self.abort.is_set():
                    return False
                self.progress.wait(min(left, 0.5))
        return True

    def violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)
        log(f"VIOLATION: {text}")


class Driver(threading.Thread):
    """Drives one run: step after step until the chaos is over (then --tail-steps more)."""

    def __init__(self, shared: Shared, index: int, run_id: str) -> None:
        super().__init__(name=f"driver-{index}", daemon=True)
        self.shared = shared
        self.index = index
        self.run_id = run_id
        self.method, self.options, self.grouped = run_config(index)
        self.rng = np.random.default_rng([shared.args.seed, index])
        self.jitter = random.Random(shared.args.seed * 7919 + index)
        self.calls: List[Call] = []
        self.attempts: List[Attempt] = []
        self.steps = 0
        self.failed: Optional[str] = None
        # The first --projected-runs gradient runs stream their gradients (ReportProjectedGradients).
        self.projected = self.method == "gradient" and index // len(METHODS) < shared.args.projected_runs

    # The calls of one step, generated in order from the run's own generator (so they are reproducible).
    def step_payloads(self, step: int) -> List[Tuple[str, Any]]:
        calls: List[Tuple[str, Any]] = []
        if self.method == "gradient" and self.projected:
            # K×D float32 gradients streamed in slices: too big to keep, so regenerated from (seed, run, step).
            calls.append(("gradients", ProjectedGradients(self.shared.args.seed, self.index, step,
                                                          self.shared.args.projected_dim)))
        elif self.method == "gradient":
            g = self.rng.normal(size=(3, 6))
            calls.append(("gradients", g @ g.T))
        n = 8
        rewards = self.rng.random((n, 3)) * np.array([1.0, 400.0, 1.0])
        groups = [i // 4 for i in range(n)] if self.grouped else None
        calls.append(("scalarize", (rewards, groups)))
        if step % self.shared.args.checkpoint_every == 0:
            noise = self.rng.normal(scale=0.02, size=3)
            scores = np.array([0.4 + step / 1000, 600.0 - step, 0.2 + step / 2000]) + noise * np.array([1, 50, 1])
            calls.append(("checkpoint", [float(x) for x in scores]))
        return calls

    def patient(self, kind: str, step: int, payload: Any, fn: Callable[[], Any]) -> Any:
        args = self.shared.args
        first = time.monotonic()
        first_failure: Optional[float] = None
        tries = 0
        other_errors = 0
        while True:
            tries += 1
            attempt = Attempt(kind, step, time.monotonic(), streamed=isinstance(payload, ProjectedGradients))
            self.attempts.append(attempt)
            try:
                reply = fn()
            except RewardWeightingError as error:
                attempt.end = time.monotonic()
                if first_failure is None:
                    first_failure = time.time()
                attempt.code = error.code.name if error.code is not None else "UNKNOWN"
                attempt.message = str(error)[:300]
                if error.code not in RETRYABLE:
                    other_errors += 1
                    self.shared.violation(
                        f"{self.run_id} {kind} step {step}: {attempt.code} ({attempt.message}) — only UNAVAILABLE "
                        f"or CANCELLED are expected from a killed or draining server")
                    if other_errors >= 5:
                        raise
                if time.monotonic() - first > args.give_up:
                    raise RuntimeError(f"{kind} step {step} not acknowledged within {args.give_up} s "
                                       f"({tries} attempts, last {attempt.code})")
                if self.shared.abort.is_set():
                    raise RuntimeError("aborted")
                time.sleep(self.jitter.uniform(0.0, min(0.5, 0.02 * 2 ** min(tries, 6))))
                continue
            attempt.end = time.monotonic()
            attempt.code = "OK"
            self.calls.append(Call(kind, step, payload, reply, tries, first_failure))
            self.shared.acked()
            return reply

    def run(self) -> None:  # noqa: D401 - the thread body
        args = self.shared.args
        try:
            with RewardWeighting(self.shared.target, retry=NO_RETRY, timeout=args.call_timeout) as client:
                self.patient("created", 0, None,
                             lambda: client.create_run(self.run_id, objectives=OBJECTIVES, method=self.method,
                                                       **self.options))
                handle = client.run(self.run_id)
                final: Optional[int] = None
                step = 0
                while True:
                    if final is None and self.shared.chaos_done.is_set():
                        final = max(step + args.tail_steps, args.min_steps)
                    if (final is not None and step >= final) or step >= args.max_steps or self.shared.abort.is_set():
                        break
                    step += 1
                    for kind, payload in self.step_payloads(step):
                        if kind == "gradients":
                            self.patient(kind, step, payload, lambda: send_gradients(handle, step, payload))
                        elif kind == "scalarize":
                            rewards, groups = payload
                            self.patient(kind, step, payload, lambda: handle.scalarize(step, rewards, groups))
                        else:
                            self.patient(kind, step, payload, lambda: handle.report_checkpoint(step, payload))
                    self.steps = step
        except BaseException as error:  # noqa: BLE001 - reported as a violation
            self.failed = f"{type(error).__name__}: {error}"
            self.shared.violation(f"{self.run_id}: the driver stopped: {self.failed}")

    def in_flight(self, at: float) -> List[Attempt]:
        """The attempt in flight at `at`, if any (a driver makes one call at a time: its last one started by then)."""
        for a in reversed(self.attempts):
            if a.start <= at:
                return [a] if a.end is None or a.end > at else []
        return []


# ---------------------------------------------------------------------------------------------------------------
# The chaos: SIGKILLs of the server and of its worker, then SIGTERMs under load
# ---------------------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Shutdown:
    exit_seconds: Optional[float]
    exit_status: Optional[int]
    in_flight: int
    outcomes: Dict[str, int]
    # Each call in flight at the SIGTERM: kind, step, streamed, started and ended (seconds from the SIGTERM), code.
    calls: List[Dict[str, Any]] = dataclasses.field(default_factory=list)
    started_during_drain: int = 0  # calls that started between the SIGTERM and the exit
    hung: int = 0  # calls in flight after the SIGTERM for more than --hang-seconds


class Chaos(threading.Thread):
    def __init__(self, shared: Shared, server: Server, drivers: List[Driver]) -> None:
        super().__init__(name="chaos", daemon=True)
        self.shared = shared
        self.server = server
        self.drivers = drivers
        self.rng = random.Random(shared.args.seed)
        self.kills = 0
        self.worker_kills = 0
        self.in_flight_at_kills = 0
        self.kill_times: List[float] = []  # time.time() of each server SIGKILL
        self.down_seconds: List[float] = []
        self.shutdowns: List[Shutdown] = []
        self.known_stalls = 0
        self.error: Optional[str] = None
        self.seen_workers: set = set()  # every worker pid seen: none may outlive the test's servers

    def note_workers(self) -> List[int]:
        workers = self.server.worker_pids()
        self.seen_workers.update(workers)
        return workers

    def wait_for_load(self) -> None:
        # Load is flowing again: each run has had a call acknowledged since (on average).
        if not self.shared.wait_progress(len(self.drivers), timeout=60.0):
            self.shared.violation("no call was acknowledged within 60 s of a (re)start")

    def check_alive(self) -> None:
        if not self.server.running():
            code = self.server.process.returncode if self.server.process is not None else None
            self.shared.violation(f"rw-server exited by itself (status {code}): {self.server.log_tail(10)}")
            self.server.process = None
            self.server.start()

    def in_flight(self, at: float) -> List[Attempt]:
        return [a for d in self.drivers for a in d.in_flight(at)]

    def kill_server(self) -> None:
        workers = self.note_workers()
        at = time.monotonic()
        self.kill_times.append(time.time())
        self.server.kill()
        self.in_flight_at_kills += len(self.in_flight(at))
        self.kills += 1
        down = self.rng.uniform(0.0, self.shared.args.max_down)
        time.sleep(down)
        # A SIGKILLed server's worker notices within 250 ms and exits.
        deadline = time.monotonic() + 5.0
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in workers:
            if _alive(pid) and "worker" in _cmdline(pid):
                self.shared.violation(f"the worker {pid} outlived its SIGKILLed server by 5 s")
                os.kill(pid, signal.SIGKILL)
        started = time.monotonic()
        self.server.start()
        self.down_seconds.append(time.monotonic() - at)
        log(f"kill {self.kills}: SIGKILL, down {down:.2f} s, restarted in {time.monotonic() - started:.2f} s")

    def kill_worker(self) -> bool:
        workers = self.note_workers()
        if not workers:
            return False
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        self.worker_kills += 1
        log(f"worker kill {self.worker_kills}: SIGKILL {workers}")
        return True

    def sigterm(self, index: int) -> None:
        args = self.shared.args
        self.note_workers()
        if any(d.projected and d.is_alive() for d in self.drivers):
            # SIGTERM in the middle of a streamed upload: the longest call there is.
            deadline = time.monotonic() + 20.0
            while time.monotonic() < deadline and not any(
                    a.streamed and time.monotonic() - a.start > 0.05 for a in self.in_flight(time.monotonic())):
                time.sleep(0.005)
        at = time.monotonic()
        flying = self.in_flight(at)
        pid = self.server.pid
        diagnosis = threading.Thread(target=self.diagnose, args=(index, pid, at), daemon=True)
        diagnosis.start()
        exit_seconds, status = self.server.terminate(args.grace + 15.0)
        exited = time.monotonic()
        if exit_seconds is None:
            self.shared.violation(f"SIGTERM {index}: rw-server did not exit within {args.grace + 15.0:.0f} s "
                                  f"(SIGKILLed): {self.server.log_tail(10)}")
        elif exit_seconds > args.grace and not (args.tolerate_http2_stall and exit_seconds <= args.grace + 2.0):
            self.shared.violation(f"SIGTERM {index}: exit took {exit_seconds:.2f} s > the {args.grace} s grace period")
        elif status != 0:
            self.shared.violation(f"SIGTERM {index}: exit status {status}: {self.server.log_tail(10)}")
        # Every call in flight at the SIGTERM must end (answered or failed cleanly) — none may hang.
        deadline = time.monotonic() + 10.0
        while any(a.end is None for a in flying) and time.monotonic() < deadline:
            time.sleep(0.05)
        outcomes: Dict[str, int] = {}
        for a in flying:
            code = a.code if a.end is not None else "HANG"
            label = f"streamed {code}" if a.streamed else code
            outcomes[label] = outcomes.get(label, 0) + 1
            if code not in ("OK", "UNAVAILABLE", "CANCELLED"):
                self.shared.violation(f"SIGTERM {index}: a {a.kind} call (step {a.step}) in flight ended with "
                                      f"{code} {a.message}")
            elif a.end is not None and a.end > exited + 5.0:
                self.shared.violation(f"SIGTERM {index}: a {a.kind} call ended {a.end - exited:.1f} s after exit")
        # Calls started during the drain must fail cleanly too (the drivers flag other codes) and fast: none may
        # hang until the grace period runs out.
        hung = [a for d in self.drivers for a in list(d.attempts)
                if a.end is not None and a.end > at and a.end - max(a.start, at) > args.hang_seconds]
        # The known stall (docs/security.md): swift-nio-http2 1.46 answers a DATA frame that follows a stream it
        # refused while quiescing with a connection error and stops reading, so that connection's calls wait for the
        # grace period and then fail cleanly. Tolerated only with --tolerate-http2-stall, and counted.
        stalled = bool(hung) and exit_seconds is not None and exit_seconds >= args.grace - 1.0 and all(
            a.code in ("UNAVAILABLE", "CANCELLED") for a in hung)
        if stalled:
            self.known_stalls += 1
            log(f"SIGTERM {index}: the known HTTP/2 quiescing stall ({len(hung)} calls waited for the grace period)")
        if hung and not (stalled and args.tolerate_http2_stall):
            kinds = sorted({f"{a.kind} ({a.code})" for a in hung})
            self.shared.violation(
                f"SIGTERM {index}: {len(hung)} calls hung for more than {args.hang_seconds:.0f} s after the SIGTERM "
                f"({', '.join(kinds)}; {sum(1 for a in hung if a.start > at)} of them started after it), "
                f"the longest {max(a.end - max(a.start, at) for a in hung):.1f} s")
        calls = [{"run": d.run_id, "kind": a.kind, "step": a.step, "streamed": a.streamed,
                  "started": round(a.start - at, 3), "ended": None if a.end is None else round(a.end - at, 3),
                  "code": a.code, "message": a.message}
                 for d in self.drivers for a in d.in_flight(at)]
        drained = [a for d in self.drivers for a in list(d.attempts) if at < a.start <= exited]
        self.shutdowns.append(Shutdown(exit_seconds, status, len(flying), outcomes, calls,
                                       started_during_drain=len(drained), hung=len(hung)))
        log(f"SIGTERM {index}: exit in {exit_seconds if exit_seconds is None else round(exit_seconds, 3)} s, "
            f"status {status}, {len(flying)} calls in flight: {outcomes}")
        time.sleep(self.rng.uniform(0.0, args.max_down))
        self.server.start()

    def diagnose(self, index: int, pid: Optional[int], at: float) -> None:
        """When a SIGTERMed server is still up after 5 s: its sockets (queues, windows) and, with --gdb, its
        threads' stacks, into the work directory."""
        time.sleep(5.0)
        if pid is None or not _alive(pid) or not self.server.running() or self.server.pid != pid:
            return
        path = self.server.directory / f"sigterm-{index}-diagnosis.txt"
        with open(path, "w") as out:
            out.write(f"rw-server {pid} still running {time.monotonic() - at:.1f} s after SIGTERM\n\n")
            out.write("calls in flight now:\n")
            for d in self.drivers:
                for a in d.in_flight(time.monotonic()):
                    out.write(f"  {d.run_id} {a.kind} step {a.step} streamed={a.streamed} since "
                              f"{a.start - at:+.3f} s\n")
            for command in (["ss", "-tnpei", f"( sport = :{self.server.port} or dport = :{self.server.port} )"],
                            ["ss", "-xpe"]):
                try:
                    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
                    out.write(f"\n$ {' '.join(command)}\n{done.stdout}{done.stderr}")
                except OSError as error:
                    out.write(f"\n{command[0]}: {error}\n")
            if self.shared.args.gdb and shutil.which("gdb"):
                for target in [pid, *self.server.worker_pids()]:
                    done = subprocess.run(["gdb", "-p", str(target), "-batch", "-ex", "thread apply all bt 30"],
                                          capture_output=True, text=True, timeout=120)
                    out.write(f"\n$ gdb -p {target} (thread apply all bt)\n{done.stdout[-200000:]}\n")
        log(f"SIGTERM {index}: still running after 5 s; diagnosis in {path}")

    def run(self) -> None:
        args = self.shared.args
        try:
            plan = ["server"] * args.kills + ["worker"] * args.worker_kills
            self.rng.shuffle(plan)
            for what in plan:
                if self.shared.abort.is_set():
                    return
                self.wait_for_load()
                time.sleep(self.rng.uniform(0.0, args.max_up))
                self.check_alive()
                if what == "server":
                    self.kill_server()
                elif not self.kill_worker():
                    log("no worker to kill (kernels in-process, or it is restarting)")
            for index in range(1, args.sigterms + 1):
                self.wait_for_load()
                time.sleep(self.rng.uniform(0.0, args.max_up))
                self.check_alive()
                self.sigterm(index)
            self.wait_for_load()
            self.check_alive()
        except BaseException as error:  # noqa: BLE001
            self.error = f"{type(error).__name__}: {error}"
            self.shared.violation(f"chaos: {self.error}")
            self.shared.abort.set()
        finally:
            self.shared.chaos_done.set()


# ---------------------------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------------------------


def canon(value: Any) -> Any:
    """A comparable form of a reply or state, exact to the bit; timestamps dropped."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canon(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("updated_at", "recorded_at", "created_at", "raw_config")}
    if isinstance(value, np.ndarray):
        return ("array", value.shape, [canon(x) for x in value.ravel().tolist()])
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, (list, tuple)):
        return [canon(x) for x in value]
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, _dt.datetime):
        return None
    return value


def http_events(http: str, run_id: str) -> List[dict]:
    events: List[dict] = []
    start: Optional[int] = 1
    while start is not None:
        with urllib.request.urlopen(f"{http}/v1/runs/{run_id}/events?from_sequence={start}&limit=1000",
                                    timeout=60) as response:
            page = json.load(response)
        events += page["events"]
        start = page.get("next_from_sequence")
    return events


def comparable(events: List[dict]) -> List[str]:
    return [json.dumps({k: v for k, v in e.items() if k != "recorded_at"}, sort_keys=True) for e in events]


def same_floats(a: Any, b: Any) -> bool:
    """Exact equality of a JSON number list/number and a NumPy array/float."""
    left = np.asarray(a, dtype=float).ravel()
    right = np.asarray(b, dtype=float).ravel()
    return left.shape == right.shape and all(x.hex() == y.hex() for x, y in zip(left.tolist(), right.tolist()))


def decision_mismatch(call: Call, event: dict) -> Optional[str]:
    """Where the stored decision differs from the acknowledged reply, or None."""
    d, r = event["decision"], call.reply
    checks: List[Tuple[str, bool]] = []
    if call.kind == "scalarize":
        checks = [("weights", same_floats(d["weights"], r.weights)), ("r_pareto", same_floats(d["meta_reward"], r.r_pareto)),
                  ("count", d["count"] == len(r.rewards))]
    elif call.kind == "gradients":
        checks = [("weights", same_floats(d["weights"], r.weights)), ("influence", same_floats(d["influence"], r.influence)),
                  ("learning_rate", same_floats(d["learning_rate"], r.learning_rate)),
                  ("weights_updated", ("update" in d and d["update"] is not None) == r.weights_updated)]
    elif call.kind == "checkpoint":
        checks = [("delta_hypervolume", same_floats(d["delta_hypervolume"], r.hypervolume_contribution)),
                  ("r_pareto", same_floats(d["meta_reward"], r.r_pareto)),
                  ("entered_buffer", d["entered_buffer"] == r.entered_buffer),
                  ("became_reference", d["became_reference"] == r.became_reference_point),
                  ("scores", same_floats(d["scores"], call.payload))]
    wrong = [name for name, ok in checks if not ok]
    return ", ".join(wrong) if wrong else None


def state_mismatch(got: Any, want: Any) -> Optional[str]:
    fields = ["status", "weights", "r_pareto", "last_scalarize_step", "last_gradients_step", "last_checkpoint_step",
              "buffer", "last_sequence"]
    wrong = [f for f in fields if canon(getattr(got, f)) != canon(getattr(want, f))]
    return ", ".join(wrong) if wrong else None


@dataclasses.dataclass
class Findings:
    lost: int = 0
    duplicated: int = 0
    reply_mismatch: int = 0
    replay_failed: int = 0
    clean_mismatch: int = 0
    ambiguous_applied: int = 0  # failed calls whose first attempt had been applied (the reply lost)


def check_store(shared: Shared, server: Server, drivers: List[Driver], findings: Findings) -> Dict[str, List[dict]]:
    logs: Dict[str, List[dict]] = {}
    for d in drivers:
        events = http_events(server.http, d.run_id)
        logs[d.run_id] = events
        by_sequence = {e["sequence"]: e for e in events}
        counts: Dict[Tuple[str, int], int] = {}
        for e in events:
            if e["superseded"]:
                findings.duplicated += 1
                shared.violation(f"{d.run_id}: event {e['sequence']} ({e['kind']} step {e['step']}) is superseded "
                                 f"though nothing was resumed")
            counts[(e["kind"], e["step"])] = counts.get((e["kind"], e["step"]), 0) + 1
        for (kind, step), count in counts.items():
            if count > 1:
                findings.duplicated += count - 1
                shared.violation(f"{d.run_id}: {kind} step {step} is logged {count} times")
        acked = {(c.kind, c.step) for c in d.calls}
        for e in events:
            if (e["kind"], e["step"]) not in acked:
                findings.duplicated += 1
                shared.violation(f"{d.run_id}: event {e['sequence']} ({e['kind']} step {e['step']}) was never "
                                 f"acknowledged")
        if [e["sequence"] for e in events] != list(range(1, len(events) + 1)):
            shared.violation(f"{d.run_id}: the log's sequence numbers are not 1…{len(events)}")
        for c in d.calls:
            if c.kind == "created":
                event = by_sequence.get(1)
                if event is None or event["kind"] != "created":
                    findings.lost += 1
                    shared.violation(f"{d.run_id}: no created event")
                continue
            event = by_sequence.get(c.reply.sequence)
            if event is None or event["kind"] != c.kind or event["step"] != c.step:
                findings.lost += 1
                where = "nothing" if event is None else f"{event['kind']} step {event['step']}"
                shared.violation(f"{d.run_id}: the acknowledged {c.kind} step {c.step} (sequence {c.reply.sequence}) "
                                 f"is not in the log (there: {where})")
                continue
            wrong = decision_mismatch(c, event)
            if wrong:
                findings.reply_mismatch += 1
                shared.violation(f"{d.run_id}: {c.kind} step {c.step}: the stored decision differs from the "
                                 f"acknowledged reply in {wrong}")
            if c.first_failure_wall is not None:
                # A call whose event was recorded before its first attempt failed: applied, the reply lost (the
                # server killed), answered from the log on the retry — the path the crash test is about.
                recorded = _dt.datetime.fromisoformat(event["recorded_at"].replace("Z", "+00:00")).timestamp()
                if recorded <= c.first_failure_wall:
                    findings.ambiguous_applied += 1
    return logs


def run_tool(command: List[str]) -> subprocess.CompletedProcess:
    """Runs a binary, retrying while it cannot be executed (ETXTBSY/ENOENT: being rebuilt)."""
    for attempt in range(1, 31):
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=300, env=_child_env())
        except OSError as error:
            if attempt == 30:
                raise
            log(f"{command[0]}: {error}; retrying")
            time.sleep(2.0)
    raise AssertionError("unreachable")


def check_replay(shared: Shared, server: Server, rwctl: str, drivers: List[Driver], findings: Findings) -> None:
    def replay(d: Driver) -> Optional[str]:
        done = run_tool([rwctl, "runs", "replay", d.run_id, "--server", server.address, "--output", "json",
                         "--timeout", "60"])
        if done.returncode != 0:
            return f"exit {done.returncode}: {done.stdout.strip()[:600]} {done.stderr.strip()[:600]}"
        try:
            report = json.loads(done.stdout)
        except ValueError:
            return f"unreadable output {done.stdout[:200]!r}"
        if not report.get("identical"):
            return f"not identical: {report.get('divergence')}"
        return None

    with ThreadPoolExecutor(max_workers=4) as pool:
        for d, problem in zip(drivers, pool.map(replay, drivers)):
            if problem:
                findings.replay_failed += 1
                shared.violation(f"{d.run_id}: rwctl runs replay: {problem}")


def feed_clean(reference: Server, d: Driver) -> List[Tuple[Call, Any]]:
    """Feeds the run's acknowledged calls, in order, to the reference server; returns (call, its reply there)."""
    answers: List[Tuple[Call, Any]] = []
    with RewardWeighting(reference.address, timeout=60.0) as client:
        handle = None
        for c in d.calls:
            if c.kind == "created":
                handle = client.create_run(d.run_id, objectives=OBJECTIVES, method=d.method, **d.options)
                answers.append((c, None))
                continue
            assert handle is not None
            if c.kind == "gradients":
                answers.append((c, send_gradients(handle, c.step, c.payload)))
            elif c.kind == "scalarize":
                rewards, groups = c.payload
                answers.append((c, handle.scalarize(c.step, rewards, groups)))
            else:
                answers.append((c, handle.report_checkpoint(c.step, c.payload)))
    return answers


def check_clean(shared: Shared, server: Server, reference: Server, drivers: List[Driver], logs: Dict[str, List[dict]],
                findings: Findings) -> None:
    with ThreadPoolExecutor(max_workers=min(8, len(drivers))) as pool:
        fed = list(pool.map(lambda d: feed_clean(reference, d), drivers))
    with RewardWeighting(server.address, timeout=60.0) as crashed, RewardWeighting(reference.address,
                                                                                    timeout=60.0) as clean:
        for d, answers in zip(drivers, fed):
            bad: List[str] = []
            for c, answer in answers:
                if answer is not None and canon(answer) != canon(c.reply):
                    bad.append(f"{c.kind} step {c.step}")
            if bad:
                findings.clean_mismatch += 1
                shared.violation(f"{d.run_id}: the clean run answers differently at {', '.join(bad[:5])}"
                                 f"{' …' if len(bad) > 5 else ''} ({len(bad)} calls)")
            wrong = state_mismatch(crashed.get_run(d.run_id).state, clean.get_run(d.run_id).state)
            if wrong:
                findings.clean_mismatch += 1
                shared.violation(f"{d.run_id}: the state differs from the clean run's in {wrong}")
            if comparable(logs[d.run_id]) != comparable(http_events(reference.http, d.run_id)):
                findings.clean_mismatch += 1
                shared.violation(f"{d.run_id}: the event log differs from the clean run's")


# ---------------------------------------------------------------------------------------------------------------


def stable_copy(source: str, target: pathlib.Path, attempts: int = 60) -> None:
    """Copies a binary that a build may be rewriting: once it has not changed for 5 s, and it runs `--help`."""
    for _ in range(attempts):
        try:
            before = os.stat(source)
            if time.time() - before.st_mtime < 5.0:
                time.sleep(2.0)
                continue
            shutil.copy2(source, target)
            after = os.stat(source)
            if (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size) and subprocess.run(
                    [str(target), "--help"], capture_output=True, timeout=60).returncode == 0:
                return
        except OSError as error:
            log(f"copying {source}: {error}; retrying")
        time.sleep(2.0)
    raise SystemExit(f"crash-test: {source} kept changing; could not copy it")


def find_binary(explicit: Optional[str]) -> str:
    for candidate in (explicit, os.environ.get("RW_SERVER_BINARY"), ROOT / ".build" / "release" / "rw-server",
                      ROOT / ".build" / "debug" / "rw-server", shutil.which("rw-server")):
        if candidate and os.access(str(candidate), os.X_OK):
            return str(candidate)
    raise SystemExit("crash-test: no rw-server binary (--server-binary, RW_SERVER_BINARY, or swift build)")


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Drive concurrent runs against rw-server while SIGKILLing and restarting it (and its kernel "
                    "worker), then SIGTERM it under load; check that every acknowledged step is stored exactly "
                    "once and that every run equals its replay and a clean run.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="concurrent runs (methods in turn: gradient, "
                        "hypervolume, fixed)")
    parser.add_argument("--kills", type=int, default=20, help="SIGKILLs of rw-server, each followed by a restart")
    parser.add_argument("--worker-kills", type=int, default=None,
                        help="SIGKILLs of the spawned kernel worker (default: --kills with --kernels spawn, else 0)")
    parser.add_argument("--sigterms", type=int, default=1, help="graceful shutdowns (SIGTERM) under load, after "
                        "the kills, each followed by a restart; 0 for none")
    parser.add_argument("--seed", type=int, default=0, help="seeds the plans, the delays and the kill order")
    store = parser.add_mutually_exclusive_group()
    store.add_argument("--database", help="the SQLite file (default: a fresh one in the work directory)")
    store.add_argument("--database-url", help="a PostgreSQL database instead, postgres://USER@HOST:PORT/DB")
    parser.add_argument("--kernels", default="spawn", choices=["spawn", "in-process"],
                        help="rw-server --kernels")
    parser.add_argument("--server-binary", help="rw-server (default: $RW_SERVER_BINARY, or the checkout's build)")
    parser.add_argument("--rwctl", help="rwctl (default: the one next to rw-server)")
    parser.add_argument("--copy-binaries", action="store_true",
                        help="copy rw-server and rwctl into the work directory first (immune to a rebuild meanwhile)")
    parser.add_argument("--workdir", help="where the logs and databases go (default: a temporary directory, "
                        "removed unless --keep or a violation)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--run-prefix", help="run ids' prefix (default: crash-<seed>-<pid>)")
    parser.add_argument("--projected-runs", type=int, default=1,
                        help="this many gradient runs stream K×D float32 gradients (ReportProjectedGradients) "
                        "instead of sending the Gram matrix; a SIGTERM waits until such an upload is in flight")
    parser.add_argument("--projected-dim", type=int, default=1 << 20, help="D of the streamed gradients")
    parser.add_argument("--checkpoint-every", type=int, default=5, help="a ReportCheckpoint every N steps")
    parser.add_argument("--min-steps", type=int, default=10, help="steps per run at least")
    parser.add_argument("--tail-steps", type=int, default=3, help="steps per run after the chaos is over")
    parser.add_argument("--max-steps", type=int, default=100_000, help="steps per run at most")
    parser.add_argument("--max-up", type=float, default=1.5,
                        help="the random delay before a kill, once load flows again, is uniform in [0, this] s")
    parser.add_argument("--max-down", type=float, default=0.5, help="the down time is uniform in [0, this] s")
    parser.add_argument("--grace", type=float, default=30.0, help="the graceful-shutdown limit a SIGTERMed server "
                        "must exit within (the server's own is 30 s)")
    parser.add_argument("--hang-seconds", type=float, default=10.0,
                        help="a call still in flight this long after a SIGTERM counts as hung (a violation)")
    parser.add_argument("--call-timeout", type=float, default=45.0,
                        help="seconds per call attempt; a call hanging that long counts as a violation")
    parser.add_argument("--give-up", type=float, default=180.0, help="seconds a call may keep failing with "
                        "UNAVAILABLE before the run is given up (a violation)")
    parser.add_argument("--log-level", default="notice", help="rw-server --log-level")
    parser.add_argument("--tolerate-http2-stall", action="store_true",
                        help="count the known swift-nio-http2 quiescing stall (calls that wait for the grace period, "
                             "then fail cleanly; an exit within grace + 2 s) instead of reporting it as a violation")
    parser.add_argument("--gdb", action="store_true", help="when a SIGTERMed server has not exited after 5 s, "
                        "also write its threads' stacks (gdb) to the diagnosis file")
    parser.add_argument("--json", help="write the figures to this file as JSON")
    args = parser.parse_args(argv)
    if args.worker_kills is None:
        args.worker_kills = args.kills if args.kernels == "spawn" else 0
    if args.runs < 1 or args.kills < 0 or args.worker_kills < 0 or args.sigterms < 0 or args.checkpoint_every < 1:
        parser.error("--runs must be ≥ 1; --kills, --worker-kills, --sigterms ≥ 0; --checkpoint-every ≥ 1")
    return args


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    binary = find_binary(args.server_binary)
    rwctl = args.rwctl or str(pathlib.Path(binary).parent / "rwctl")
    if not os.access(rwctl, os.X_OK):
        raise SystemExit(f"crash-test: no rwctl at {rwctl} (--rwctl)")
    workdir = pathlib.Path(args.workdir) if args.workdir else pathlib.Path(tempfile.mkdtemp(prefix="rw-crash-"))
    workdir.mkdir(parents=True, exist_ok=True)
    if args.copy_binaries:
        (workdir / "bin").mkdir(exist_ok=True)
        for source in (binary, rwctl):
            stable_copy(source, workdir / "bin" / pathlib.Path(source).name)
        binary, rwctl = str(workdir / "bin" / pathlib.Path(binary).name), str(workdir / "bin" / pathlib.Path(rwctl).name)
    prefix = args.run_prefix or f"crash-{args.seed}-{os.getpid()}"
    store_name = "postgresql" if args.database_url else "sqlite"
    database = None if args.database_url else (args.database or str(workdir / "crash.sqlite"))
    log(f"crash test: {args.runs} runs, {args.kills} server kills, {args.worker_kills} worker kills, "
        f"{args.sigterms} SIGTERMs, seed {args.seed}, {store_name}, kernels {args.kernels}; logs in {workdir}")

    shared = Shared(args)
    server = Server(binary, workdir / "server", database, args.database_url, args.kernels, args.log_level)
    reference = Server(binary, workdir / "reference", str(workdir / "reference" / "clean.sqlite"), None,
                       args.kernels, args.log_level)
    started = time.monotonic()
    try:
        server.start()
    except StartFailed as error:
        print(f"crash-test: {error}", file=sys.stderr)
        return 2
    shared.target = server.address
    drivers = [Driver(shared, i, f"{prefix}-{i:02d}-{run_config(i)[0]}") for i in range(args.runs)]
    chaos = Chaos(shared, server, drivers)
    for d in drivers:
        d.start()
    chaos.start()
    chaos.join()
    for d in drivers:
        d.join(args.give_up + args.call_timeout + 30.0)
        if d.is_alive():
            shared.violation(f"{d.run_id}: the driver did not finish (a hung call?)")
            shared.abort.set()
    load_seconds = time.monotonic() - started

    findings = Findings()
    try:
        # The checks read what the store holds: a graceful restart, so nothing is served from memory.
        if server.running():
            exit_seconds, status = server.terminate(args.grace + 15.0)
            if exit_seconds is None or status != 0:
                shared.violation(f"the final SIGTERM: exit after {exit_seconds} s with status {status}")
        server.start()
        logs = check_store(shared, server, drivers, findings)
        check_replay(shared, server, rwctl, drivers, findings)
        reference.start()
        check_clean(shared, server, reference, drivers, logs, findings)
    except Exception as error:  # noqa: BLE001
        shared.violation(f"the checks failed: {type(error).__name__}: {error}")
    finally:
        for s in (server, reference):
            if s.running():
                s.terminate(args.grace + 15.0)
        # Every worker seen has stopped with its server (a SIGKILLed server's within its 250 ms parent check).
        deadline = time.monotonic() + 5.0
        while any(_alive(p) for p in chaos.seen_workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in sorted(chaos.seen_workers):
            if _alive(pid) and "worker" in _cmdline(pid):
                shared.violation(f"the kernel worker {pid} outlived its server")
    # No process may crash (a SIGKILL leaves no trace; a Swift runtime trap prints these lines).
    for s in (server, reference):
        try:
            lines = s.log_path.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, 1):
            if "Fatal error" in line or "*** Program crashed" in line:
                shared.violation(f"{s.log_path}:{number}: {line.strip()[:300]}")
    elapsed = time.monotonic() - started

    calls = [c for d in drivers for c in d.calls]
    attempts = [a for d in drivers for a in d.attempts]
    steps = sum(d.steps for d in drivers)
    failures: Dict[str, int] = {}
    for a in attempts:
        if a.code not in (None, "OK"):
            failures[a.code] = failures.get(a.code, 0) + 1
    exits = [s.exit_seconds for s in chaos.shutdowns if s.exit_seconds is not None]
    sigterm_text = ", ".join(
        f"exit {s.exit_seconds:.3f} s status {s.exit_status} ({s.in_flight} in flight: "
        + ", ".join(f"{k} {v}" for k, v in sorted(s.outcomes.items()))
        + f"; {s.started_during_drain} started during the drain; hung {s.hung})"
        if s.exit_seconds is not None else "no exit" for s in chaos.shutdowns) or "none"
    figures = {
        "store": store_name, "kernels": args.kernels, "seed": args.seed, "runs": args.runs,
        "kills": chaos.kills, "worker_kills": chaos.worker_kills, "sigterms": len(chaos.shutdowns),
        "steps": steps, "acknowledged": len(calls), "retried": sum(1 for c in calls if c.attempts > 1),
        "in_flight_at_kills": chaos.in_flight_at_kills, "applied_reply_lost": findings.ambiguous_applied,
        "failed_attempts": failures, "lost": findings.lost, "duplicated": findings.duplicated,
        "reply_mismatch": findings.reply_mismatch, "replay_failed": findings.replay_failed,
        "clean_mismatch": findings.clean_mismatch, "violations": len(shared.violations),
        "load_seconds": round(load_seconds, 1), "seconds": round(elapsed, 1),
        "sigterm_exit_seconds": [round(x, 3) for x in exits],
        "shutdowns": [dataclasses.asdict(s) for s in chaos.shutdowns],
        "known_http2_stalls": chaos.known_stalls,
        "mean_down_seconds": round(sum(chaos.down_seconds) / len(chaos.down_seconds), 3) if chaos.down_seconds else None,
        "violation_list": shared.violations,
    }
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    print(f"crash-test: {store_name}, kernels {args.kernels}, seed {args.seed}: {args.runs} runs, "
          f"kills {chaos.kills} (+{chaos.worker_kills} worker), steps {steps}, acknowledged {len(calls)} "
          f"(retried {figures['retried']}, in flight at a kill {chaos.in_flight_at_kills}, applied but the "
          f"reply lost {findings.ambiguous_applied}), lost {findings.lost}, duplicated {findings.duplicated}, "
          f"reply≠stored {findings.reply_mismatch}, replay≠state {findings.replay_failed}, "
          f"≠clean {findings.clean_mismatch}, violations {len(shared.violations)}; SIGTERM: {sigterm_text}; "
          f"time {elapsed:.1f} s", flush=True)
    if shared.violations:
        print(f"crash-test: {len(shared.violations)} violations (logs kept in {workdir}):", file=sys.stderr)
        for v in shared.violations:
            print(f"  - {v}", file=sys.stderr)
    elif not args.keep and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if shared.violations else 0


if __name__ == "__main__":
    sys.exit(main())
