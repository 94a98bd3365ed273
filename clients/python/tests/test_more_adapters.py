"""The ms-swift, NeMo Gym / NeMo-RL and slime adapters and TRL's multi-reward aggregation modes, each driven with
its framework's own calling convention against the real service; every reward an adapter returns must equal the
service's Scalarize of the same rows (asked again with validation=True, which records nothing)."""

import asyncio
import collections
import json
import threading
import types
import urllib.error
import urllib.request
import warnings

import numpy as np
import pytest

from rewardweighting.adapters.ms_swift import SwiftRewardWeighting
from rewardweighting.adapters.nemo import GymRewardWeighting, RewardWeightingAdvantageEstimator
from rewardweighting.adapters.shim import RewardShim, SampleSteps
from rewardweighting.adapters.slime import SlimeShim, validation_rm, validation_url
from rewardweighting.adapters.trl import TRLRewardWeighting

NAMES = ["accuracy", "conciseness", "clarity"]


def _service(run, step, rows, groups=None):
    """What the service answers for these rows at this step (validation: nothing recorded)."""
    return run.scalarize(step, np.asarray(rows, dtype=float), group_ids=groups, validation=True)


def _post(url, payload, headers=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


# -- slime ------------------------------------------------------------------------------------------------------

def _slime_objectives():
    return {
        "accuracy": lambda prompt, response, label: float(label is not None and response.strip().endswith(label)),
        "conciseness": lambda prompt, response, label: float(len(response) < 8),
        "clarity": lambda prompt, response, label: float(response.count("step") >= 2),
    }


@pytest.fixture
def serve():
    servers = []

    def start(shim):
        http = shim.serve("127.0.0.1", 0)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        servers.append(http)
        return f"http://127.0.0.1:{http.server_address[1]}"

    yield start
    for http in servers:
        http.shutdown()
        http.server_close()


def test_slime_shim_speaks_remote_rm(client, run_id, serve):
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25])
    base = serve(SlimeShim(run, _slime_objectives(), samples_per_step=2))
    # slime's remote_rm: one POST per sample, {"prompt": sample.prompt, "response": sample.response, "label": ...}
    samples = [("Q: 3+4=", "7", "7"), ("Q: 3+4=", "step step 7", "7"), ([{"role": "user", "content": "3+4?"}], "8", "7")]
    replies = [_post(base + "/", {"prompt": p, "response": r, "label": l}) for p, r, l in samples]
    rows = [[1, 1, 0], [1, 0, 1], [0, 1, 0]]
    for i, (reply, row) in enumerate(zip(replies, rows)):
        expected = _service(run, 1 + i // 2, [row])
        assert reply["reward"] == pytest.approx(float(expected.rewards[0]), abs=1e-12)
        assert [reply[name] for name in NAMES] == row
        assert reply["rw_weight/accuracy"] == pytest.approx(0.5) and reply["rw_r_pareto"] == 1.0
    assert run.state.last_scalarize_step == 2  # samples 1–2 are step 1, sample 3 is step 2
    # slime keeps the dict as sample.reward; --reward-key reward picks the training reward (Sample.get_reward_value)
    reward_key = "reward"
    assert [r[reward_key] for r in replies] == pytest.approx([0.75, 0.75, 0.25])

    # evaluation: the /validate path (what validation_rm posts to) answers the same and records nothing
    before = run.state
    answer = _post(base + "/validate", {"prompt": "Q", "response": "step step 7", "label": "7"})
    assert answer["reward"] == pytest.approx(0.75)
    assert run.state.last_scalarize_step == before.last_scalarize_step
    args = types.SimpleNamespace(rm_url=base + "/")
    sample = types.SimpleNamespace(prompt="Q", response="7", label="7")
    assert asyncio.run(validation_rm(args, sample))["reward"] == pytest.approx(0.75)
    assert validation_url("http://h:1/rm?x=1") == "http://h:1/rm/validate?x=1"
    # the next training sample is still step 2 (validation samples are not counted)
    _post(base + "/", {"prompt": "Q", "response": "9", "label": "7"})
    assert run.state.last_scalarize_step == 2
    with pytest.raises(urllib.error.HTTPError) as raised:
        _post(base + "/", {"prompt": "Q", "label": "7"})
    assert raised.value.code == 400 and "response" in json.loads(raised.value.read())["error"]


def test_one_shim_module_serves_both_protocols(client, run_id):
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25])
    objectives = {name: (lambda *sample: 1.0) for name in NAMES}
    openrlhf = RewardShim(run, objectives, samples_per_step=4, protocol="openrlhf")
    slime = RewardShim(run, objectives, samples_per_step=4, protocol="slime")
    assert openrlhf.handle({"query": ["a", "b"], "prompts": ["", ""], "labels": ["", ""]})["rewards"] == [1.0, 1.0]
    assert slime.handle({"prompt": "p", "response": "r", "label": None}, step=5)["reward"] == 1.0
    assert run.state.last_scalarize_step == 5
    with pytest.raises(ValueError, match="protocol"):
        RewardShim(run, objectives, samples_per_step=4, protocol="nope")
    steps = SampleSteps(3, first_step=10)
    assert [steps.step_for(1) for _ in range(7)] == [10, 10, 10, 11, 11, 11, 12]
    assert steps.step_for(1, validation=True) == 10 and steps.step_for(5, step=40) == 40
    assert steps.samples_seen == 7


