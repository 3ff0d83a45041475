"""Tests of week1.pruning: masks equal torch.nn.utils.prune's, exact sparsity, fine-tuning keeps
the zeros, masks baked in, and the sparsity report.

Oracle: ``torch.nn.utils.prune`` applied to a copy of the same model, and hand counts.
Run: ``pytest weeks/week1/tests/test_pruning.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils import prune

from grader import differential as diff


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _model(seed: int = 0) -> nn.Module:
    """Conv + BN + linear layers with different weight scales (global != per-layer pruning)."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Linear(32, 5),
    )
    with torch.no_grad():
        model[0].weight.mul_(2.0)
        model[7].weight.mul_(0.8)
    return model


def _weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """The effective weight of every conv/linear layer (masked if a mask exists)."""
    out = {}
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            w = (
                module.weight_orig * module.weight_mask
                if hasattr(module, "weight_mask")
                else module.weight
            )
            out[name] = w.detach().clone()
    return out


def _oracle(model: nn.Module, amount: float, scope: str) -> dict[str, torch.Tensor]:
    """Masks from torch.nn.utils.prune on a copy of ``model``."""
    twin = copy.deepcopy(model)
    pairs = [(m, "weight") for m in twin.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    if scope == "global":
        prune.global_unstructured(pairs, pruning_method=prune.L1Unstructured, amount=amount)
    else:
        for module, name in pairs:
            prune.l1_unstructured(module, name, amount=amount)
    return {n: m.weight_mask for n, m in twin.named_modules() if hasattr(m, "weight_mask")}


def _data(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, 3, 8, 8, generator=g), torch.randint(0, 5, (n,), generator=g)


@pytest.mark.clause("layer-order", "conv-linear-only")
def test_prunable_layers_are_conv_and_linear(impl: ModuleType) -> None:
    got = [name for name, _ in impl.prunable_layers(_model())]
    assert got == ["0", "3", "7"], (
        f"prunable_layers of the test model should be the two convs and the linear layer, "
        f"['0', '3', '7'], got {got}"
    )


@pytest.mark.parametrize("scope", ["global", "layer"])
@pytest.mark.clause("global", "layer")
def test_masks_match_torch_prune(impl: ModuleType, scope: str) -> None:
    model = _model()
    want = _oracle(model, 0.6, scope)
    impl.prune_model(model, 0.6, scope=scope)
    for name, module in model.named_modules():
        if name in want:
            assert hasattr(module, "weight_mask"), (
                f"layer {name} has no weight_mask: prune with torch.nn.utils.prune so the mask "
                "is kept during fine-tuning"
            )
            diff = int((module.weight_mask != want[name]).sum())
            assert diff == 0, (
                f"scope={scope!r}, amount=0.6: the mask of layer {name} differs from "
                f"torch.nn.utils.prune's in {diff} of {want[name].numel()} places (global ranks "
                "all layers together, 'layer' prunes each layer separately; smallest |w| first)"
            )


@pytest.mark.clause("global")
def test_global_pruning_is_exact(impl: ModuleType) -> None:
    model = _model()
    total = sum(w.numel() for w in _weights(model).values())
    impl.prune_model(model, 0.5, scope="global")
    zeros = sum(int((w == 0).sum()) for w in _weights(model).values())
    assert zeros == round(0.5 * total), (
        f"global pruning at 0.5 of {total} weights should zero exactly {round(0.5 * total)}, "
        f"zeroed {zeros}"
    )
    per_layer = {n: float((w == 0).float().mean()) for n, w in _weights(model).items()}
    assert len({round(v, 3) for v in per_layer.values()}) > 1, (
        f"global pruning should leave layers with different sparsities (their weights have "
        f"different scales), got {per_layer}: rank all layers together, not each separately"
    )


@pytest.mark.clause("global")
def test_smallest_weights_are_removed(impl: ModuleType) -> None:
    model = _model()
    before = _weights(model)
    impl.prune_model(model, 0.4, scope="global")
    after = _weights(model)
    pruned = torch.cat([before[n][after[n] == 0].abs() for n in before])
    kept = torch.cat([before[n][after[n] != 0].abs() for n in before])
    assert pruned.max() <= kept.min(), (
        f"L1 pruning removes the smallest |w|: the largest pruned weight ({pruned.max():.4f}) "
        f"should not exceed the smallest kept one ({kept.min():.4f})"
    )


@pytest.mark.clause("weights-only")
def test_biases_are_not_pruned(impl: ModuleType) -> None:
    model = _model()
    biases = {
        n: m.bias.detach().clone()
        for n, m in model.named_modules()
        if getattr(m, "bias", None) is not None
    }
    impl.prune_model(model, 0.9, scope="global")
    masked = [n for n, _ in model.named_buffers() if n.endswith("bias_mask")]
    assert not masked, f"prune weights only, not biases; found {masked}"
    for name, module in model.named_modules():
        if name in biases:
            assert torch.equal(module.bias, biases[name]), f"the bias of layer {name} changed"


@pytest.mark.parametrize(("amount", "scope"), [(1.5, "global"), (-0.1, "layer"), (0.5, "row")])
@pytest.mark.clause("amount-range", "scope-values")
def test_invalid_arguments(impl: ModuleType, amount: float, scope: str) -> None:
    with pytest.raises(ValueError):
        impl.prune_model(_model(), amount, scope=scope)


@pytest.mark.clause("masks-kept", "eval-after", "losses")
def test_fine_tuning_keeps_pruned_weights_at_zero(impl: ModuleType) -> None:
    model = _model()
    impl.prune_model(model, 0.5, scope="global")
    before = _weights(model)
    images, labels = _data()
    with _one_thread():
        losses = impl.fine_tune(model, images, labels, steps=5, lr=1e-2)
    assert len(losses) == 5 and all(isinstance(v, float) for v in losses), (
        f"fine_tune(steps=5) should return 5 float losses, got {losses}"
    )
    after = _weights(model)
    for name in before:
        regrown = int(((before[name] == 0) & (after[name] != 0)).sum())
        assert regrown == 0, (
            f"after 5 fine-tuning steps {regrown} pruned weights of layer {name} are no longer "
            "zero: keep the pruning masks in place while training (do not prune.remove first, do "
            "not zero the weights by hand)"
        )
    changed = any(
        not torch.equal(before[n][before[n] != 0], after[n][before[n] != 0]) for n in before
    )
    assert changed, "fine_tune did not change any kept weight: it should take optimiser steps"
    assert not model.training, "fine_tune should leave the model in eval mode"


@pytest.mark.clause("no-masks-left", "zeros-stay")
def test_make_permanent_removes_the_masks(impl: ModuleType) -> None:
    model = _model().eval()
    impl.prune_model(model, 0.5, scope="layer")
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        want = model(x)
    masked = _weights(model)
    impl.make_permanent(model)
    keys = [k for k in model.state_dict() if k.endswith(("_orig", "_mask"))]
    assert not keys, f"make_permanent should leave no weight_orig/weight_mask, found {keys}"
    hooks = [n for n, m in model.named_modules() if m._forward_pre_hooks]
    assert not hooks, f"make_permanent should remove the pruning hooks, left on layers {hooks}"
    for name, w in _weights(model).items():
        assert torch.equal(w, masked[name]), (
            f"layer {name}: the baked-in weight should keep its zeros"
        )
    with torch.no_grad():
        torch.testing.assert_close(model(x), want, msg="outputs changed when baking the masks in")


@pytest.mark.clause("before-pruning", "counted-weights")
def test_sparsity_report(impl: ModuleType) -> None:
    model = _model()
    with torch.no_grad():
        model[0].weight.view(-1)[:54].zero_()  # 54 of 216
        model[7].weight.view(-1)[:40].zero_()  # 40 of 160
        model[0].bias.zero_()  # biases are not counted
    report = impl.sparsity(model)
    want = {"0": 54 / 216, "3": 0.0, "7": 40 / 160}
    assert report.layers == pytest.approx(want), (
        f"per-layer sparsity should be {want}, got {report.layers}"
    )
    assert (report.zeros, report.total) == (94, 216 + 576 + 160), (
        f"zeros/total should be (94, 952) over conv/linear weights only, got "
        f"({report.zeros}, {report.total})"
    )


@pytest.mark.clause("masked")
def test_sparsity_with_masks_in_place(impl: ModuleType) -> None:
    model = _model()
    impl.prune_model(model, 0.3, scope="layer")
    images, labels = _data(16)
    with _one_thread():
        impl.fine_tune(model, images, labels, steps=1)
    report = impl.sparsity(model)
    for name, value in report.layers.items():
        n = {"0": 216, "3": 576, "7": 160}[name]
        assert value == pytest.approx(round(0.3 * n) / n), (
            f"layer {name} pruned per layer at 0.3 should have sparsity {round(0.3 * n) / n:.4f}, "
            f"the report says {value:.4f}"
        )


# -- differential: the learner's functions and the reference's on the same models ---------------
class Nested(nn.Module):
    """Nested blocks, a Conv1d (not prunable), tied weight magnitudes and a bias-free layer."""

    def __init__(self, seed: int, tied: bool) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU())
        self.side = nn.Conv1d(2, 2, 1)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 16, 6), nn.ReLU())
        self.out = nn.Linear(6, 3, bias=False)
        if tied:
            with torch.no_grad():
                self.out.weight.copy_(torch.sign(self.out.weight) * 0.25)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.head(self.stem(x)))


