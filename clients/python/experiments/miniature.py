"""A miniature of the paper's experiment (Lu et al., §4–5): a tiny autoregressive policy, three conflicting
objectives, REINFORCE / RLOO / GRPO with exact per-objective gradients, and every weighting decision made by
a real ``rw-server`` through the Python client.

The task. A prompt is one of ``P`` problems, each with a correct answer among ``A`` answer tokens. The policy
writes up to ``L`` tokens from the vocabulary ``STEP, FILL, ANS_0 … ANS_{A−1}``; an answer token ends the
response. It can only "know" the answer after reasoning: the prompt-specific answer logits ``C[x]`` enter with
a gate of 0, ½, 1 after 0, 1, ≥2 ``STEP`` tokens. So

* accuracy (the answer token is right) needs steps,
* clarity (at least two ``STEP`` tokens before the answer, the paper's "explicit steps") needs steps too,
* conciseness (the response is shorter than the running mean length of all rollouts so far, including this
  batch, as in the reference code) wants as few tokens as possible,

which reproduces the paper's picture: accuracy and clarity pull together, conciseness pulls against them. The
initial policy writes filler tokens, so part of the conciseness gain is free and part conflicts.

The policy. Logits at position ``t`` with ``s = min(#STEP so far, 2)``: ``B[t, s, :]`` plus, on answer tokens,
``gate(s)·C[x, :]``. Everything is computed in closed form: ``∇ log π`` of a softmax is ``onehot − p``, so the
per-objective policy gradients of a batch are exact (no autograd), and the validation scores are exact
expectations under the policy (a forward pass over the ``(t, s)`` states), so checkpoints carry no sampling
noise.

The algorithms (advantages of a reward vector ``r`` over a batch of ``B`` prompts × ``G`` samples):
REINFORCE ``r − mean(batch)``; RLOO ``r − mean(other samples of the prompt)``; GRPO ``(r − mean(group)) /
(std(group) + 1e-6)``. The update is plain SGD on ``mean_i A_i Σ_t ∇ log π(y_t)``, unclipped, so that a
constant factor such as ``r_pareto`` changes the step under REINFORCE and RLOO but cancels under GRPO.

The methods. ``fixed`` (human weights), ``hypervolume`` (the same weights, rewards scaled by the service's
``r_pareto`` from each step's checkpoint, Algorithm 1) and ``gradient`` (the service's mirror-descent weights
from the Gram matrix of the K per-objective gradients, each clipped to norm 1 as in the reference, Algorithm 2;
η = 1e-6, μ = 1e-5, polynomial schedule, as the paper's Qwen3-8B runs).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from rewardweighting import RewardWeighting

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]
WEIGHT_CONFIGS = {
    "accuracy-focused": [0.5, 0.25, 0.25],
    "balanced": [0.334, 0.333, 0.333],
    "efficiency-focused": [0.25, 0.375, 0.375],
}
ALGORITHMS = ("reinforce", "rloo", "grpo")


@dataclasses.dataclass(frozen=True)
class TaskConfig:
    problems: int = 8  # P
    answers: int = 4  # A
    max_length: int = 8  # L
    prompts_per_step: int = 8  # B
    samples_per_prompt: int = 8  # G
    steps: int = 200
    policy_lr: float = 1.0
    init_scale: float = 0.3
    filler_bias: float = 1.5
    answer_bias: float = -1.0
    step_bias: float = 0.0
    knowledge: float = 2.0


STEP, FILL = 0, 1
GATE = np.array([0.0, 0.5, 1.0])


class Policy:
    """The autoregressive policy: parameters ``B`` (``L × 3 × V``) and ``C`` (``P × A``)."""

    def __init__(self, task: TaskConfig, rng: np.random.Generator) -> None:
        self.task = task
        self.vocab = 2 + task.answers
        self.B = rng.normal(scale=task.init_scale, size=(task.max_length, 3, self.vocab))
        self.B[:, :, FILL] += task.filler_bias
        self.B[:, :, 2:] += task.answer_bias
        self.B[:, :, STEP] += task.step_bias
        self.C = np.zeros((task.problems, task.answers))

    def copy(self) -> "Policy":
        other = Policy.__new__(Policy)
        other.task, other.vocab, other.B, other.C = self.task, self.vocab, self.B.copy(), self.C.copy()
        return other

    def logits(self, prompts: np.ndarray, t: int, s: np.ndarray) -> np.ndarray:
        z = self.B[t, s].copy()  # (n, V)
        z[:, 2:] += GATE[s][:, None] * self.C[prompts]
        return z

    @staticmethod
    def softmax(z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def sample(self, prompts: np.ndarray, rng: np.random.Generator) -> "Rollouts":
        n, L = len(prompts), self.task.max_length
        tokens = np.full((n, L), -1)
        states = np.zeros((n, L), dtype=int)
        probs = np.zeros((n, L, self.vocab))
        s = np.zeros(n, dtype=int)
        alive = np.ones(n, dtype=bool)
        steps_before_answer = np.zeros(n, dtype=int)
        answer = np.full(n, -1)
        length = np.full(n, L)
        for t in range(L):
            idx = np.nonzero(alive)[0]
            if len(idx) == 0:
                break
            p = self.softmax(self.logits(prompts[idx], t, s[idx]))
            u = rng.random(len(idx))[:, None]
            choice = np.minimum((u > np.cumsum(p, axis=1)).sum(axis=1), self.vocab - 1)
            tokens[idx, t], states[idx, t], probs[idx, t] = choice, s[idx], p
            is_step = choice == STEP
            steps_before_answer[idx[is_step]] += 1
            s[idx[is_step]] = np.minimum(s[idx[is_step]] + 1, 2)
            is_answer = choice >= 2
            answer[idx[is_answer]] = choice[is_answer] - 2
            length[idx[is_answer]] = t + 1
            alive[idx[is_answer]] = False
        return Rollouts(prompts, tokens, states, probs, answer, length, steps_before_answer)

    def score_gradients(self, rollouts: "Rollouts", advantages: np.ndarray) -> np.ndarray:
        """``mean_i A_i Σ_t ∇_θ log π(y_it)`` for each row of ``advantages`` (shape ``(M, n)``), exactly, as
        flat vectors (shape ``(M, |θ|)``)."""
        n, L = rollouts.tokens.shape
        M = advantages.shape[0]
        gB = np.zeros((M,) + self.B.shape)
        gC = np.zeros((M,) + self.C.shape)
        for t in range(L):
            rows = np.nonzero(rollouts.tokens[:, t] >= 0)[0]
            if len(rows) == 0:
                break
            y, s, p = rollouts.tokens[rows, t], rollouts.states[rows, t], rollouts.probs[rows, t]
            d = -p
            d[np.arange(len(rows)), y] += 1.0  # ∂ log softmax(z)_y / ∂z = onehot(y) − p
            weighted = advantages[:, rows, None] * d[None] / n  # (M, r, V)
            for m in range(M):
                np.add.at(gB[m, t], s, weighted[m])
                np.add.at(gC[m], rollouts.prompts[rows], GATE[s][:, None] * weighted[m][:, 2:])
        return np.concatenate([gB.reshape(M, -1), gC.reshape(M, -1)], axis=1)

    def step(self, direction: np.ndarray, lr: float) -> None:
        size_b = self.B.size
        self.B += lr * direction[:size_b].reshape(self.B.shape)
        self.C += lr * direction[size_b:].reshape(self.C.shape)

    def validate(self, correct: np.ndarray) -> Tuple[float, float, float]:
        """Exact expected (accuracy, length, clarity) over all problems, by a forward pass over the states."""
        P, L = self.task.problems, self.task.max_length
        acc = length = clarity = 0.0
        for x in range(P):
            alive = np.zeros(3)
            alive[0] = 1.0
            for t in range(L):
                z = self.logits(np.full(3, x), t, np.arange(3))
                p = self.softmax(z)
                answer = alive * p[:, 2:].sum(axis=1)
                acc += float((alive * p[:, 2 + correct[x]]).sum())
                clarity += float(answer[2])
                length += float(answer.sum()) * (t + 1)
                moved = alive * p[:, STEP]
                alive = alive * p[:, FILL] + np.concatenate([[0.0], moved[:2]]) + np.array([0, 0, moved[2]])
            length += float(alive.sum()) * L  # truncated without an answer
        return acc / P, length / P, clarity / P


@dataclasses.dataclass
class Rollouts:
    prompts: np.ndarray
    tokens: np.ndarray
    states: np.ndarray
    probs: np.ndarray
    answer: np.ndarray
    length: np.ndarray
    steps_before_answer: np.ndarray


def advantages(rewards: np.ndarray, algorithm: str, groups: int, per_group: int) -> np.ndarray:
    """Advantages of reward rows (shape ``(M, n)``, samples of a prompt contiguous)."""
    r = rewards.reshape(rewards.shape[0], groups, per_group)
    if algorithm == "reinforce":
        a = r - r.mean(axis=(1, 2), keepdims=True)
    elif algorithm == "rloo":
        a = r - (r.sum(axis=2, keepdims=True) - r) / (per_group - 1)
    elif algorithm == "grpo":
        a = (r - r.mean(axis=2, keepdims=True)) / (r.std(axis=2, ddof=1, keepdims=True) + 1e-6)
    else:
        raise ValueError(f"algorithm: {algorithm!r}")
    return a.reshape(rewards.shape)


@dataclasses.dataclass
class RunResult:
    method: str
    weights_name: str
    algorithm: str
    seed: int
    checkpoints: List[Tuple[int, Tuple[float, float, float]]]
    weights: List[Tuple[int, List[float]]]
    r_pareto: List[Tuple[int, float]]
    grams: List[Tuple[int, np.ndarray]]
    reported: List[Tuple[int, List[float]]]  # what the service answered to each gradient report
    scalarized_weights: List[Tuple[int, List[float]]]  # the weights each Scalarize used
    buffer_steps: List[int]


def train(client: RewardWeighting, run_id: str, method: str, weights_name: str, algorithm: str, seed: int,
          task: TaskConfig = TaskConfig(), eta: float = 1e-6, mu: float = 1e-5,
          run_options: Optional[Dict[str, Any]] = None, r_pareto_on: str = "rewards") -> RunResult:
    """One training run; every weighting decision comes from the service.

    ``run_options`` go to ``create_run`` as they are (``hypervolume_scale=``, ``update=``, ``scalarization=``, …).
    ``r_pareto_on="advantages"`` feeds the estimator ``w·r`` (Scalarize's rewards divided by ``r_pareto``) and
    multiplies its advantages by ``r_pareto`` afterwards, as the trainer adapters' mode of that name does. A
    Gramian ``update`` gets the Gram matrix of the raw per-objective gradients (those weightings divide G by its
    trace, so its scale does not matter); mirror descent gets the cosine matrix (below)."""
    run_options = dict(run_options or {})
    gramian = method == "gradient" and run_options.get("update", "mirror_descent") != "mirror_descent"
    rng_task = np.random.default_rng(10_000 + seed)  # the task and the initial policy depend on the seed only
    correct = rng_task.permutation(np.arange(task.problems) % task.answers)  # each answer equally often
    policy = Policy(task, rng_task)
    policy.C[np.arange(task.problems), correct] = task.knowledge  # what "pretraining" taught
    rng = np.random.default_rng(seed)  # the same sampling stream for every method of a seed

    if gramian:
        run = client.create_run(run_id, OBJECTIVES, method="gradient", **run_options)
    elif method == "gradient":
        run = client.create_run(run_id, OBJECTIVES, method="gradient", eta=eta, mu=mu, schedule="polynomial",
                                total_steps=task.steps, **run_options)
    else:
        run = client.create_run(run_id, OBJECTIVES, method=method, weights=WEIGHT_CONFIGS[weights_name],
                                **run_options)

    result = RunResult(method, weights_name, algorithm, seed, [], [], [], [], [], [], [])
    initial = policy.validate(correct)
    run.report_checkpoint(0, initial)  # the initial model: the hypervolume reference point
    result.checkpoints.append((0, initial))
    lengths_seen = 0.0
    count_seen = 0
    B, G = task.prompts_per_step, task.samples_per_prompt
    for step in range(1, task.steps + 1):
        prompts = np.repeat(rng.permutation(task.problems)[:B] if B <= task.problems
                            else rng.integers(0, task.problems, size=B), G)
        rollouts = policy.sample(prompts, rng)
        lengths_seen += float(rollouts.length.sum())
        count_seen += len(prompts)
        running_mean = lengths_seen / count_seen
        rewards = np.stack([
            (rollouts.answer == correct[prompts]).astype(float),
            (rollouts.length < running_mean).astype(float),
            ((rollouts.steps_before_answer >= 2) & (rollouts.answer >= 0)).astype(float),
        ], axis=1)  # N × K, higher is better

        if method == "gradient":
            per_objective = policy.score_gradients(rollouts, advantages(rewards.T, algorithm, B, G))
            # The reference clips each per-objective gradient to global norm 1 before the Gram matrix; an LLM's
            # gradients are far above norm 1, so in effect it normalises them. Ours are small, so we normalise
            # explicitly (G becomes the cosine-similarity matrix), which keeps the paper's η/μ meaningful.
            norms = np.linalg.norm(per_objective, axis=1, keepdims=True)
            unit = per_objective / np.maximum(norms, 1e-12)
            gram = per_objective @ per_objective.T if gramian else unit @ unit.T
            answer = run.report_gradients(step, gram)
            result.grams.append((step, gram))
            result.reported.append((step, answer.weights.tolist()))

        out = run.scalarize(step, rewards)
        result.scalarized_weights.append((step, out.weights.tolist()))
        result.weights.append((step, out.weights.tolist()))
        result.r_pareto.append((step, out.r_pareto))
        if r_pareto_on == "advantages":
            weighted = out.rewards / out.r_pareto
            advantage = advantages(weighted[None, :], algorithm, B, G) * out.r_pareto
        else:
            advantage = advantages(out.rewards[None, :], algorithm, B, G)
        direction = policy.score_gradients(rollouts, advantage)[0]
        policy.step(direction, task.policy_lr)

        scores = policy.validate(correct)
        run.report_checkpoint(step, scores)
        result.checkpoints.append((step, scores))
    result.buffer_steps = [p.step for p in run.state.buffer.points]
    run.archive("experiment finished")
    return result


# -- analysis ---------------------------------------------------------------------------------------------------

SIGNS = np.array([1.0, -1.0, 1.0])  # maximisation convention: length negated


def pareto_front(points: np.ndarray) -> np.ndarray:
    """Indices of the non-dominated rows (maximisation), duplicates kept once."""
    keep = []
    for i, p in enumerate(points):
        dominated = np.any(np.all(points >= p, axis=1) & np.any(points > p, axis=1))
        duplicate = any(np.array_equal(points[j], p) for j in keep)
        if not dominated and not duplicate:
            keep.append(i)
    return np.array(keep, dtype=int)


def hypervolume_3d(points: np.ndarray, reference: np.ndarray) -> float:
    """Exact 3-D hypervolume (maximisation) by slicing along the third objective: an independent check of the
    service's kernels, O(n² log n)."""
    pts = points[np.all(points > reference, axis=1)]
    if len(pts) == 0:
        return 0.0
    zs = np.sort(np.unique(pts[:, 2]))[::-1]
    volume = 0.0
    for i, z in enumerate(zs):
        z_next = zs[i + 1] if i + 1 < len(zs) else reference[2]
        layer = pts[pts[:, 2] >= z][:, :2]
        order = np.argsort(-layer[:, 0])
        area, best_y = 0.0, reference[1]
        for x, y in layer[order]:
            if y > best_y:
                area += (x - reference[0]) * (y - best_y)
                best_y = y
        volume += area * (z - z_next)
    return volume


def summarize(result: RunResult) -> Dict[str, float]:
    """The paper's Table 1–3 quantities for one run: the Pareto front of its checkpoints (steps ≥ 1), averaged;
    its hypervolume with the initial model as the reference point (so only checkpoints better than the initial
    model on all three objectives count); and the mean step at which the front's points were reached."""
    steps = np.array([s for s, _ in result.checkpoints[1:]])
    raw = np.array([p for _, p in result.checkpoints[1:]])
    reference = np.array(result.checkpoints[0][1]) * SIGNS
    maxed = raw * SIGNS
    front = pareto_front(maxed)
    return {
        "accuracy": float(raw[front, 0].mean()),
        "length": float(raw[front, 1].mean()),
        "clarity": float(raw[front, 2].mean()),
        "hypervolume": hypervolume_3d(maxed[front], reference),
        "front_size": int(len(front)),
        "steps_to_front": float(steps[front].mean()),
        "final_accuracy": float(raw[-1, 0]),
        "final_length": float(raw[-1, 1]),
        "final_clarity": float(raw[-1, 2]),
    }