# -- TRL multi_objective_aggregation ---------------------------------------------------------------------------------

def _trl_functions():
    def accuracy(prompts, completions, answer, **kwargs):
        return [1.0 if a in c else 0.0 for c, a in zip(completions, answer)]

    def conciseness(prompts, completions, **kwargs):
        return [1.0 if len(c) < 12 else 0.0 for c in completions]

    def clarity(prompts, completions, **kwargs):
        return [1.0 if c.count("step") >= 2 else 0.0 for c in completions]

    return {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity}


def _trl_normalize_then_sum(rewards_per_func, reward_weights, num_generations):
    """TRL v1.9 GRPOTrainer, multi_objective_aggregation="normalize_then_sum": each function standardised within its
    group (nanstd with Bessel's correction, ε = 1e-4), weighted sum, then standardised across the batch."""
    grouped = rewards_per_func.reshape(-1, num_generations, rewards_per_func.shape[1])
    mean = grouped.mean(axis=1, keepdims=True)
    std = grouped.std(axis=1, ddof=1, keepdims=True)
    summed = (((grouped - mean) / (std + 1e-4)).reshape(rewards_per_func.shape) * reward_weights).sum(axis=1)
    return (summed - summed.mean()) / (summed.std(ddof=1) + 1e-4)


def test_trl_normalize_then_sum_uses_the_services_group_normalisation(client, run_id):
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25], normalization="group")
    adapter = TRLRewardWeighting(run, _trl_functions())
    callback_args = types.SimpleNamespace(multi_objective_aggregation="normalize_then_sum", scale_rewards="group")
    adapter.check_trainer_settings(callback_args)  # what the callback's on_init_end / on_train_begin do
    prompts = ["2+2=", "2+2=", "3+4=", "3+4="]
    completions = ["4", "step step 4 blah blah", "step 7", "8"]
    kwargs = dict(answer=["4", "4", "7", "7"], trainer_state=types.SimpleNamespace(global_step=4),
                  log_metric=lambda *a: None, completion_ids=[[0]] * 4)
    per_func = np.array([f(prompts=prompts, completions=completions, **kwargs) for f in adapter.reward_funcs]).T
    rows = per_func[:, :3]
    expected = _service(run, 5, rows, groups=[repr(p) for p in prompts])
    np.testing.assert_allclose(per_func[:, 3], expected.rewards, atol=1e-12)
    # and it is the GDPO sum: each objective standardised within its prompt's group, then weighted
    manual = np.empty(4)
    for group in ([0, 1], [2, 3]):
        block = rows[group]
        std = block.std(axis=0, ddof=1)
        z = np.where(std > 0, (block - block.mean(0)) / (std + 1e-6), 0.0)
        manual[group] = z @ [0.5, 0.25, 0.25]
    np.testing.assert_allclose(per_func[:, 3], manual, atol=1e-9)
    advantages = _trl_normalize_then_sum(per_func, np.array(adapter.reward_weights), 2)
    assert np.isfinite(advantages).all()
    assert run.state.last_scalarize_step == 5


