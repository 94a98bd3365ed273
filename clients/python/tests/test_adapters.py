"""The adapters' glue, driven the way each trainer calls it, against the real service."""

import json
import threading
import types
import urllib.error
import urllib.request

import numpy as np
import pytest

from rewardweighting.adapters.openrlhf import OpenRLHFShim
from rewardweighting.adapters.trl import TRLRewardWeighting
from rewardweighting.adapters.verl import RewardWeightingRewardManager, VerlBatchScorer, checkpoint_scores

NAMES = ["accuracy", "conciseness", "clarity"]


def _objective_functions(calls):
    def accuracy(prompts, completions, answer, **kwargs):
        calls.append("accuracy")
        return [1.0 if a in c else 0.0 for c, a in zip(completions, answer)]

    def conciseness(prompts, completions, **kwargs):
        calls.append("conciseness")
        return [1.0 if len(c) < 12 else 0.0 for c in completions]

    def clarity(prompts, completions, **kwargs):
        calls.append("clarity")
        return [1.0 if c.count("step") >= 2 else 0.0 for c in completions]

    return {"accuracy": accuracy, "conciseness": conciseness, "clarity": clarity}


def _trl_calculate_rewards(reward_funcs, reward_weights, prompts, completions, trainer_state, logged,
                           completion_ids_override=None, **columns):
    """What TRL 1.x's GRPOTrainer._calculate_rewards does with callables, then its weighted sum."""
    per_func = np.zeros((len(prompts), len(reward_funcs)))
    kwargs = dict(columns, trainer_state=trainer_state, log_extra=lambda column, values: None,
                  log_metric=lambda name, value: logged.setdefault(name, []).append(value))
    completion_ids = completion_ids_override or [[0]] * len(prompts)
    for i, func in enumerate(reward_funcs):
        out = func(prompts=prompts, completions=completions, completion_ids=completion_ids, **kwargs)
        per_func[:, i] = [np.nan if r is None else r for r in out]
    return per_func, np.nansum(per_func * np.array(reward_weights), axis=1)


def test_trl_adapter_scalarises_once_per_batch_and_logs_each_objective(client, run_id):
    run = client.create_run(run_id, NAMES, method="fixed", weights=[0.5, 0.25, 0.25])
    calls = []
    adapter = TRLRewardWeighting(run, _objective_functions(calls))
    assert [f.__name__ for f in adapter.reward_funcs] == NAMES + ["rewardweighting"]
    assert adapter.reward_weights == [0.0, 0.0, 0.0, 1.0]

    prompts = ["2+2=", "2+2=", "3+4=", "3+4="]
    completions = ["4", "step step 4", "step 7 blah blah blah", "step step step 7"]
    logged = {}
    per_func, total = _trl_calculate_rewards(adapter.reward_funcs, adapter.reward_weights, prompts, completions,
                                             types.SimpleNamespace(global_step=2), logged,
                                             answer=["4", "4", "7", "7"])
    assert calls == NAMES  # each objective scored once, although two functions need it
    expected_components = np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0], [1, 0, 1]], dtype=float)
    np.testing.assert_array_equal(per_func[:, :3], expected_components)
    np.testing.assert_allclose(total, expected_components @ [0.5, 0.25, 0.25], rtol=1e-12)
    assert logged["rewardweighting/weight/accuracy"] == [0.5]
    assert logged["rewardweighting/r_pareto"] == [1.0]
    assert run.state.last_scalarize_step == 3  # global_step 2 → the batch of step 3


def test_trl_adapter_marks_evaluation_batches_and_reports_checkpoints(client, run_id):
    run = client.create_run(run_id, NAMES, method="hypervolume", weights=[0.5, 0.25, 0.25])
    adapter = TRLRewardWeighting(run, _objective_functions([]))
    adapter._model = types.SimpleNamespace(training=False)  # what the callback sees while TRL evaluates
    _trl_calculate_rewards(adapter.reward_funcs, adapter.reward_weights, ["1+1="], ["2"],
                           types.SimpleNamespace(global_step=0), {}, answer=["2"])
    assert run.state.last_scalarize_step is None
    metrics = {"eval_rewards/accuracy/mean": 0.25, "eval_rewards/conciseness/mean": 0.5,
               "eval_rewards/clarity/mean": 0.1, "eval_loss": 1.0}
    first = adapter.report_evaluation(0, metrics)
    assert first.became_reference_point
    better = adapter.report_evaluation(10, {k: v + 0.1 for k, v in metrics.items()})
    assert better.hypervolume_contribution == pytest.approx(0.1 ** 3)
    assert adapter.report_evaluation(20, {"eval_loss": 1.0}) is None
    with pytest.raises(ValueError, match="objectives"):
        TRLRewardWeighting(run, {"accuracy": None, "clarity": None})


