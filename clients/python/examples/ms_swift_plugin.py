"""ms-swift GRPO: a reward plugin whose last ORM is scalarised by the service, and its callback.

As an ms-swift plugin (the run must be reachable; RW_TARGET and RW_RUN_ID set it)::

    RW_TARGET=127.0.0.1:50051 RW_RUN_ID=swift-grpo-1 swift rlhf --rlhf_type grpo \
        --external_plugins clients/python/examples/ms_swift_plugin.py \
        --reward_funcs accuracy conciseness clarity rewardweighting --reward_weights 0 0 0 1 \
        --callbacks rewardweighting --scale_rewards none --dataset ... --model ...

Run directly (``python3 clients/python/examples/ms_swift_plugin.py``), it starts a local rw-server and calls the
ORMs the way ms-swift's ``compute_rewards_per_func`` does (completions positional, dataset columns and
``trainer_state`` as keyword lists), without ms-swift installed.
"""

import collections
import os
import types
from typing import List

from rewardweighting import RewardWeighting
from rewardweighting.adapters.ms_swift import SwiftRewardWeighting

OBJECTIVES = [("accuracy", "max"), ("conciseness", "max"), ("clarity", "max")]


def accuracy(completions: List[str], solution: List[str], **kwargs) -> List[float]:
    return [float(c.strip().endswith(s)) for c, s in zip(completions, solution)]


def conciseness(completions: List[str], **kwargs) -> List[float]:
    return [float(len(c) < 24) for c in completions]


def clarity(completions: List[str], **kwargs) -> List[float]:
    return [float(c.count("Step") >= 2) for c in completions]


def adapter_for(target: str, run_id: str) -> SwiftRewardWeighting:
    run = RewardWeighting(target).create_run(run_id, OBJECTIVES, method="hypervolume", weights=[0.5, 0.25, 0.25])
    return SwiftRewardWeighting(run, {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity})


def demo(address: str) -> None:
    adapter = adapter_for(address, "ms-swift-demo")
    orms = adapter.orms()
    args = types.SimpleNamespace(scale_rewards="none")
    funcs = [orms[name](args=args) for name in adapter.reward_funcs]  # ms-swift: orms[name](args=args)
    trainer = types.SimpleNamespace(model=types.SimpleNamespace(training=True),
                                    _metrics={"train": collections.defaultdict(list)})
    adapter.callback_class()(args, trainer)  # ms-swift: callbacks_map["rewardweighting"](args, trainer)
    completions = ["7", "Step 1: 3. Step 2: +4. So 7", "8", "Step 1. Step 2. 7"]
    kwargs = {"trainer_state": types.SimpleNamespace(global_step=0), "solution": ["7"] * 4,
              "prompt_id": ["p0", "p0", "p1", "p1"]}
    per_func = [f(completions, **kwargs) for f in funcs]
    for name, values in zip(adapter.reward_funcs, per_func):
        print(f"{name:>16}: {values}")
    print("logged:", {k: v for k, v in trainer._metrics["train"].items()})
    evaluation = {"eval_rewards/accuracy/mean": 0.5, "eval_rewards/conciseness/mean": 0.5,
                  "eval_rewards/clarity/mean": 0.25}
    print("checkpoint at step 0:", adapter.report_evaluation(0, evaluation))


if __name__ == "__main__":
    from rewardweighting.server import LocalServer

    with LocalServer() as server:
        demo(server.address)
elif os.environ.get("RW_RUN_ID"):  # imported by ms-swift's --external_plugins
    adapter_for(os.environ.get("RW_TARGET", "127.0.0.1:50051"), os.environ["RW_RUN_ID"]).register()
