"""Gram matrices of per-objective gradients, and per-objective gradients of a PyTorch model.

The gradient method needs ``G_ij = ⟨∇J_i, ∇J_j⟩`` for the K objectives. For an LLM the gradients have
billions of entries, so compute G where the gradients are and send only the K×K matrix.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, List, Optional, Sequence

import numpy as np

__all__ = ["gram_from_gradients", "per_objective_gradients", "parameters_of_layers"]


def gram_from_gradients(gradients: Sequence[Any]) -> Any:
    """The K×K Gram matrix of K gradients.

    Each gradient is a vector (or any-shaped array; it is flattened) or a list of per-parameter arrays, which
    are concatenated. With NumPy inputs the result is a float64 ``np.ndarray``; with PyTorch tensors a float64
    ``torch.Tensor`` on the gradients' device (accumulated in float64, so bf16/fp32 gradients lose nothing
    more). The matrix is made exactly symmetric.
    """
    if len(gradients) == 0:
        raise ValueError("gradients: need at least one objective's gradient")
    first = gradients[0]
    if _is_torch(first) or (isinstance(first, (list, tuple)) and first and _is_torch(first[0])):
        import torch

        stacked = torch.stack([_flatten_torch(g) for g in gradients])
        product = stacked @ stacked.T
        return (product + product.T) / 2
    rows = [_flatten_numpy(g) for g in gradients]
    if len({r.shape[0] for r in rows}) > 1:
        raise ValueError("gradients: every objective's gradient must have the same number of entries")
    flat = np.stack(rows)
    gram = flat @ flat.T
    return (gram + gram.T) / 2


def _is_torch(value: Any) -> bool:
    return type(value).__module__.startswith("torch")


def _flatten_numpy(gradient: Any) -> np.ndarray:
    if isinstance(gradient, (list, tuple)):
        return np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in gradient])
    return np.asarray(gradient, dtype=np.float64).ravel()


def _flatten_torch(gradient: Any) -> Any:
    import torch

    if isinstance(gradient, (list, tuple)):
        return torch.cat([g.detach().reshape(-1).double() for g in gradient])
    return gradient.detach().reshape(-1).double()


def parameters_of_layers(model: Any, layer_ids: Iterable[int], pattern: str = "layers.") -> List[Any]:
    """The parameters of decoder layers ``layer_ids`` of a Hugging Face model, found by name
    (``model.layers.<i>.``): the reference code takes layers 10–25 of Qwen3-8B."""
    wanted = {int(i) for i in layer_ids}
    selected = []
    for name, parameter in model.named_parameters():
        if pattern in name:
            rest = name.split(pattern, 1)[1]
            index = rest.split(".", 1)[0]
            if index.isdigit() and int(index) in wanted and parameter.requires_grad:
                selected.append(parameter)
    if not selected:
        raise ValueError(f"layer_ids: no parameter of {model.__class__.__name__} is in layers {sorted(wanted)}")
    return selected


def per_objective_gradients(
    losses: Sequence[Any],
    parameters: Sequence[Any],
    *,
    clip_norm: Optional[float] = 1.0,
    all_parameters: Optional[Sequence[Any]] = None,
) -> Any:
    """The Gram matrix of K per-objective gradients, the way the paper's reference code computes them.

    For each objective's loss (e.g. the policy-gradient loss with that objective's advantages), one backward
    pass gives its gradient. As in the reference (verl fork, ``dp_actor.compute_gradients``), the gradient
    over ``all_parameters`` (default: ``parameters``) is first clipped to global norm ``clip_norm`` (1.0 there),
    then only ``parameters`` (e.g. :func:`parameters_of_layers` with layers 10–25) are kept.

    **The weight step depends on this clipping**: with clipping every gradient has norm ≤ ``clip_norm``, so
    ``|G_ij| ≤ clip_norm²`` and the mirror-descent step ``η_t·(G·1)/μ`` is bounded by ``η_t·K·clip_norm²/μ``
    (0.3 for K=3, η=1e-6, μ=1e-5). Without clipping (``clip_norm=None``) the Gram entries scale with the raw
    gradient norms and μ must be retuned.

    Returns:
        A float64 K×K ``torch.Tensor`` on the parameters' device.
    """
    import torch

    parameters = list(parameters)
    scope = list(all_parameters) if all_parameters is not None else parameters
    kept = {id(p) for p in parameters}
    rows = []
    for k, loss in enumerate(losses):
        raw = torch.autograd.grad(loss, scope, retain_graph=k < len(losses) - 1, allow_unused=True)
        grads = [torch.zeros_like(p) if g is None else g for p, g in zip(scope, raw)]
        if clip_norm is not None:
            total = math.sqrt(sum(float((g.detach().double() ** 2).sum()) for g in grads))
            scale = min(1.0, clip_norm / (total + 1e-6))  # torch.nn.utils.clip_grad_norm_'s rule
            grads = [g * scale for g in grads]
        rows.append(torch.cat([g.detach().reshape(-1).double() for p, g in zip(scope, grads) if id(p) in kept]))
    flat = torch.stack(rows)
    gram = flat @ flat.T
    return (gram + gram.T) / 2