def test_trl_callback_warns_when_std_scaling_cancels_r_pareto(client, run_id):
    pytest.importorskip("transformers")
    run = client.create_run(run_id, NAMES, method="hypervolume")
    callback = TRLRewardWeighting(run, _objective_functions([])).callback()
    with pytest.warns(RuntimeWarning, match="r_pareto"):
        callback.on_train_begin(types.SimpleNamespace(scale_rewards="group"), None, None, model=None)


def _verl_scores(data_sources, solution_strs, ground_truths, extra_infos, **kwargs):
    return [{"accuracy": float(gt in s), "conciseness": float(len(s) < 6), "clarity": float("step" in s),
             "score": -1.0} for s, gt in zip(solution_strs, ground_truths)]


def test_verl_scorer_scalarises_and_fills_extra_info(client, run_id):
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25], normalization="group")
    scorer = VerlBatchScorer(run, NAMES, group_by_uid=True)
    scores = _verl_scores(None, ["a 4", "step 4", "5", "step step 5"], ["4", "4", "4", "5"], None)
    info = scorer.score(scores, step=7, validate=False, uids=np.array(["u1", "u1", "u2", "u2"], dtype=object))
    assert set(info) >= {"score", *NAMES, "rw_weight/accuracy", "rw_r_pareto"}
    assert info["accuracy"] == [1.0, 1.0, 0.0, 1.0]
    assert len(info["score"]) == 4 and info["rw_weight/conciseness"] == [0.25] * 4
    rewards = np.array([[s[k] for k in NAMES] for s in scores])
    expected = np.empty(4)
    for rows in ([0, 1], [2, 3]):  # per uid: each objective standardised (sample std, ε = 1e-6), then weighted
        block = rewards[rows]
        expected[rows] = ((block - block.mean(0)) / (block.std(0, ddof=1) + 1e-6)) @ [0.5, 0.25, 0.25]
    np.testing.assert_allclose(info["score"], expected, atol=1e-12)
    assert run.state.last_scalarize_step == 7
    scorer.score(scores, step=99, validate=True, uids=["u1", "u1", "u2", "u2"])
    assert run.state.last_scalarize_step == 7


def test_verl_manager_places_rewards_on_the_last_valid_token(client, run_id):
    torch = pytest.importorskip("torch")
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25])

    class Tokenizer:
        vocab = {1: "step", 2: "4", 3: "5", 0: ""}

        def decode(self, ids, skip_special_tokens=True):
            return " ".join(self.vocab[int(i)] for i in ids)

    prompts = torch.ones((2, 3), dtype=torch.long)
    responses = torch.tensor([[1, 2, 0, 0], [3, 0, 0, 0]])
    attention = torch.cat([torch.ones((2, 3)), torch.tensor([[1, 1, 0, 0], [1, 0, 0, 0]])], dim=1)
    data = types.SimpleNamespace(
        batch={"prompts": prompts, "responses": responses, "attention_mask": attention},
        non_tensor_batch={"data_source": np.array(["math", "math"], dtype=object),
                          "reward_model": np.array([{"ground_truth": "4"}, {"ground_truth": "4"}], dtype=object),
                          "uid": np.array(["a", "b"], dtype=object)},
        meta_info={"global_steps": 3, "validate": False},
    )
    manager = RewardWeightingRewardManager(tokenizer=Tokenizer(), num_examine=0, compute_score=_verl_scores, run=run)
    out = manager(data, return_dict=True)
    tensor = out["reward_tensor"]
    assert tensor.shape == responses.shape
    expected_first = 0.5 * 1 + 0.25 * 0 + 0.25 * 1  # "step 4": accurate, not under 6 chars, clear
    expected_second = 0.5 * 0 + 0.25 * 1 + 0.25 * 0  # "5"
    assert float(tensor[0, 1]) == pytest.approx(expected_first) and float(tensor[0].sum()) == pytest.approx(expected_first)
    assert float(tensor[1, 0]) == pytest.approx(expected_second)
    assert out["reward_extra_info"]["clarity"] == [1.0, 0.0]


