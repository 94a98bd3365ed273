"""The 15-line start: `pip install ./clients/python`, `swift run rw-server`, then `python3 quickstart.py`."""
import sys

import numpy as np
from rewardweighting import InvalidArgumentError, RewardWeighting

client = RewardWeighting(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051")
run = client.create_run("quickstart", [("accuracy", "max"), ("length", "min"), ("clarity", "max")],
                        method="gradient", eta=1e-6, mu=1e-5, schedule="polynomial", total_steps=360)
grads = np.random.default_rng(0).normal(size=(3, 1000))         # your per-objective policy gradients
print("weights:", run.report_gradients(1, grads @ grads.T / 1e3).weights)   # step 1's Gram matrix
out = run.scalarize(1, np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0]]))  # N responses × K objectives
print("rewards:", out.rewards, "r_pareto:", out.r_pareto)
try:
    run.scalarize(2, np.array([[1.0, float("nan"), 0.0]]))
except InvalidArgumentError as error:
    print(error.status, error.field, "-", error.details)
