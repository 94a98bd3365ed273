"""One HTTP reward shim, two remote-reward protocols: OpenRLHF's and slime's.

Both trainers POST the samples they want scored to a URL of the user's and read one reward per sample back, with
no step and no run id in the payload. The shim scores each sample on the run's K objectives with the user's
functions, sends the batch to ``Scalarize`` and answers in the trainer's own format. What the protocols share
lives here once: the per-sample step count (:class:`SampleSteps`), the validation flag, the bearer token, the
HTTP server and its error replies. What differs is the payload and the reply (:class:`Protocol`):

``openrlhf`` (OpenRLHF ``openrlhf/utils/agent.py::_fetch_rewards_via_http``, at OpenRLHF 3c3be623, 2026-08-13;
``--reward.remote_url``)
    ``POST {"query": [...], "prompts": [...], "labels": [...]}`` → ``{"rewards": [...], "scores": [...],
    "extra_logs": {name: [...]}}``; each objective is ``f(query, prompt, label)`` (``query`` is prompt + response).

``slime`` (slime ``slime/rollout/rm_hub/__init__.py::remote_rm``, at THUDM/slime 624b824a, v0.3.1 + 2026-08-21;
``--rm-type remote_rm --rm-url``)
    ``POST {"prompt": ..., "response": ..., "label": ...}`` (one sample; ``prompt`` a string or chat messages)
    → ``{"reward": r, <objective>: raw, "rw_weight/<objective>": w, "rw_r_pareto": p}``; slime stores the whole
    dict as ``sample.reward`` and ``--reward-key reward`` (and ``--eval-reward-key reward``) picks the scalar.
    Each objective is ``f(prompt, response, label)``.

Steps: ``first_step + samples_seen // samples_per_step`` (OpenRLHF: ``rollout_batch_size × n_samples_per_prompt``;
slime: ``rollout_batch_size × n_samples_per_prompt``, one rollout being one service step). A ``"step"`` field or
an ``X-RW-Step`` header overrides it. Validation: a ``"validation": true`` field, an ``X-RW-Validation: 1``
header or a URL path ending in ``/validate`` answers the same and records nothing (and does not advance the
count). Run it::

    rw-reward-shim --protocol slime --target 127.0.0.1:50051 --run-id grpo-1 \
        --objectives my_rewards:accuracy,my_rewards:clarity --samples-per-step 256 --port 5000

(``rw-openrlhf-shim`` is the same command with ``--protocol openrlhf``.) The shim binds 127.0.0.1 by default and,
with a token, refuses requests without ``Authorization: Bearer <token>`` (OpenRLHF issue 1317).
"""

from __future__ import annotations

import argparse
import hmac
import importlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..client import RewardWeighting, Run
from ..errors import RewardWeightingError
from ..types import Scalarized
from ._batch import check_r_pareto_on, placed_rewards, reward_columns

__all__ = ["SampleSteps", "Protocol", "OpenRLHFProtocol", "SlimeProtocol", "PROTOCOLS", "RewardShim", "main"]

ObjectiveFunction = Callable[..., float]


class SampleSteps:
    """The step of a trainer that sends samples without a step: ``first_step + seen // samples_per_step``.

    Thread-safe; validation samples are not counted. Shared by the HTTP shim and the NeMo Gym verifier."""

    def __init__(self, samples_per_step: int, first_step: int = 1) -> None:
        if samples_per_step < 1:
            raise ValueError("samples_per_step: must be at least 1")
        self.samples_per_step = samples_per_step
        self.first_step = first_step
        self.samples_seen = 0
        self._lock = threading.Lock()

    def step_for(self, count: int, step: Optional[int] = None, validation: bool = False) -> int:
        """The step of the next ``count`` samples (the first sample's), counting them unless ``step`` is given
        or they are validation samples (which get ``first_step``: nothing is recorded for them)."""
        if step is not None:
            return int(step)
        if validation:
            return self.first_step
        with self._lock:
            current = self.first_step + self.samples_seen // self.samples_per_step
            self.samples_seen += count
            return current


