"""TRL GRPO with service-weighted rewards, on CPU, with a tiny random model: a smoke test of the TRL adapter.

    python3 clients/python/examples/trl_grpo_tiny.py                          # starts a local rw-server
    python3 clients/python/examples/trl_grpo_tiny.py --method fixed --steps 6
    python3 clients/python/examples/trl_grpo_tiny.py --address 127.0.0.1:50051 --method hypervolume

Needs torch, transformers, trl, datasets, tokenizers; no Hugging Face hub access (the model is a randomly initialised
2-layer Llama and the tokenizer is built in code). The toy task is "3+4=" → "7" with three objectives:
accuracy (the answer appears), conciseness (shorter than the running mean length, as in the paper) and clarity (at
least two "step" tokens before the answer). ``trainer.evaluate()`` before training reports the reference checkpoint
(step 0); evaluation every ``--eval-steps`` reports further checkpoints (hypervolume method: they set r_pareto).
With ``--method gradient`` the adapter computes, before each step's rewards are scalarised, one backward pass per
objective of the policy-gradient loss with that objective's GRPO advantages (decoder layers 0–1 here, each gradient
clipped to norm 1 as in the reference), reports the Gram matrix and scalarises the step with the new weights
(η = the policy's learning rate, μ = 10·η: the paper's η/μ = 0.1).
"""

import argparse
import os
import random
import tempfile
import time
import warnings

STARTED = time.perf_counter()  # wall time includes imports and the local server's start

os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore", message=".*gradient_checkpointing.*", category=FutureWarning)

from datasets import Dataset  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, PrinterCallback, set_seed  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402

from rewardweighting import RewardWeighting  # noqa: E402
from rewardweighting.adapters.trl import TRLRewardWeighting  # noqa: E402
from rewardweighting.server import LocalServer  # noqa: E402

OBJECTIVES = [("accuracy", "max"), ("conciseness", "max"), ("clarity", "max")]


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    """Character-level vocabulary plus one word token, "step"."""
    vocab = {t: i for i, t in enumerate(["<pad>", "<eos>", "<unk>", *"0123456789", "+", "=", " ", "step"])}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("step|."), behavior="isolated")
    tok.decoder = decoders.Fuse()  # concatenate tokens without spaces
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>")


def tiny_model(tokenizer: PreTrainedTokenizerFast) -> LlamaForCausalLM:
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                         bos_token_id=None, tie_word_embeddings=True)
    return LlamaForCausalLM(config)


def arithmetic(n: int, seed: int) -> Dataset:
    rng = random.Random(seed)
    pairs = [(rng.randrange(10), rng.randrange(10)) for _ in range(n)]
    return Dataset.from_list([{"prompt": f"{a}+{b}=", "answer": str(a + b)} for a, b in pairs])


# -- reward functions, TRL's signature: extra dataset columns ("answer") arrive as keyword lists -------------------

def accuracy(prompts, completions, answer, **kwargs):
    return [1.0 if a in c else 0.0 for c, a in zip(completions, answer)]


class Conciseness:
    """1.0 when the completion is shorter than the mean length of every completion seen so far (this batch too)."""

    __name__ = "conciseness"

    def __init__(self) -> None:
        self.total, self.count = 0, 0

    def __call__(self, prompts, completions, **kwargs):
        self.total += sum(len(c) for c in completions)
        self.count += len(completions)
        mean = self.total / self.count
        return [1.0 if len(c) < mean else 0.0 for c in completions]


def clarity(prompts, completions, answer, **kwargs):
    def before_answer(c, a):
        return c.split(a, 1)[0] if a in c else c
    return [1.0 if before_answer(c, a).count("step") >= 2 else 0.0 for c, a in zip(completions, answer)]