def test_verl_checkpoint_scores_read_validation_metrics():
    metrics = {"val-core/math/accuracy/mean@1": 0.4, "val-core/math/accuracy/mean@4": 0.5,
               "val-aux/math/response_length/mean@4": 310.0, "val-aux/math/clarity/mean@4": 0.7,
               "val-core/math/reward/mean@4": 1.0}
    assert checkpoint_scores(metrics, ["accuracy", "response_length", "clarity"]) == [0.5, 310.0, 0.7]
    assert checkpoint_scores(metrics, ["accuracy", "missing"]) is None
    metrics["val-core/gsm8k/accuracy/mean@1"] = 0.9
    with pytest.raises(ValueError, match="data_source"):
        checkpoint_scores(metrics, ["accuracy"])
    assert checkpoint_scores(metrics, ["accuracy"], data_source="gsm8k") == [0.9]


@pytest.fixture
def shim_factory(client):
    servers = []

    def start(run, **kwargs):
        objectives = {
            "accuracy": lambda query, prompt, label: float(query.endswith(label)),
            "conciseness": lambda query, prompt, label: float(len(query) - len(prompt) < 5),
            "clarity": lambda query, prompt, label: float(query.count("step") >= 2),
        }
        http = OpenRLHFShim(run, objectives, **kwargs).serve("127.0.0.1", 0)
        threading.Thread(target=http.serve_forever, daemon=True).start()
        servers.append(http)
        return f"http://127.0.0.1:{http.server_address[1]}/get_reward"

    yield start
    for http in servers:
        http.shutdown()
        http.server_close()