def request_flags(payload: Mapping[str, Any], step: Optional[int], validation: bool) -> Tuple[Optional[int], bool]:
    """A payload's ``step`` / ``validation`` fields override the headers' (both optional)."""
    if payload.get("step") is not None:
        step = int(payload["step"])
    return step, validation or bool(payload.get("validation", False))


class Protocol:
    """How one trainer's payload becomes samples (argument tuples for the objective functions) and how the
    scalarised rewards go back."""

    name = ""
    #: the path of the default URL printed at start-up (any path is accepted)
    path = "/"

    def samples(self, payload: Mapping[str, Any]) -> List[Tuple[Any, ...]]:
        raise NotImplementedError

    #: Whether the trainer has an advantage hook for ``r_pareto_on="advantages"``.
    advantages_hook = False

    def reply(self, names: Sequence[str], rewards: Any, result: Optional[Scalarized],
              scalarized: Sequence[float] = ()) -> Dict[str, Any]:
        """The trainer's response: ``scalarized`` are the N rewards to hand back (Scalarize's, or without
        ``r_pareto`` when it goes on the advantages)."""
        raise NotImplementedError

    def mark_advantage_scale(self, body: Dict[str, Any], result: Scalarized) -> None:
        """Adds what the trainer-side hook multiplies the advantages by (``r_pareto_on="advantages"``)."""
        raise NotImplementedError


class OpenRLHFProtocol(Protocol):
    """``{"query", "prompts", "labels"}`` lists → ``{"rewards", "scores", "extra_logs"}``; objectives get
    ``(query, prompt, label)``."""

    name = "openrlhf"
    path = "/get_reward"
    advantages_hook = True

    def samples(self, payload: Mapping[str, Any]) -> List[Tuple[Any, ...]]:
        queries = payload.get("query")
        if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
            raise ValueError("query: must be a list of strings")
        n = len(queries)
        prompts = payload.get("prompts") or [""] * n
        labels = payload.get("labels") or [""] * n
        if len(prompts) != n or len(labels) != n:
            raise ValueError(f"prompts, labels: need {n} entries each, like query")
        return list(zip(queries, prompts, labels))

    def reply(self, names: Sequence[str], rewards: Any, result: Optional[Scalarized],
              scalarized: Sequence[float] = ()) -> Dict[str, Any]:
        if result is None:
            return {"rewards": [], "scores": [], "extra_logs": {}}
        n = len(result.rewards)
        scalarized = [float(r) for r in scalarized]
        extra: Dict[str, List[float]] = {name: rewards[:, k].tolist() for k, name in enumerate(names)}
        for k, name in enumerate(names):
            extra[f"rw_weight/{name}"] = [float(result.weights[k])] * n
        extra["rw_r_pareto"] = [float(result.r_pareto)] * n
        return {"rewards": scalarized, "scores": scalarized, "extra_logs": extra}

    def mark_advantage_scale(self, body: Dict[str, Any], result: Scalarized) -> None:
        """``extra_logs["rw_advantage_scale"]``: each sample's ``r_pareto``, which OpenRLHF keeps in
        ``Experience.info`` for :func:`rewardweighting.adapters.openrlhf.scale_advantages`."""
        body["extra_logs"]["rw_advantage_scale"] = [float(result.r_pareto)] * len(result.rewards)


