"""NeMo Gym / NeMo-RL: a multi-reward resources server's ``/verify`` scalarised by the service, and the NeMo-RL
advantage estimator that scalarises ``reward/<name>`` components.

    python3 clients/python/examples/nemo_gym_verifier.py          # starts a local rw-server; no Gym needed

With NeMo Gym installed, wrap the environment's server class (``adapter.wrap(ToolCallMultiRewardResourcesServer)``)
and run the wrapped class as the environment's resources server. Here a stand-in with Gym's verify contract
(``async verify(body) -> {..request fields, reward, reward_components}``) takes its place, and the NeMo-RL
estimator is given a recording inner estimator instead of NeMo-RL's GRPO one.
"""

import asyncio

import numpy as np

from rewardweighting import RewardWeighting
from rewardweighting.adapters.nemo import GymRewardWeighting, RewardWeightingAdvantageEstimator
from rewardweighting.server import LocalServer


class ToolCallServer:
    """Gym's example_tool_call_multireward, reduced: three {0, 1} components and reward = their sum."""

    async def verify(self, body: dict) -> dict:
        call, expected = body["response"]["call"], body["expected_call"]
        components = {"correctness": float(call == expected), "schema_valid": float("city" in call),
                      "format": float(len(call) == 1)}
        return {**body, "reward": sum(components.values()), "reward_components": components}


class PrintingGRPO:
    normalize_rewards = False

    def compute_advantage(self, prompt_ids, rewards, mask, **kwargs):
        print("NeMo-RL's estimator receives rewards", np.round(rewards, 4).tolist())
        return np.broadcast_to(rewards[:, None], mask.shape)


def main(address: str) -> None:
    client = RewardWeighting(address)
    run = client.create_run("gym-demo", ["correctness", "schema_valid", "format"], weights=[0.6, 0.3, 0.1])
    server = GymRewardWeighting(run, samples_per_step=2).wrap(ToolCallServer)()
    for call in [{"city": "NYC"}, {"city": "LA", "units": "C"}, {"town": "LA"}]:
        body = {"responses_create_params": {"input": []}, "response": {"call": call}, "expected_call": {"city": "NYC"}}
        result = asyncio.run(server.verify(body))
        print(call, "→ reward", round(result["reward"], 4), "components", result["rw_reward_components"])

    run2 = client.create_run("nemo-rl-demo", ["correctness", "schema_valid", "format"], weights=[0.6, 0.3, 0.1],
                             normalization="group")
    estimator = RewardWeightingAdvantageEstimator(run2, inner=PrintingGRPO())
    batch = {"reward/correctness": np.array([1.0, 0.0, 1.0, 1.0]), "reward/format": np.array([0.0, 1.0, 1.0, 1.0]),
             "reward/schema_valid": np.array([1.0, 1.0, 0.0, 1.0])}
    estimator.compute_advantage(prompt_ids=np.array([0, 0, 1, 1]), rewards=np.zeros(4), mask=np.ones((4, 2)),
                                repeated_batch=batch)
    print("logged:", estimator.last_metrics)


if __name__ == "__main__":
    with LocalServer() as server:
        main(server.address)
