"""Gram-matrix helpers: NumPy and PyTorch, and per-objective gradients with the reference's clipping."""

import numpy as np
import pytest

from rewardweighting import gram_from_gradients, parameters_of_layers, per_objective_gradients


def test_numpy_gram_is_the_matrix_of_inner_products():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), rng.normal(size=(4, 5))]
    gram = gram_from_gradients(grads)
    for i in range(3):
        for j in range(3):
            assert gram[i, j] == pytest.approx(float(np.sum(grads[i] * grads[j])), rel=1e-12)
    np.testing.assert_array_equal(gram, gram.T)


def test_per_parameter_lists_are_concatenated():
    a = [np.array([1.0, 2.0]), np.array([[3.0]])]
    b = [np.array([0.0, 1.0]), np.array([[-1.0]])]
    np.testing.assert_allclose(gram_from_gradients([a, b]), [[14.0, -1.0], [-1.0, 2.0]])
    with pytest.raises(ValueError, match="same number"):
        gram_from_gradients([np.ones(3), np.ones(4)])


def test_torch_gram_matches_numpy():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    grads = rng.normal(size=(3, 100)).astype(np.float32)
    gram = gram_from_gradients([torch.from_numpy(g) for g in grads])
    assert gram.dtype == torch.float64
    np.testing.assert_allclose(gram.numpy(), grads.astype(np.float64) @ grads.astype(np.float64).T, rtol=1e-12)


class _TinyDecoder:
    """Built lazily so the module imports without torch."""

    @staticmethod
    def make(torch):
        class Block(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.mlp = torch.nn.Linear(4, 4)

            def forward(self, x):
                return torch.tanh(self.mlp(x))

        class Model(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = torch.nn.Linear(3, 4)
                self.layers = torch.nn.ModuleList([Block() for _ in range(4)])
                self.head = torch.nn.Linear(4, 2)

            def forward(self, x):
                h = self.embed(x)
                for block in self.layers:
                    h = block(h)
                return self.head(h)

        return Model()


def test_per_objective_gradients_clip_then_select_layers_like_the_reference():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = _TinyDecoder.make(torch).double()
    x = torch.randn(8, 3, dtype=torch.float64)
    out = model(x)
    losses = [out[:, 0].pow(2).sum() * 10, out[:, 1].sum()]
    selected = parameters_of_layers(model, [1, 2])
    assert len(selected) == 4  # weight and bias of layers 1 and 2
    gram = per_objective_gradients(losses, selected, clip_norm=1.0, all_parameters=list(model.parameters()))

    # recompute by hand: full gradient, clip to global norm 1, keep layers 1–2
    expected_rows = []
    for loss in [model(x)[:, 0].pow(2).sum() * 10, model(x)[:, 1].sum()]:
        model.zero_grad()
        loss.backward()
        full = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
        scale = min(1.0, 1.0 / (float(full.norm()) + 1e-6))
        expected_rows.append(torch.cat([p.grad.reshape(-1) * scale for p in selected]))
    expected = torch.stack(expected_rows)
    np.testing.assert_allclose(gram.numpy(), (expected @ expected.T).numpy(), rtol=1e-10)
    assert float(gram[0, 0]) <= 1.0 + 1e-12  # clipped: ‖g‖ ≤ 1 over all parameters, so over a subset too

    with pytest.raises(ValueError, match="layer_ids"):
        parameters_of_layers(model, [99])