def test_trl_aggregation_warnings(client, run_id):
    plain = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25])
    with pytest.warns(RuntimeWarning, match="normalization='group'"):
        TRLRewardWeighting(plain, _trl_functions(), multi_objective_aggregation="normalize_then_sum")
    with pytest.raises(ValueError, match="multi_objective_aggregation"):
        TRLRewardWeighting(plain, _trl_functions(), multi_objective_aggregation="mean")
    hv = client.create_run(run_id + "-hv", NAMES, method="hypervolume", normalization="group")
    adapter = TRLRewardWeighting(hv, _trl_functions())
    with pytest.warns(RuntimeWarning, match="r_pareto"):
        adapter.check_trainer_settings(types.SimpleNamespace(multi_objective_aggregation="normalize_then_sum",
                                                             scale_rewards="none"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sum_then_normalize without std scaling keeps r_pareto: no warning
        adapter.check_trainer_settings(types.SimpleNamespace(multi_objective_aggregation="sum_then_normalize",
                                                             scale_rewards="none"))
    with pytest.warns(RuntimeWarning, match="scale_rewards='batch'"):
        adapter.check_trainer_settings(types.SimpleNamespace(multi_objective_aggregation="sum_then_normalize",
                                                             scale_rewards="batch"))


# -- ms-swift ------------------------------------------------------------------------------------------------------

def _swift_functions(calls):
    """ms-swift reward functions: f(completions, **kwargs) with dataset columns (here `solution`) as kwargs."""
    def accuracy(completions, solution, **kwargs):
        calls.append("accuracy")
        return [1.0 if s in c else 0.0 for c, s in zip(completions, solution)]

    def conciseness(completions, **kwargs):
        calls.append("conciseness")
        return [1.0 if len(c) < 12 else 0.0 for c in completions]

    def clarity(completions, **kwargs):
        calls.append("clarity")
        return [1.0 if c.count("step") >= 2 else None for c in completions]  # None → NaN → 0.0 with a warning

    return {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity}


def _swift_rewards(reward_funcs, samples, trainer_state):
    """ms-swift's compute_rewards_per_func: completions positional, the batched reward rows plus trainer_state as
    keyword lists; None → NaN. Then advantage.py's nansum with reward_weights."""
    completions = [s["messages"][-1]["content"] for s in samples]
    reward_kwargs = {"trainer_state": trainer_state}
    for key in samples[0]:
        reward_kwargs[key] = [s[key] for s in samples]  # RowPreprocessor.rows_to_batched
    per_func = np.zeros((len(samples), len(reward_funcs)))
    for i, func in enumerate(reward_funcs):
        out = func(completions, **reward_kwargs)
        per_func[:, i] = [np.nan if r is None else r for r in out]
    return per_func


def _swift_samples(prompts, completions, solutions):
    return [{"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": c}],
             "prompt_id": f"p-{p}", "request_id": f"r{i}", "response_token_ids": [1, 2],
             "solution": s} for i, (p, c, s) in enumerate(zip(prompts, completions, solutions))]


class _SwiftTrainer:
    """What the adapter reads of ms-swift's GRPOTrainer: model.training and the _metrics dicts."""

    def __init__(self):
        self.model = types.SimpleNamespace(training=True)
        self._metrics = {"train": collections.defaultdict(list), "eval": collections.defaultdict(list)}