def main(address: str, method: str, steps: int, eval_steps: int) -> None:
    set_seed(0)
    client = RewardWeighting(address)
    run_id = f"trl-grpo-tiny-{method}-{int(time.time())}"
    learning_rate = 1e-3
    if method == "gradient":
        run = client.create_run(run_id, OBJECTIVES, method="gradient", eta=learning_rate, mu=10 * learning_rate,
                                schedule="polynomial", total_steps=steps)
    else:
        run = client.create_run(run_id, OBJECTIVES, method=method, weights=[0.5, 0.25, 0.25])
    adapter = TRLRewardWeighting(run, {"accuracy": accuracy, "conciseness": Conciseness(), "clarity": clarity},
                                 gradient_layers=[0, 1])

    tokenizer, output = tiny_tokenizer(), tempfile.TemporaryDirectory(prefix="trl-grpo-tiny-")  # nothing saved
    args = GRPOConfig(
        output_dir=output.name, use_cpu=True, report_to=[], seed=0,
        max_steps=steps, learning_rate=learning_rate, per_device_train_batch_size=8, num_generations=4,
        per_device_eval_batch_size=8, num_generations_eval=4, max_completion_length=12, temperature=1.0,
        eval_strategy="steps", eval_steps=eval_steps, logging_steps=1, save_strategy="no",
        reward_weights=adapter.reward_weights, scale_rewards="none" if method == "hypervolume" else "group",
        disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = GRPOTrainer(model=tiny_model(tokenizer), processing_class=tokenizer, args=args,
                          reward_funcs=adapter.reward_funcs, train_dataset=arithmetic(64, seed=1),
                          eval_dataset=arithmetic(4, seed=2), callbacks=[adapter.callback()])
    trainer.remove_callback(PrinterCallback)  # the summary below prints what matters

    reference = trainer.evaluate()  # step 0: the reference checkpoint
    print("reference evaluation (step 0): " + ", ".join(
        f"{name}={reference[f'eval_rewards/{name}/mean']:.3f}" for name, _ in OBJECTIVES))
    trainer.train()

    print("\nTRL log history (the adapter's keys):")
    for entry in trainer.state.log_history:
        keys = [k for k in entry if k.startswith(("rewards/", "eval_rewards/", "rewardweighting/"))
                and not k.endswith("/std") and "rewards/rewardweighting" not in k]
        if keys:
            print(f"  step {entry['step']:>2}: " + ", ".join(f"{k}={entry[k]:.3f}" for k in keys))

    state = run.state
    print(f"\nrun {run_id} ({method}) state from the service:")
    print(f"  weights={state.weights.round(4).tolist()}  r_pareto={state.r_pareto:.4f}  "
          f"last_scalarize_step={state.last_scalarize_step}  last_checkpoint_step={state.last_checkpoint_step}")
    buffer = state.buffer
    print(f"  Pareto buffer: reference={None if buffer.reference_point is None else buffer.reference_point.tolist()}"
          f" (step {buffer.reference_step}), hypervolume={buffer.hypervolume:.4f}")
    for point in buffer.points:
        print(f"    step {point.step}: scores={point.scores.round(3).tolist()} "
              f"ΔHV={point.hypervolume_contribution:.4f}")

    events = []
    for event in run.watch(1):  # the whole log; stop at the last event instead of waiting for live ones
        events.append(event)
        if event.sequence >= state.last_sequence:
            break
    scalarize_steps = [e.step for e in events if e.kind == "scalarize"]
    print(f"  logged events: {[(e.kind, e.step) for e in events if e.kind != 'scalarize']}")
    print(f"  scalarize summaries at steps {scalarize_steps} (training batches only: "
          f"{scalarize_steps == list(range(1, steps + 1))})")
    print(f"\nwall time: {time.perf_counter() - STARTED:.1f} s (trainer.train(): "
          f"{trainer.state.log_history[-1]['train_runtime']:.1f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", help="host:port of a running rw-server (default: start a local one)")
    parser.add_argument("--method", choices=["hypervolume", "gradient", "fixed"], default="hypervolume")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--eval-steps", type=int, default=2)
    options = parser.parse_args()
    if options.address:
        main(options.address, options.method, options.steps, options.eval_steps)
    else:
        with LocalServer() as server:
            main(server.address, options.method, options.steps, options.eval_steps)
