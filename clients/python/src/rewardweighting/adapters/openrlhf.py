"""OpenRLHF adapter: an HTTP shim speaking OpenRLHF's remote reward protocol, forwarding to the service.

OpenRLHF (``--reward.remote_url http://127.0.0.1:5000/get_reward``, ``--remote_rm_url`` before 2026-04) POSTs
``{"query": [...], "prompts": [...], "labels": [...]}`` and expects ``{"rewards": [...], "scores": [...],
"extra_logs": {name: [...]}}``; ``rewards`` drive the advantages, ``scores`` dynamic filtering, and every
``extra_logs`` key is logged. The shim scores each sample on the K objectives with the user's functions, sends
the batch to ``Scalarize`` and answers with the scalarised rewards, logging each objective, the weights and
``r_pareto`` in ``extra_logs``.

OpenRLHF's payload carries no step and no run id (and its current agent sends one sample per request), so the
shim counts samples: step ``1 + samples_seen // samples_per_step`` (``samples_per_step`` =
``rollout_batch_size × n_samples_per_prompt``), unless the request carries a ``step`` field or an
``X-RW-Step`` header. A request with ``"validation": true`` (or header ``X-RW-Validation: 1``) records nothing.

Run it::

    rw-openrlhf-shim --target 127.0.0.1:50051 --run-id ppo-1 --objectives my_rewards:accuracy,my_rewards:clarity \
        --samples-per-step 1024 --port 5000 [--token-file secret.txt]

Each objective function is ``f(query: str, prompt: str, label: str) -> float`` (higher is better). The shim
binds 127.0.0.1 by default and, with a token, refuses requests without ``Authorization: Bearer <token>``
(OpenRLHF issue 1317: the reference ``/get_reward`` has no authentication).
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
from ._batch import reward_columns

__all__ = ["OpenRLHFShim", "main"]

ObjectiveFunction = Callable[[str, str, str], float]


class OpenRLHFShim:
    """Turns OpenRLHF remote-reward requests into ``Scalarize`` calls.

    Args:
        run: the service run (its objectives, in order, are the keys of ``objectives``).
        objectives: objective name → ``f(query, prompt, label) -> float``.
        samples_per_step: samples per training step, to derive the step from the sample count.
        first_step: the step of the first sample (1, as OpenRLHF's ``global_step`` starts at 1).
        token: when set, requests must carry ``Authorization: Bearer <token>``.
    """

    def __init__(self, run: Run, objectives: Mapping[str, ObjectiveFunction], samples_per_step: int,
                 first_step: int = 1, token: Optional[str] = None) -> None:
        if samples_per_step < 1:
            raise ValueError("samples_per_step: must be at least 1")
        self.run = run
        self.names = list(objectives)
        self.functions = dict(objectives)
        self.samples_per_step = samples_per_step
        self.first_step = first_step
        self.token = token
        self._samples_seen = 0
        self._lock = threading.Lock()

    def _next_step(self, count: int) -> int:
        with self._lock:
            step = self.first_step + self._samples_seen // self.samples_per_step
            self._samples_seen += count
            return step

    def handle(self, payload: Mapping[str, Any], step: Optional[int] = None,
               validation: bool = False) -> Dict[str, Any]:
        """The response to one ``/get_reward`` payload."""
        queries = payload.get("query")
        if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
            raise ValueError("query: must be a list of strings")
        n = len(queries)
        prompts = payload.get("prompts") or [""] * n
        labels = payload.get("labels") or [""] * n
        if len(prompts) != n or len(labels) != n:
            raise ValueError(f"prompts, labels: need {n} entries each, like query")
        if n == 0:
            return {"rewards": [], "scores": [], "extra_logs": {}}
        if payload.get("step") is not None:
            step = int(payload["step"])
        validation = validation or bool(payload.get("validation", False))
        if step is None:
            step = self.first_step if validation else self._next_step(n)
        columns = [[float(self.functions[name](q, p, l)) for q, p, l in zip(queries, prompts, labels)]
                   for name in self.names]
        rewards = reward_columns(columns, self.names)
        result = self.run.scalarize(step, rewards, validation=validation)
        scalarized = [float(r) for r in result.rewards]
        extra: Dict[str, List[float]] = {name: rewards[:, k].tolist() for k, name in enumerate(self.names)}
        for k, name in enumerate(self.names):
            extra[f"rw_weight/{name}"] = [float(result.weights[k])] * n
        extra["rw_r_pareto"] = [float(result.r_pareto)] * n
        return {"rewards": scalarized, "scores": scalarized, "extra_logs": extra}

    def serve(self, host: str = "127.0.0.1", port: int = 5000) -> ThreadingHTTPServer:
        """An HTTP server (not yet serving: call ``serve_forever()``, e.g. in a thread) answering
        ``POST /get_reward`` (any path is accepted, as OpenRLHF's URL is the user's)."""
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
                    validation = self.headers.get("X-RW-Validation", "").lower() in ("1", "true", "yes")
                    body = shim.handle(payload, int(header_step) if header_step else None, validation)
                except (ValueError, KeyError, json.JSONDecodeError) as error:
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


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="rw-openrlhf-shim", description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="127.0.0.1:50051", help="rw-server address")
    parser.add_argument("--run-id", required=True, help="an existing run on the service")
    parser.add_argument("--objectives", required=True,
                        help="comma-separated module:function, one per objective, in the run's order")
    parser.add_argument("--samples-per-step", type=int, required=True,
                        help="rollout_batch_size × n_samples_per_prompt")
    parser.add_argument("--first-step", type=int, default=1)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--token-file", help="file holding the bearer token OpenRLHF must send")
    parser.add_argument("--rw-token", help="token for the service")
    args = parser.parse_args(argv)
    objectives = dict(_load(spec) for spec in args.objectives.split(","))
    token = open(args.token_file).read().strip() if args.token_file else None
    run = RewardWeighting(args.target, token=args.rw_token).run(args.run_id)
    declared = [o.name for o in run.info().objectives]
    if declared != list(objectives):
        raise SystemExit(f"--objectives: the run has {declared}, got {list(objectives)}")
    server = OpenRLHFShim(run, objectives, args.samples_per_step, args.first_step, token).serve(args.host, args.port)
    print(f"rw-openrlhf-shim: http://{args.host}:{server.server_address[1]}/get_reward → {args.target} "
          f"run {args.run_id}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
