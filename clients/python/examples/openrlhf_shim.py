"""OpenRLHF: the remote-reward shim in front of a run, called the way OpenRLHF's agent calls it.

    python3 clients/python/examples/openrlhf_shim.py              # starts a local rw-server and the shim

In a real job, start the shim with ``rw-openrlhf-shim --run-id ... --objectives my_rewards:accuracy,...
--samples-per-step <rollout_batch_size × n_samples_per_prompt>`` and pass OpenRLHF
``--reward.remote_url http://127.0.0.1:5000/get_reward`` (``--remote_rm_url`` in older releases).
"""

import json
import threading
import urllib.request

from rewardweighting import RewardWeighting
from rewardweighting.adapters.openrlhf import OpenRLHFShim
from rewardweighting.server import LocalServer


def accuracy(query: str, prompt: str, label: str) -> float:
    return float(query.rstrip().endswith(label))


def conciseness(query: str, prompt: str, label: str) -> float:
    return float(len(query) - len(prompt) < 12)


def clarity(query: str, prompt: str, label: str) -> float:
    return float(query.count("Step") >= 2)


def main(address: str) -> None:
    run = RewardWeighting(address).create_run("openrlhf-demo", ["accuracy", "conciseness", "clarity"],
                                              weights=[0.5, 0.25, 0.25])
    shim = OpenRLHFShim(run, {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity},
                        samples_per_step=2)
    http = shim.serve("127.0.0.1", 0)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}/get_reward"
    prompt = "Q: 3+4=?"
    for response in [" 7", " Step 1: 3. Step 2: +4. 7", " 8"]:  # one sample per request, as OpenRLHF sends
        body = json.dumps({"query": [prompt + response], "prompts": [prompt], "labels": ["7"]}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as reply:
            print(repr(response), "→", json.loads(reply.read()))
    print("steps recorded up to", run.state.last_scalarize_step)
    http.shutdown()


if __name__ == "__main__":
    with LocalServer() as server:
        main(server.address)