class SlimeProtocol(Protocol):
    """One ``{"prompt", "response", "label"}`` sample → ``{"reward", <objective>..., "rw_weight/<objective>"...,
    "rw_r_pareto"}``; objectives get ``(prompt, response, label)``."""

    name = "slime"
    path = "/"

    def samples(self, payload: Mapping[str, Any]) -> List[Tuple[Any, ...]]:
        if "response" not in payload:
            raise ValueError("response: missing (slime's remote_rm posts prompt, response and label)")
        response = payload["response"]
        if not isinstance(response, str):
            raise ValueError("response: must be a string")
        prompt = payload.get("prompt")
        if prompt is not None and not isinstance(prompt, (str, list)):
            raise ValueError("prompt: must be a string or a list of chat messages")
        return [(prompt if prompt is not None else "", response, payload.get("label"))]

    def reply(self, names: Sequence[str], rewards: Any, result: Optional[Scalarized],
              scalarized: Sequence[float] = ()) -> Dict[str, Any]:
        assert result is not None  # a slime payload is always one sample
        body: Dict[str, Any] = {"reward": float(scalarized[0])}
        for k, name in enumerate(names):
            body[name] = float(rewards[0, k])
            body[f"rw_weight/{name}"] = float(result.weights[k])
        body["rw_r_pareto"] = float(result.r_pareto)
        return body


PROTOCOLS: Dict[str, Protocol] = {p.name: p for p in (OpenRLHFProtocol(), SlimeProtocol())}


