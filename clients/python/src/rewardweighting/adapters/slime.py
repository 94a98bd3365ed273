"""slime adapter: the HTTP reward shim (:mod:`.shim`) speaking slime's remote reward protocol.

slime (THUDM/slime at 624b824a, v0.3.1 + 2026-08-21) scores a sample with ``--rm-type remote_rm --rm-url URL``:
``slime/rollout/rm_hub/__init__.py::remote_rm`` POSTs ``{"prompt": sample.prompt, "response": sample.response,
"label": sample.label}`` (one sample per request, 10 tries with backoff) and stores the JSON it gets back as
``sample.reward``; when that is a dict, ``--reward-key`` picks the training reward
(``slime/utils/types.py::Sample.get_reward_value``) and ``--eval-reward-key`` (default: the same) the
evaluation one. The shim answers ``{"reward": r_pareto·Σ w_k r_k, <objective>: raw, "rw_weight/<objective>": w,
"rw_r_pareto": p}``, so run slime with ``--reward-key reward``::

    rw-reward-shim --protocol slime --target 127.0.0.1:50051 --run-id grpo-1 \
        --objectives my_rewards:accuracy,my_rewards:conciseness,my_rewards:clarity \
        --samples-per-step 256 --port 5000            # rollout_batch_size × n_samples_per_prompt
    python train.py ... --rm-type remote_rm --rm-url http://127.0.0.1:5000/ --reward-key reward

Each objective is ``f(prompt, response, label) -> float`` (``prompt`` is slime's ``sample.prompt``: a string or
a list of chat messages). slime's payload has no step, so the shim counts samples, exactly like the OpenRLHF
protocol (``1 + samples_seen // samples_per_step``: one slime rollout is one service step). slime sends its
evaluation samples to the same ``--rm-url``; to keep them from being counted and recorded, give the evaluation
datasets ``custom_rm_path: rewardweighting.adapters.slime.validation_rm`` (slime's per-sample
``custom_rm_path``, ``rm_hub/__init__.py::async_rm``), which posts the same payload to ``<rm-url>/validate``.
With over-sampling or dynamic filtering slime scores more samples than it trains on, and the count drifts:
then set ``samples_per_step`` to the number scored per rollout.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any, Callable, Dict, Mapping, Optional

from ..client import Run
from .shim import RewardShim

__all__ = ["SlimeShim", "validation_rm", "validation_url"]

ObjectiveFunction = Callable[[Any, str, Any], float]


class SlimeShim(RewardShim):
    """Turns slime ``remote_rm`` requests into ``Scalarize`` calls (:class:`.shim.RewardShim` with the ``slime``
    protocol); arguments as :class:`.openrlhf.OpenRLHFShim`, objectives ``f(prompt, response, label)``."""

    def __init__(self, run: Run, objectives: Mapping[str, ObjectiveFunction], samples_per_step: int,
                 first_step: int = 1, token: Optional[str] = None) -> None:
        super().__init__(run, objectives, samples_per_step, first_step, token, protocol="slime")


def validation_url(rm_url: str) -> str:
    """``<rm_url>/validate``: the shim's path for samples that must not be recorded."""
    base, _, query = rm_url.partition("?")
    return base.rstrip("/") + "/validate" + (f"?{query}" if query else "")


def _post(url: str, payload: Dict[str, Any], timeout: float) -> Any:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


async def validation_rm(args: Any, sample: Any, **kwargs: Any) -> Any:
    """A slime ``custom_rm_path`` function (``async def rm(args, sample, **kwargs)``) for evaluation datasets:
    posts slime's ``remote_rm`` payload to ``<args.rm_url>/validate`` so the shim answers without counting or
    recording the sample."""
    payload = {"prompt": sample.prompt, "response": sample.response, "label": sample.label}
    return await asyncio.get_running_loop().run_in_executor(None, _post, validation_url(args.rm_url), payload, 120.0)