@pytest.mark.filterwarnings("ignore:rewardweighting. . missing or non-finite rewards:RuntimeWarning")
def test_ms_swift_plugin_scalarises_once_per_batch_logs_and_reports_checkpoints(client, run_id):
    run = client.create_run(run_id, NAMES, method="hypervolume", weights=[0.5, 0.25, 0.25])
    calls = []
    adapter = SwiftRewardWeighting(run, _swift_functions(calls))
    orms = adapter.orms()  # what register() adds to swift.rewards.orms
    assert list(orms) == NAMES + ["rewardweighting"]
    grpo_args = types.SimpleNamespace(scale_rewards="none", reward_weights=adapter.reward_weights)
    # ms-swift: --reward_funcs accuracy conciseness clarity rewardweighting → orms[name](args=args), named by class
    reward_funcs = [orms[name](args=grpo_args) for name in adapter.reward_funcs]
    assert [f.__class__.__name__ for f in reward_funcs] == adapter.reward_funcs
    trainer = _SwiftTrainer()
    adapter.callback_class()(grpo_args, trainer)  # --callbacks rewardweighting: callbacks_map[name](args, trainer)

    samples = _swift_samples(["2+2=", "2+2=", "3+4=", "3+4="], ["4", "step step 4", "step 7 blah blah", "7"],
                             ["4", "4", "7", "7"])
    with pytest.warns(RuntimeWarning, match="clarity"):
        per_func = _swift_rewards(reward_funcs, samples, types.SimpleNamespace(global_step=0))
    assert calls == NAMES  # each objective scored once although two functions need it
    rows = np.nan_to_num(per_func[:, :3])
    np.testing.assert_array_equal(rows, [[1, 1, 0], [1, 1, 1], [1, 0, 0], [1, 1, 0]])
    total = np.nansum(per_func * np.array(adapter.reward_weights), axis=1)
    np.testing.assert_allclose(total, _service(run, 1, rows).rewards, atol=1e-12)
    assert run.state.last_scalarize_step == 1
    assert trainer._metrics["train"]["rewardweighting/weight/accuracy"] == [0.5]
    assert trainer._metrics["train"]["rewardweighting/r_pareto"] == [1.0]

    # evaluation: ms-swift's mode is 'eval' while model.training is False → validation, nothing recorded
    trainer.model.training = False
    _swift_rewards(reward_funcs, samples[:1], types.SimpleNamespace(global_step=3))
    assert run.state.last_scalarize_step == 1
    callback = adapter.callback_class()(grpo_args, trainer)
    metrics = {"eval_rewards/accuracy/mean": 0.25, "eval_rewards/conciseness/mean": 0.5,
               "eval_rewards/clarity/mean": 0.1, "eval_loss": 1.0}
    callback.on_evaluate(grpo_args, types.SimpleNamespace(global_step=1), None, metrics=metrics)
    assert run.state.last_checkpoint_step == 1
    result = adapter.report_evaluation(2, {k: v + 0.1 for k, v in metrics.items()})
    assert result.hypervolume_contribution == pytest.approx(0.1 ** 3)

    # the next training batch (global_step 2 → step 3) carries the new r_pareto
    trainer.model.training = True
    per_func = _swift_rewards(reward_funcs, samples, types.SimpleNamespace(global_step=2))
    expected = _service(run, 3, np.nan_to_num(per_func[:, :3]))
    assert expected.r_pareto == pytest.approx(0.5 + 1.5 * np.tanh(0.1 ** 3))
    np.testing.assert_allclose(per_func[:, 3], expected.rewards, atol=1e-12)


def test_ms_swift_gdpo_sends_prompt_ids_as_groups_and_warns(client, run_id):
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25], normalization="group")
    adapter = SwiftRewardWeighting(run, _swift_functions([]))
    orms = adapter.orms()
    reward_funcs = [orms[name](args=None) for name in adapter.reward_funcs]
    adapter.callback_class()(types.SimpleNamespace(scale_rewards="gdpo"), _SwiftTrainer())
    assert adapter.group_by_prompt
    samples = _swift_samples(["a", "a", "b", "b"], ["step step 4", "4", "7", "step 7 step"], ["4", "4", "7", "8"])
    with pytest.warns(RuntimeWarning):
        per_func = _swift_rewards(reward_funcs, samples, types.SimpleNamespace(global_step=6))
    rows = np.nan_to_num(per_func[:, :3])
    expected = _service(run, 7, rows, groups=[s["prompt_id"] for s in samples])
    np.testing.assert_allclose(per_func[:, 3], expected.rewards, atol=1e-12)

    hv = client.create_run(run_id + "-hv", NAMES, method="hypervolume")
    hv_adapter = SwiftRewardWeighting(hv, _swift_functions([]))
    with pytest.warns(RuntimeWarning) as caught:
        hv_adapter.callback_class()(types.SimpleNamespace(scale_rewards="gdpo"), _SwiftTrainer())
    messages = " ".join(str(w.message) for w in caught)
    assert "normalization='group'" in messages and "r_pareto" in messages
    with pytest.raises(ValueError, match="objectives"):
        SwiftRewardWeighting(run, {"accuracy": None})


def test_ms_swift_register_fills_its_registries(client, run_id, monkeypatch):
    """register() adds to swift.rewards.orms and swift.callbacks.callbacks_map (stand-in modules here: ms-swift
    is not installed in CI)."""
    import sys

    rewards, callbacks = types.ModuleType("swift.rewards"), types.ModuleType("swift.callbacks")
    rewards.orms, callbacks.callbacks_map = {"accuracy_builtin": object}, {"lisa": object}
    monkeypatch.setitem(sys.modules, "swift", types.ModuleType("swift"))
    monkeypatch.setitem(sys.modules, "swift.rewards", rewards)
    monkeypatch.setitem(sys.modules, "swift.callbacks", callbacks)
    run = client.create_run(run_id, NAMES)
    SwiftRewardWeighting(run, _swift_functions([])).register()
    assert set(rewards.orms) == {"accuracy_builtin", *NAMES, "rewardweighting"}
    assert set(callbacks.callbacks_map) == {"lisa", "rewardweighting"}