class RewardShim:
    """Turns remote-reward requests of one protocol into ``Scalarize`` calls.

    Args:
        run: the service run (its objectives, in order, are the keys of ``objectives``).
        objectives: objective name → function of the protocol's sample arguments, returning a float (higher is
            better).
        samples_per_step: samples per training step, to derive the step from the sample count.
        first_step: the step of the first sample (1, as OpenRLHF's ``global_step`` and slime's rollout 0 + 1).
        token: when set, requests must carry ``Authorization: Bearer <token>``.
        protocol: ``"openrlhf"``, ``"slime"`` or a :class:`Protocol`.
        r_pareto_on: ``"rewards"`` (default: the rewards are Scalarize's ``r_pareto·(w·r)``) or ``"advantages"``
            (the rewards are ``w·r``; the trainer multiplies its advantages by each sample's ``rw_r_pareto``:
            OpenRLHF only, with :func:`rewardweighting.adapters.openrlhf.install_advantage_scaling`).
    """

    def __init__(self, run: Run, objectives: Mapping[str, ObjectiveFunction], samples_per_step: int,
                 first_step: int = 1, token: Optional[str] = None, protocol: Any = "openrlhf",
                 r_pareto_on: str = "rewards") -> None:
        self.run = run
        self.names = list(objectives)
        self.functions = dict(objectives)
        self.steps = SampleSteps(samples_per_step, first_step)
        self.token = token
        if isinstance(protocol, str):
            if protocol not in PROTOCOLS:
                raise ValueError(f"protocol: {protocol!r} is not one of {sorted(PROTOCOLS)}")
            protocol = PROTOCOLS[protocol]
        self.protocol: Protocol = protocol
        self.r_pareto_on = check_r_pareto_on(r_pareto_on)
        if self.r_pareto_on == "advantages" and not protocol.advantages_hook:
            raise ValueError(f"r_pareto_on: 'advantages' needs a trainer-side advantage hook, which the "
                             f"{protocol.name} protocol does not have; use 'rewards'")

    @property
    def samples_per_step(self) -> int:
        return self.steps.samples_per_step

    @property
    def first_step(self) -> int:
        return self.steps.first_step

    def handle(self, payload: Mapping[str, Any], step: Optional[int] = None,
               validation: bool = False) -> Dict[str, Any]:
        """The response to one payload (``step``/``validation`` as from the headers; the payload's fields win)."""
        if not isinstance(payload, Mapping):
            raise ValueError("body: must be a JSON object")
        samples = self.protocol.samples(payload)
        if not samples:
            return self.protocol.reply(self.names, None, None)
        step, validation = request_flags(payload, step, validation)
        step = self.steps.step_for(len(samples), step, validation)
        columns = [[float(self.functions[name](*sample)) for sample in samples] for name in self.names]
        rewards = reward_columns(columns, self.names)
        result = self.run.scalarize(step, rewards, validation=validation)
        body = self.protocol.reply(self.names, rewards, result, placed_rewards(result, self.r_pareto_on).tolist())
        if self.r_pareto_on == "advantages":
            self.protocol.mark_advantage_scale(body, result)
        return body

    def serve(self, host: str = "127.0.0.1", port: int = 5000) -> ThreadingHTTPServer:
        """An HTTP server (not yet serving: call ``serve_forever()``, e.g. in a thread) answering ``POST`` on any
        path (the trainer's URL is the user's); a path ending in ``/validate`` marks validation samples."""
        shim = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet: one request per sample
                pass

            def _reply(self, status: int, body: Dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                if shim.token is not None:
                    given = self.headers.get("Authorization", "")
                    if not hmac.compare_digest(given.encode(), f"Bearer {shim.token}".encode()):
                        self._reply(401, {"error": "authorization: missing or wrong bearer token"})
                        return
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    payload = json.loads(self.rfile.read(length) or b"{}")
                    header_step = self.headers.get("X-RW-Step")
                    validation = (self.headers.get("X-RW-Validation", "").lower() in ("1", "true", "yes")
                                  or self.path.split("?")[0].rstrip("/").endswith("/validate"))
                    body = shim.handle(payload, int(header_step) if header_step else None, validation)
                except (ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
                    self._reply(400, {"error": str(error)})
                    return
                except RewardWeightingError as error:
                    self._reply(400 if error.status == "INVALID_ARGUMENT" else 502,
                                {"error": str(error), "status": error.status, "field": error.field})
                    return
                self._reply(200, body)

        return ThreadingHTTPServer((host, port), Handler)


def _load(spec: str) -> Tuple[str, ObjectiveFunction]:
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise SystemExit(f"--objectives: {spec!r} is not module:function")
    function = getattr(importlib.import_module(module_name), attribute)
    return attribute, function


def main(argv: Optional[Sequence[str]] = None, *, prog: str = "rw-reward-shim",
         default_protocol: Optional[str] = None) -> None:
    parser = argparse.ArgumentParser(prog=prog, description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--protocol", choices=sorted(PROTOCOLS), default=default_protocol,
                        required=default_protocol is None, help="the trainer's remote reward protocol")
    parser.add_argument("--target", default="127.0.0.1:50051", help="rw-server address")
    parser.add_argument("--run-id", required=True, help="an existing run on the service")
    parser.add_argument("--objectives", required=True,
                        help="comma-separated module:function, one per objective, in the run's order")
    parser.add_argument("--samples-per-step", type=int, required=True,
                        help="rollout_batch_size × n_samples_per_prompt")
    parser.add_argument("--first-step", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--r-pareto-on", choices=("rewards", "advantages"), default="rewards",
                        help="where r_pareto goes: the rewards (default) or the trainer's advantages "
                             "(OpenRLHF, with rewardweighting.adapters.openrlhf.install_advantage_scaling)")
    parser.add_argument("--token-file", help="file holding the bearer token the trainer must send")
    parser.add_argument("--rw-token", help="token for the service")
    parser.add_argument("--rw-tenant", help="tenant to act in on the service (admin tokens; sent as rw-tenant)")
    args = parser.parse_args(argv)
    objectives = dict(_load(spec) for spec in args.objectives.split(","))
    token = open(args.token_file).read().strip() if args.token_file else None
    run = RewardWeighting(args.target, token=args.rw_token, tenant=args.rw_tenant).run(args.run_id)
    declared = [o.name for o in run.info().objectives]
    if declared != list(objectives):
        raise SystemExit(f"--objectives: the run has {declared}, got {list(objectives)}")
    try:
        shim = RewardShim(run, objectives, args.samples_per_step, args.first_step, token, protocol=args.protocol,
                          r_pareto_on=args.r_pareto_on)
    except ValueError as error:
        raise SystemExit(f"--r-pareto-on: {error}")
    server = shim.serve(args.host, args.port)
    print(f"{prog}: {shim.protocol.name} at http://{args.host}:{server.server_address[1]}{shim.protocol.path} → "
          f"{args.target} run {args.run_id}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