def _state(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def _report(report) -> tuple:
    return (dict(report.layers), report.zeros, report.total, report.overall)


@pytest.mark.clause("layer-order", "conv-linear-only")
def test_prunable_layers_agree_with_the_reference(impl: ModuleType, reference: ModuleType) -> None:
    model = Nested(0, tied=False)
    diff.assert_same(
        lambda: [(n, id(m)) for n, m in impl.prunable_layers(model)],
        lambda: [(n, id(m)) for n, m in reference.prunable_layers(model)],
    )


@pytest.mark.clause(
    "global", "layer", "weights-only", "default-scope", "returns-model", "amount-range",
    "scope-values", "before-pruning", "masked", "counted-weights",
)  # fmt: skip
@given(
    seed=st.integers(0, 20),
    tied=st.booleans(),
    amount=st.sampled_from([0.0, 1.0, 0.5, 1 / 3, 0.999, -0.1, 1.5]) | st.floats(0.0, 1.0),
    scope=st.sampled_from(["global", "layer", None, "Global", "row"]),
)
@example(seed=0, tied=True, amount=0.5, scope="layer")
def test_prune_model_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, seed, tied, amount, scope
) -> None:
    def run(module: ModuleType):
        model = Nested(seed, tied)
        before = _report(module.sparsity(model))
        kwargs = {} if scope is None else {"scope": scope}
        got = module.prune_model(model, amount, **kwargs)
        assert got is model, "prune_model should prune in place and return the model itself"
        return before, _state(model), _report(module.sparsity(model))

    diff.assert_same(lambda: run(impl), lambda: run(reference))