# -- NeMo Gym --------------------------------------------------------------------------------------------------------

class _GymRequest:
    """The shape of Gym's BaseVerifyRequest subclasses (pydantic): model_dump() and the row's extra fields."""

    def __init__(self, **fields):
        self.fields = fields
        self.model_extra = {k: v for k, v in fields.items() if k.startswith("rw_")}

    def model_dump(self):
        return {k: v for k, v in self.fields.items() if not k.startswith("rw_")}


class _GymResponse(_GymRequest):
    pass


class _ToolCallServer:
    """A multi-reward resources server as in Gym's example_tool_call_multireward: verify returns the request's
    fields, reward = sum(reward_components), reward_components and one top-level field per component."""

    async def verify(self, body: _GymRequest) -> _GymResponse:
        call = body.fields["response"]["call"]
        components = {"correctness": float(call == body.fields["expected_call"]),
                      "schema_valid": float("city" in call), "format": float(len(call) == 1)}
        return _GymResponse(**body.model_dump(), reward=sum(components.values()), reward_components=components,
                            **components)


GYM_NAMES = ["correctness", "schema_valid", "format"]


def _nemo_rl_accepts(result):
    """nemo_rl/environments/nemo_gym.py: extract_reward_components + validate_reward_components_match_scalar."""
    components = result.get("reward_components")
    if not components:
        return True
    return abs(float(result["reward"]) - sum(components.values())) <= 1e-6


