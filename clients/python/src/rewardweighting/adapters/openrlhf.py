"""OpenRLHF adapter: the HTTP reward shim (:mod:`.shim`) speaking OpenRLHF's remote reward protocol.

OpenRLHF (``--reward.remote_url http://127.0.0.1:5000/get_reward``, ``--remote_rm_url`` before 2026-04) POSTs
``{"query": [...], "prompts": [...], "labels": [...]}`` and expects ``{"rewards": [...], "scores": [...],
"extra_logs": {name: [...]}}`` (``openrlhf/utils/agent.py::_fetch_rewards_via_http``, OpenRLHF 3c3be623);
``rewards`` drive the advantages, ``scores`` dynamic filtering, and every ``extra_logs`` key is logged. The shim
scores each sample on the K objectives with the user's functions, sends the batch to ``Scalarize`` and answers
with the scalarised rewards, logging each objective, the weights and ``r_pareto`` in ``extra_logs``.

OpenRLHF's payload carries no step and no run id (and its current agent sends one sample per request), so the
shim counts samples: step ``1 + samples_seen // samples_per_step`` (``samples_per_step`` =
``rollout_batch_size × n_samples_per_prompt``), unless the request carries a ``step`` field or an
``X-RW-Step`` header. A request with ``"validation": true`` (or header ``X-RW-Validation: 1``, or a URL path
ending in ``/validate``) records nothing.

Run it::

    rw-openrlhf-shim --target 127.0.0.1:50051 --run-id ppo-1 --objectives my_rewards:accuracy,my_rewards:clarity \
        --samples-per-step 1024 --port 5000 [--token-file secret.txt]

Each objective function is ``f(query: str, prompt: str, label: str) -> float`` (higher is better). The shim
binds 127.0.0.1 by default and, with a token, refuses requests without ``Authorization: Bearer <token>``
(OpenRLHF issue 1317: the reference ``/get_reward`` has no authentication).
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence

from ..client import Run
from .shim import RewardShim
from .shim import main as _shim_main

__all__ = ["OpenRLHFShim", "main"]

ObjectiveFunction = Callable[[str, str, str], float]


class OpenRLHFShim(RewardShim):
    """Turns OpenRLHF remote-reward requests into ``Scalarize`` calls (:class:`.shim.RewardShim` with the
    ``openrlhf`` protocol).

    Args:
        run: the service run (its objectives, in order, are the keys of ``objectives``).
        objectives: objective name → ``f(query, prompt, label) -> float``.
        samples_per_step: samples per training step, to derive the step from the sample count.
        first_step: the step of the first sample (1, as OpenRLHF's ``global_step`` starts at 1).
        token: when set, requests must carry ``Authorization: Bearer <token>``.
    """

    def __init__(self, run: Run, objectives: Mapping[str, ObjectiveFunction], samples_per_step: int,
                 first_step: int = 1, token: Optional[str] = None) -> None:
        super().__init__(run, objectives, samples_per_step, first_step, token, protocol="openrlhf")


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``rw-openrlhf-shim``: ``rw-reward-shim --protocol openrlhf``."""
    _shim_main(argv, prog="rw-openrlhf-shim", default_protocol="openrlhf")


if __name__ == "__main__":
    main()