@pytest.mark.clause("no-layers")
@pytest.mark.parametrize("scope", ["global", "layer"])
def test_no_prunable_layer_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, scope: str
) -> None:
    diff.assert_same(
        lambda: impl.prune_model(nn.Sequential(nn.Conv1d(2, 2, 1)), 0.5, scope=scope) and None,
        lambda: reference.prune_model(nn.Sequential(nn.Conv1d(2, 2, 1)), 0.5, scope=scope) and None,
    )


# Adam on the same float32 model and the same batches: a few ulps per step, so 1e-4 relative.
@pytest.mark.clause("batches", "seed", "losses", "eval-after", "masks-kept")
@pytest.mark.parametrize(
    "steps, batch_size, seed, lr",
    [(3, 4, 0, 1e-2), (2, 100, 5, 1e-3), (0, 8, 0, 1e-3), (3, 1, 9, 5e-2)],
)
def test_fine_tune_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, steps, batch_size, seed, lr
) -> None:
    images, labels = _data(12)
    images = images[:, :, :4, :4]

    def run(module: ModuleType):
        model = Nested(1, tied=False)
        reference.prune_model(model, 0.5)
        model.train()
        with _one_thread():
            losses = module.fine_tune(
                model, images, labels % 3, steps=steps, lr=lr, batch_size=batch_size, seed=seed
            )
        assert all(type(v) is float for v in losses), "fine_tune should return Python floats"
        assert not model.training, "fine_tune should leave the model in eval mode"
        return losses, _state(model)

    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=1e-4, atol=1e-6)


@pytest.mark.clause(
    "unpruned-untouched", "permanent-returns-model", "no-masks-left", "zeros-stay",
    "after-permanent",
)  # fmt: skip
@pytest.mark.parametrize("which", ["none", "stem", "all"])
def test_make_permanent_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, which: str
) -> None:
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))

    def run(module: ModuleType):
        model = Nested(2, tied=False).eval()
        if which == "stem":
            prune.l1_unstructured(model.stem[0], "weight", amount=0.5)
        elif which == "all":
            reference.prune_model(model, 0.7, scope="layer")
        got = module.make_permanent(model)
        assert got is model, "make_permanent should work in place and return the model itself"
        hooks = [n for n, m in model.named_modules() if m._forward_pre_hooks]
        with torch.no_grad():
            out = model(x).numpy()
        return _state(model), hooks, _report(module.sparsity(model)), out

    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=1e-6)


@pytest.mark.clause("masked")
def test_sparsity_reads_the_mask_not_the_stale_weight(impl: ModuleType) -> None:
    model = Nested(3, tied=False)
    impl.prune_model(model, 0.5, scope="layer")
    with torch.no_grad():  # a kept weight becomes 0 in weight_orig; no forward pass since
        kept = model.out.weight_mask.view(-1).nonzero()[0, 0]
        model.out.weight_orig.view(-1)[kept] = 0.0
    report = impl.sparsity(model)
    want = (round(0.5 * 18) + 1) / 18
    assert report.layers["out"] == pytest.approx(want), (
        f"layer 'out' has {round(0.5 * 18) + 1} zeros of 18 in weight_orig * weight_mask, so "
        f"its sparsity is {want:.4f}; got {report.layers['out']:.4f}: while masks are in place, "
        "count weight_orig * weight_mask, not the weight attribute (stale until the next forward)"
    )