def _post(url, payload, headers=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_openrlhf_shim_speaks_the_remote_reward_protocol(client, run_id, shim_factory):
    run = client.create_run(run_id, NAMES, weights=[0.5, 0.25, 0.25])
    url = shim_factory(run, samples_per_step=2)
    # OpenRLHF's agent sends one sample per request: {"query": [prompt+response], "prompts": [...], "labels": [...]}
    answers = [_post(url, {"query": [q], "prompts": ["Q: 3+4="], "labels": ["7"]})
               for q in ["Q: 3+4= 7", "Q: 3+4= step step 7", "Q: 3+4= 8"]]
    assert answers[0]["rewards"] == pytest.approx([0.5 + 0.25])
    assert answers[1]["rewards"] == pytest.approx([0.5 + 0.25])  # long but clear: 0.5·1 + 0.25·0 + 0.25·1
    assert answers[2]["rewards"] == pytest.approx([0.25])
    assert answers[0]["scores"] == answers[0]["rewards"]
    assert answers[1]["extra_logs"]["clarity"] == [1.0]
    assert answers[2]["extra_logs"]["rw_weight/accuracy"] == [0.5]
    assert run.state.last_scalarize_step == 2  # samples 1–2 are step 1, sample 3 is step 2
    batch = _post(url, {"query": ["a 7", "b 8"], "prompts": ["a", "b"], "labels": ["7", "7"], "step": 9})
    assert len(batch["rewards"]) == 2 and run.state.last_scalarize_step == 9
    _post(url, {"query": ["x 7"], "prompts": ["x"], "labels": ["7"]}, headers={"X-RW-Validation": "1"})
    assert run.state.last_scalarize_step == 9


def test_openrlhf_shim_refuses_bad_requests_and_missing_tokens(client, run_id, shim_factory):
    run = client.create_run(run_id, NAMES)
    url = shim_factory(run, samples_per_step=4, token="s3cret")
    with pytest.raises(urllib.error.HTTPError) as raised:
        _post(url, {"query": ["q"], "prompts": ["q"], "labels": ["a"]})
    assert raised.value.code == 401
    with pytest.raises(urllib.error.HTTPError) as raised:
        _post(url, {"query": "not a list"}, headers={"Authorization": "Bearer s3cret"})
    assert raised.value.code == 400
    assert "query" in json.loads(raised.value.read())["error"]
    ok = _post(url, {"query": ["q a"], "prompts": ["q"], "labels": ["a"]}, headers={"Authorization": "Bearer s3cret"})
    assert len(ok["rewards"]) == 1


def test_trl_adapter_gradient_method_reports_the_gram_of_per_objective_losses(client, run_id):
    torch = pytest.importorskip("torch")
    from reference import mirror_descent

    torch.manual_seed(0)

    class Output:
        def __init__(self, logits):
            self.logits = logits

    class TinyLM(torch.nn.Module):
        """Embedding → 2 "decoder layers" → vocabulary logits, called like a Hugging Face causal LM."""

        def __init__(self, vocab=6):
            super().__init__()
            self.embed = torch.nn.Embedding(vocab, 4)
            self.layers = torch.nn.ModuleList([torch.nn.Linear(4, 4) for _ in range(2)])
            self.head = torch.nn.Linear(4, vocab)

        def forward(self, input_ids, attention_mask=None):
            h = self.embed(input_ids)
            for layer in self.layers:
                h = torch.tanh(layer(h))
            return Output(self.head(h))

    class Tokenizer:
        pad_token_id = 0

        def __call__(self, text, add_special_tokens=False):
            return {"input_ids": [1 + (ord(c) % 5) for c in text]}

    run = client.create_run(run_id, NAMES, method="gradient", eta=0.1, mu=1.0, total_steps=10)
    adapter = TRLRewardWeighting(run, _objective_functions([]), gradient_layers=[1])
    model, tokenizer = TinyLM(), Tokenizer()
    callback = adapter.callback()
    callback.on_init_end(None, None, None, model=model, processing_class=tokenizer)
    prompts = ["2+2=", "2+2=", "3+4=", "3+4="]
    completions = ["4", "step step step 4", "step 8 blah", "7"]
    completion_ids = [[2, 3], [4, 4, 4, 2], [4, 5, 1, 1], [5]]
    per_func, _ = _trl_calculate_rewards(adapter.reward_funcs, adapter.reward_weights, prompts, completions,
                                         types.SimpleNamespace(global_step=0), {}, answer=["4", "4", "7", "7"],
                                         completion_ids_override=completion_ids)
    reported = adapter.last_gradients
    assert reported is not None and reported.weights_updated

    # Recompute independently: GRPO advantages per objective, Σ_t log π of each completion, one backward per
    # objective, clipped to norm 1 over all parameters, Gram over layer 1 only.
    rewards = per_func[:, :3]
    np.testing.assert_array_equal(rewards, [[1, 1, 0], [1, 0, 1], [0, 1, 0], [1, 1, 0]])  # every objective varies
    advantages = np.zeros_like(rewards)
    for rows in ([0, 1], [2, 3]):
        block = rewards[rows]
        advantages[rows] = (block - block.mean(0)) / (block.std(0, ddof=1) + 1e-4)
    grads = []
    for k in range(3):
        model.zero_grad()
        total, count = 0.0, 0
        for i, (p, c) in enumerate(zip(prompts, completion_ids)):
            ids = torch.tensor([tokenizer(p)["input_ids"] + c])
            logps = torch.log_softmax(model(ids).logits[0, :-1], dim=-1)
            start = len(tokenizer(p)["input_ids"])
            seq = sum(logps[t - 1, ids[0, t]] for t in range(start, ids.shape[1]))
            total = total - advantages[i, k] * seq
            count += len(c)
        (total / count).backward()
        full = torch.cat([q.grad.reshape(-1) for q in model.parameters()])
        scale = min(1.0, 1.0 / (float(full.norm()) + 1e-6))
        grads.append(torch.cat([q.grad.reshape(-1) for q in model.layers[1].parameters()]).double() * scale)
    g = torch.stack(grads)
    gram = (g @ g.T).numpy()
    np.testing.assert_allclose(reported.influence, gram.sum(axis=1), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(reported.weights, mirror_descent(np.full(3, 1 / 3), gram, 0.1, 1.0), rtol=1e-6)
    # the step's rewards were scalarised with those new weights
    np.testing.assert_allclose(adapter.last.weights, reported.weights)