def test_gym_verifier_wrapper_scalarises_reward_components(client, run_id):
    run = client.create_run(run_id, GYM_NAMES, weights=[0.6, 0.3, 0.1])
    adapter = GymRewardWeighting(run, samples_per_step=2)
    server = adapter.wrap(_ToolCallServer)()
    assert issubclass(type(server), _ToolCallServer)
    assert type(server).verify.__annotations__["body"] is _GymRequest  # FastAPI still parses the env's request
    rollouts = [
        {"call": {"city": "NYC"}, "expected_call": {"city": "NYC"}},
        {"call": {"city": "LA", "x": 1}, "expected_call": {"city": "NYC"}},
        {"call": {"town": "LA"}, "expected_call": {"city": "LA"}},
    ]
    results = [asyncio.run(server.verify(_GymRequest(responses_create_params={"input": []},
                                                     response={"call": r["call"]}, expected_call=r["expected_call"])))
               for r in rollouts]
    rows = [[1, 1, 1], [0, 1, 0], [0, 0, 1]]
    for i, (result, row) in enumerate(zip(results, rows)):
        expected = _service(run, 1 + i // 2, [row])
        assert result["reward"] == pytest.approx(float(expected.rewards[0]), abs=1e-12)
        assert result["rw_reward_components"] == dict(zip(GYM_NAMES, map(float, row)))
        assert "reward_components" not in result and _nemo_rl_accepts(result)
        assert result["rw_weight_correctness"] == pytest.approx(0.6) and result["rw_r_pareto"] == 1.0
        assert result["expected_call"] == rollouts[i]["expected_call"]  # the request's fields stay
    assert run.state.last_scalarize_step == 2
    # a validation row (rw_validation in the dataset row) answers without recording
    before = run.state.last_scalarize_step
    out = asyncio.run(server.verify(_GymRequest(responses_create_params={}, response={"call": {"city": "X"}},
                                                expected_call={"city": "X"}, rw_validation=True)))
    assert out["reward"] == pytest.approx(1.0) and run.state.last_scalarize_step == before
    # the documented JSON layout directly (Gym's example rollout), with an explicit step and renamed objectives
    renamed = client.create_run(run_id + "-renamed", ["correct", "schema"], weights=[0.5, 0.5])
    direct = GymRewardWeighting(renamed, 8, components={"correct": "correctness", "schema": "schema_valid"})
    verify_json = {"responses_create_params": {}, "response": {}, "reward": 2.0, "rw_step": 9,
                   "reward_components": {"correctness": 1.0, "schema_valid": 1.0, "format": 0.0}}
    out = direct.scalarize_result(verify_json)
    assert out["reward"] == pytest.approx(float(_service(renamed, 9, [[1, 1]]).rewards[0]))
    assert renamed.state.last_scalarize_step == 9
    with pytest.raises(ValueError, match="reward_components"):
        direct.scalarize_result({"reward": 1.0})
    with pytest.raises(KeyError, match="schema_valid"):
        direct.scalarize_result({"reward": 1.0, "reward_components": {"correctness": 1.0}})


def test_gym_wrapper_serves_verify_through_fastapi(client, run_id):
    fastapi = pytest.importorskip("fastapi")
    pydantic = pytest.importorskip("pydantic")
    testclient = pytest.importorskip("fastapi.testclient")

    class VerifyRequest(pydantic.BaseModel, extra="allow"):
        responses_create_params: dict
        response: dict

    class Server:
        async def verify(self, body: VerifyRequest) -> dict:
            return {**body.model_dump(), "reward": 1.0, "reward_components": {"correctness": 1.0, "format": 0.0}}

    run = client.create_run(run_id, ["correctness", "format"], weights=[0.75, 0.25])
    server = GymRewardWeighting(run, 4).wrap(Server)()
    app = fastapi.FastAPI()
    app.post("/verify")(server.verify)  # as SimpleResourcesServer.setup_webserver routes it
    reply = testclient.TestClient(app).post("/verify", json={"responses_create_params": {}, "response": {}})
    assert reply.status_code == 200 and reply.json()["reward"] == pytest.approx(0.75)


# -- NeMo-RL -----------------------------------------------------------------------------------------------------

class _RecordingGRPO:
    """Stands in for NeMo-RL's GRPOAdvantageEstimator: records what it is given."""

    normalize_rewards = False

    def __init__(self):
        self.calls = []

    def compute_advantage(self, prompt_ids, rewards, mask, **kwargs):
        self.calls.append((prompt_ids, rewards, kwargs))
        return np.broadcast_to(np.asarray(rewards)[:, None], np.shape(mask))


def test_nemo_rl_estimator_scalarises_reward_components(client, run_id):
    run = client.create_run(run_id, GYM_NAMES, weights=[0.6, 0.3, 0.1], normalization="group")
    inner = _RecordingGRPO()
    estimator = RewardWeightingAdvantageEstimator(run, inner=inner, first_step=3)
    # NeMo-RL's batch: reward/<name> columns (build_reward_component_columns, sorted by name), prompt ids per sample
    repeated_batch = {"reward/correctness": np.array([1.0, 0.0, 1.0, 1.0]),
                      "reward/format": np.array([0.0, 1.0, 1.0, 1.0]),
                      "reward/schema_valid": np.array([1.0, 1.0, 0.0, 1.0]),
                      "total_reward": np.array([2.0, 2.0, 2.0, 3.0])}
    prompt_ids = np.array([[5, 6], [5, 6], [7, 8], [7, 8]])
    mask = np.ones((4, 3))
    advantages = estimator.compute_advantage(prompt_ids=prompt_ids, rewards=repeated_batch["total_reward"],
                                             mask=mask, repeated_batch=repeated_batch, logprobs_policy=None)
    rows = np.stack([repeated_batch[f"reward/{n}"] for n in GYM_NAMES], axis=1)
    expected = _service(run, 3, rows, groups=[repr((5, 6))] * 2 + [repr((7, 8))] * 2)
    _, given, kwargs = inner.calls[0]
    np.testing.assert_allclose(given, expected.rewards, atol=1e-12)
    assert advantages.shape == mask.shape and "repeated_batch" in kwargs
    assert run.state.last_scalarize_step == 3 and estimator.step == 4
    assert estimator.last_metrics["rewardweighting/weight/correctness"] == pytest.approx(0.6)
    with pytest.raises(KeyError, match="reward/schema_valid"):
        estimator.compute_advantage(prompt_ids=prompt_ids, rewards=None, mask=mask,
                                    repeated_batch={"reward/correctness": np.ones(4)})

    class Normalising(_RecordingGRPO):
        normalize_rewards = True

    hv = client.create_run(run_id + "-hv", GYM_NAMES, method="hypervolume")
    with pytest.warns(RuntimeWarning, match="r_pareto"):
        RewardWeightingAdvantageEstimator(hv, inner=Normalising())
