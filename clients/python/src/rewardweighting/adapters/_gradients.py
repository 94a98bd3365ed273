"""The gradient method inside a GRPO trainer (TRL, ms-swift): the Gram matrix of per-objective policy-gradient
losses on the batch just generated, at the current parameters. Imports torch lazily."""

from __future__ import annotations

from typing import Any, Hashable, List, Optional, Sequence

import numpy as np


def grpo_advantages(rewards: np.ndarray, groups: Sequence[Hashable], epsilon: float = 1e-4) -> np.ndarray:
    """Each objective's GRPO advantage: its rewards standardised within each group (sample std, ``epsilon`` as
    TRL's and ms-swift's group scaling)."""
    advantages = np.zeros_like(rewards, dtype=np.float64)
    for key in set(groups):
        rows = [i for i, k in enumerate(groups) if k == key]
        block = rewards[rows]
        std = block.std(axis=0, ddof=1) if len(rows) > 1 else np.zeros(block.shape[1])
        advantages[rows] = (block - block.mean(axis=0)) / (std + epsilon)
    return advantages


def policy_gradient_gram(model: Any, prompt_ids: Sequence[Sequence[int]], completion_ids: Sequence[Sequence[int]],
                         rewards: np.ndarray, groups: Sequence[Hashable], *, pad_token_id: Optional[int],
                         gradient_layers: Optional[Sequence[int]], clip_norm: Optional[float]) -> Any:
    """One backward pass per objective k of ``−Σ_i A_ik Σ_t log π(y_it) / tokens`` (completion tokens only),
    each gradient clipped to ``clip_norm`` over all trainable parameters, the Gram matrix over
    ``gradient_layers`` (every trainable parameter when ``None``), as the paper's reference code does. Returns
    the K×K matrix on the model's device (``Run.report_gradients`` takes it as it is)."""
    import torch

    from ..gram import parameters_of_layers, per_objective_gradients

    device = next(model.parameters()).device
    advantages = grpo_advantages(rewards, groups)
    sequences: List[List[int]] = [list(p) + list(c) for p, c in zip(prompt_ids, completion_ids)]
    starts = [len(p) for p in prompt_ids]
    width = max(len(seq) for seq in sequences)
    pad = pad_token_id if pad_token_id is not None else 0
    ids = torch.full((len(sequences), width), pad, dtype=torch.long, device=device)
    attention = torch.zeros((len(sequences), width), dtype=torch.long, device=device)
    completion_mask = torch.zeros((len(sequences), width), dtype=torch.float32, device=device)
    for i, seq in enumerate(sequences):
        ids[i, : len(seq)] = torch.tensor(seq, device=device)
        attention[i, : len(seq)] = 1
        completion_mask[i, starts[i] : len(seq)] = 1.0
    was_training = model.training
    model.train()
    try:
        with torch.enable_grad():
            logits = model(input_ids=ids, attention_mask=attention).logits[:, :-1].float()
            token_logps = torch.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
            mask = completion_mask[:, 1:]
            per_sequence = (token_logps * mask).sum(dim=1)  # Σ_t log π(y_t), completion tokens only
            tokens = mask.sum().clamp(min=1.0)
            a = torch.tensor(advantages, dtype=per_sequence.dtype, device=device)
            losses = [-(a[:, k] * per_sequence).sum() / tokens for k in range(a.shape[1])]
            trainable = [p for p in model.parameters() if p.requires_grad]
            parameters = parameters_of_layers(model, gradient_layers) if gradient_layers is not None else trainable
            gram = per_objective_gradients(losses, parameters, clip_norm=clip_norm, all_parameters=trainable)
    finally:
        model.train(was_training)
    return gram
