"""slime: the remote-reward shim with the slime protocol, called the way slime's ``remote_rm`` calls it.

    python3 clients/python/examples/slime_shim.py                 # starts a local rw-server and the shim

In a real job::

    rw-reward-shim --protocol slime --run-id grpo-1 --objectives my_rewards:accuracy,... \
        --samples-per-step <rollout_batch_size × n_samples_per_prompt> --port 5000
    python train.py ... --rm-type remote_rm --rm-url http://127.0.0.1:5000/ --reward-key reward

and give evaluation datasets ``custom_rm_path: rewardweighting.adapters.slime.validation_rm``.
"""

import asyncio
import json
import threading
import types
import urllib.request

from rewardweighting import RewardWeighting
from rewardweighting.adapters.slime import SlimeShim, validation_rm
from rewardweighting.server import LocalServer


def accuracy(prompt, response: str, label) -> float:
    return float(response.rstrip().endswith(str(label)))


def conciseness(prompt, response: str, label) -> float:
    return float(len(response) < 12)


def clarity(prompt, response: str, label) -> float:
    return float(response.count("Step") >= 2)


def main(address: str) -> None:
    run = RewardWeighting(address).create_run("slime-demo", ["accuracy", "conciseness", "clarity"],
                                              weights=[0.5, 0.25, 0.25])
    shim = SlimeShim(run, {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity}, samples_per_step=2)
    http = shim.serve("127.0.0.1", 0)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}/"
    for response in ["7", "Step 1: 3. Step 2: +4. 7", "8"]:  # slime: one POST per sample
        body = json.dumps({"prompt": "Q: 3+4=?", "response": response, "label": "7"}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as reply:
            print(repr(response), "→", json.loads(reply.read()))
    sample = types.SimpleNamespace(prompt="Q: 3+4=?", response="7", label="7")
    print("evaluation sample →", asyncio.run(validation_rm(types.SimpleNamespace(rm_url=url), sample)))
    print("steps recorded up to", run.state.last_scalarize_step)
    http.shutdown()


if __name__ == "__main__":
    with LocalServer() as server:
        main(server.address)
