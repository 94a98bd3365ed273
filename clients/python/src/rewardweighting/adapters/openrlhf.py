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

``r_pareto`` on the advantages (``--r-pareto-on advantages``): the shim answers ``w·r`` without ``r_pareto`` and
adds ``rw_advantage_scale`` (the sample's ``r_pareto``) to ``extra_logs``, which OpenRLHF stores per sample in
``Experience.info``
(``samples_generator.py``). In the process that runs OpenRLHF's driver (your launcher, before
``openrlhf.cli.train_ppo_ray``'s ``train(args)``), :func:`install_advantage_scaling` wraps
``RemoteExperienceMaker.compute_advantages_and_returns`` so that, after its ``group_norm`` (GRPO) or whitening
normalisation, each experience's advantages are multiplied by its samples' ``rw_advantage_scale``
(:func:`scale_advantages`)::

    from rewardweighting.adapters.openrlhf import install_advantage_scaling
    install_advantage_scaling()
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence

from ..client import Run
from ._batch import scale_advantages as _scale
from .shim import RewardShim
from .shim import main as _shim_main

__all__ = ["OpenRLHFShim", "main", "scale_advantages", "install_advantage_scaling"]

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
        r_pareto_on: ``"rewards"`` (default) or ``"advantages"`` (with :func:`install_advantage_scaling`).
    """

    def __init__(self, run: Run, objectives: Mapping[str, ObjectiveFunction], samples_per_step: int,
                 first_step: int = 1, token: Optional[str] = None, r_pareto_on: str = "rewards") -> None:
        super().__init__(run, objectives, samples_per_step, first_step, token, protocol="openrlhf",
                         r_pareto_on=r_pareto_on)


def scale_advantages(experiences: List[Any]) -> List[Any]:
    """Multiplies each experience's ``advantages`` (B×T, or a list of per-sample tensors when samples are packed)
    by its samples' ``info["rw_advantage_scale"]``, in place, and returns ``experiences``. Experiences without it
    (a shim with ``--r-pareto-on rewards``, whose rewards already carry ``r_pareto``, or another reward source)
    are left as they are, so the hook is safe to install always."""
    for experience in experiences:
        info = getattr(experience, "info", None) or {}
        factors = info.get("rw_advantage_scale")
        advantages = getattr(experience, "advantages", None)
        if factors is None or advantages is None:
            continue
        if isinstance(advantages, list):
            values = [float(v) for v in (factors.tolist() if hasattr(factors, "tolist") else factors)]
            experience.advantages = [_scale(a, f) for a, f in zip(advantages, values)]
        else:
            experience.advantages = _scale(advantages, factors.tolist() if hasattr(factors, "tolist") else factors)
    return experiences


def install_advantage_scaling() -> None:
    """Wraps OpenRLHF's ``RemoteExperienceMaker.compute_advantages_and_returns``
    (``openrlhf/trainer/ppo_utils/experience_maker.py`` at 3c3be623) so that its result goes through
    :func:`scale_advantages`. Idempotent; raises ``ImportError`` when OpenRLHF is not importable."""
    from openrlhf.trainer.ppo_utils.experience_maker import RemoteExperienceMaker  # type: ignore[import-not-found]

    original = RemoteExperienceMaker.compute_advantages_and_returns
    if getattr(original, "_rewardweighting_scaled", False):
        return

    def compute_advantages_and_returns(self: Any, experiences: List[Any], *args: Any, **kwargs: Any) -> Any:
        return scale_advantages(original(self, experiences, *args, **kwargs))

    compute_advantages_and_returns._rewardweighting_scaled = True  # type: ignore[attr-defined]
    RemoteExperienceMaker.compute_advantages_and_returns = compute_advantages_and_returns


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``rw-openrlhf-shim``: ``rw-reward-shim --protocol openrlhf``."""
    _shim_main(argv, prog="rw-openrlhf-shim", default_protocol="openrlhf")


if __name__ == "__main__":
    main()
