"""Tests of week6.normalization_layers: BatchNorm2d and LayerNorm against PyTorch.

``torch.nn.BatchNorm2d`` / ``torch.nn.LayerNorm`` (float64, same weights) judge the forward pass
in training and eval mode and the running statistics; PyTorch's backward kernels for those layers
judge the backward pass; finite differences double-check the gradients. Run:
``pytest weeks/week6/tests/test_normalization_layers.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

TOL = 1e-9


def _close(got: object, want: np.ndarray, what: str, tol: float = TOL) -> None:
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == want.shape, f"{what}: expected shape {want.shape}, got {got.shape}"
    err = float(np.max(np.abs(got - want)))
    assert err < tol, f"{what}: differs from PyTorch by up to {err:.3g} (want < {tol:g})"


def _bn_pair(impl: ModuleType, c: int, momentum: float = 0.1, seed: int = 0):
    """A learner BatchNorm2d and a torch one with the same random weight and bias."""
    rng = np.random.default_rng(seed)
    ours = impl.BatchNorm2d(c, eps=1e-5, momentum=momentum)
    ours.weight = rng.uniform(0.5, 1.5, c)
    ours.bias = rng.standard_normal(c)
    ref = torch.nn.BatchNorm2d(c, eps=1e-5, momentum=momentum).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight))
        ref.bias.copy_(torch.from_numpy(ours.bias))
    return ours, ref


def _ln_pair(impl: ModuleType, shape: int | tuple[int, ...], seed: int = 0):
    rng = np.random.default_rng(seed)
    ours = impl.LayerNorm(shape, eps=1e-5)
    full = (shape,) if isinstance(shape, int) else shape
    ours.weight = rng.uniform(0.5, 1.5, full)
    ours.bias = rng.standard_normal(full)
    ref = torch.nn.LayerNorm(shape, eps=1e-5).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight))
        ref.bias.copy_(torch.from_numpy(ours.bias))
    return ours, ref


def _torch_batchnorm_backward(ref: torch.nn.BatchNorm2d, x: np.ndarray, grad_out: np.ndarray):
    """Gradients of ``ref`` (in its current mode) from ``aten::native_batch_norm_backward``, the
    kernel autograd runs for ``nn.BatchNorm2d`` (called directly: ``.backward()`` makes torch
    import sympy first, which costs seconds). ``ref``'s running statistics are left alone."""
    t = torch.from_numpy(x)
    w = ref.weight.detach()
    mean, var = ref.running_mean.clone(), ref.running_var.clone()
    _, save_mean, save_invstd = torch.ops.aten.native_batch_norm(
        t, w, ref.bias.detach(), mean, var, ref.training, ref.momentum, ref.eps
    )
    grads = torch.ops.aten.native_batch_norm_backward(
        torch.from_numpy(grad_out),
        t,
        w,
        mean,
        var,
        save_mean,
        save_invstd,
        ref.training,
        ref.eps,
        [True, True, True],
    )
    return tuple(g.numpy() for g in grads)


def _torch_layernorm_backward(ref: torch.nn.LayerNorm, x: np.ndarray, grad_out: np.ndarray):
    """Gradients of ``ref`` from ``aten::native_layer_norm_backward``, the kernel autograd runs
    for ``nn.LayerNorm`` (called directly: ``.backward()`` makes torch import sympy first, which
    costs seconds)."""
    t, shape = torch.from_numpy(x), list(ref.normalized_shape)
    w, b = ref.weight.detach(), ref.bias.detach()
    _, mean, rstd = torch.ops.aten.native_layer_norm(t, shape, w, b, ref.eps)
    grads = torch.ops.aten.native_layer_norm_backward(
        torch.from_numpy(grad_out), t, shape, mean, rstd, w, b, [True, True, True]
    )
    return tuple(g.numpy() for g in grads)


def _batch(shape: tuple[int, ...], seed: int, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    return loc + scale * np.random.default_rng(seed).standard_normal(shape)


def _numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


# -- BatchNorm2d -----------------------------------------------------------------------------------
@pytest.mark.clause("bn-train-forward")
def test_batchnorm_training_forward_matches_torch(impl: ModuleType) -> None:
    ours, ref = _bn_pair(impl, 3)
    x = _batch((4, 3, 5, 6), 1, loc=2.0, scale=3.0)
    got = ours(x)
    want = ref(torch.from_numpy(x)).detach().numpy()
    _close(got, want, "BatchNorm2d training forward (batch mean and BIASED batch variance)")


@pytest.mark.clause("bn-train-forward")
def test_batchnorm_training_output_is_standardised(impl: ModuleType) -> None:
    bn = impl.BatchNorm2d(2)
    x = _batch((8, 2, 3, 3), 2, loc=-4.0, scale=5.0)
    y = np.asarray(bn(x))
    mean, var = y.mean(axis=(0, 2, 3)), y.var(axis=(0, 2, 3))
    assert np.allclose(mean, 0, atol=1e-9) and np.allclose(var, 1, atol=1e-3), (
        "with weight=1 and bias=0, each channel of the training output must have mean 0 and "
        f"variance 1 over (N, H, W); got means {mean.round(4)} and variances {var.round(4)}"
    )


@pytest.mark.clause("running-stats")
@pytest.mark.parametrize("momentum", [0.1, 0.3])
def test_batchnorm_running_statistics_match_torch(impl: ModuleType, momentum: float) -> None:
    ours, ref = _bn_pair(impl, 3, momentum=momentum)
    for step in range(4):
        x = _batch((2, 3, 2, 3), 10 + step, loc=step, scale=1.0 + step)
        ours(x)
        ref(torch.from_numpy(x))
        _close(
            ours.running_mean,
            ref.running_mean.numpy(),
            f"running_mean after {step + 1} training batches (momentum={momentum}; "
            "running = (1 - momentum) * running + momentum * batch)",
        )
        _close(
            ours.running_var,
            ref.running_var.numpy(),
            f"running_var after {step + 1} training batches (momentum={momentum}; the running "
            "variance uses the UNBIASED batch variance var * m / (m - 1), m = N*H*W = 12)",
        )


@pytest.mark.clause("bn-eval")
def test_batchnorm_eval_uses_running_statistics(impl: ModuleType) -> None:
    ours, ref = _bn_pair(impl, 3)
    for step in range(3):
        x = _batch((4, 3, 4, 4), 20 + step, loc=1.0, scale=2.0)
        ours(x)
        ref(torch.from_numpy(x))
    ours.eval()
    ref.eval()
    mean_before, var_before = np.copy(ours.running_mean), np.copy(ours.running_var)
    x = _batch((2, 3, 4, 4), 30, loc=10.0, scale=0.1)  # statistics far from the running ones
    got = ours(x)
    want = ref(torch.from_numpy(x)).detach().numpy()
    _close(got, want, "BatchNorm2d eval forward (must use running_mean/running_var, not the batch)")
    assert np.array_equal(ours.running_mean, mean_before) and np.array_equal(
        ours.running_var, var_before
    ), "eval mode must not update running_mean / running_var"


@pytest.mark.clause("train-eval")
def test_batchnorm_train_and_eval_switch(impl: ModuleType) -> None:
    bn = impl.BatchNorm2d(2)
    assert bn.training is True, "a new BatchNorm2d starts in training mode"
    assert bn.eval() is bn and bn.training is False, "eval() sets training=False and returns self"
    assert bn.train() is bn and bn.training is True, "train() sets training=True and returns self"


@pytest.mark.clause("param-grads")
def test_batchnorm_training_backward_matches_torch(impl: ModuleType) -> None:
    ours, ref = _bn_pair(impl, 3, seed=3)
    x = _batch((3, 3, 4, 5), 4, loc=1.0, scale=2.0)
    grad_out = _batch(x.shape, 5)
    ours(x)
    grad_x = ours.backward(grad_out)
    want_x, want_w, want_b = _torch_batchnorm_backward(ref, x, grad_out)
    _close(grad_x, want_x, "BatchNorm2d training backward: grad w.r.t. x", 1e-8)
    _close(ours.grad_weight, want_w, "BatchNorm2d grad_weight", 1e-8)
    _close(ours.grad_bias, want_b, "BatchNorm2d grad_bias", 1e-8)


@pytest.mark.clause("bn-eval-backward")
def test_batchnorm_eval_backward_matches_torch(impl: ModuleType) -> None:
    ours, ref = _bn_pair(impl, 2, seed=6)
    warm = _batch((4, 2, 3, 3), 7, loc=2.0, scale=2.0)
    ours(warm)
    ref(torch.from_numpy(warm))
    ours.eval()
    ref.eval()
    x = _batch((2, 2, 3, 3), 8)
    grad_out = _batch(x.shape, 9)
    ours(x)
    grad_x = ours.backward(grad_out)
    want_x, _, _ = _torch_batchnorm_backward(ref, x, grad_out)
    _close(
        grad_x,
        want_x,
        "BatchNorm2d EVAL backward (the running statistics are constants)",
        1e-8,
    )


def test_batchnorm_backward_matches_finite_differences(impl: ModuleType) -> None:
    rng = np.random.default_rng(11)
    bn = impl.BatchNorm2d(2)
    bn.weight = rng.uniform(0.5, 1.5, 2)
    bn.bias = rng.standard_normal(2)
    x = rng.standard_normal((3, 2, 2, 2))
    proj = rng.standard_normal(x.shape)  # loss = sum(proj * y)
    bn(x)
    got = np.asarray(bn.backward(proj))

    def loss(z: np.ndarray) -> float:
        probe = impl.BatchNorm2d(2)
        probe.weight, probe.bias = bn.weight, bn.bias
        return float(np.sum(proj * probe(z)))

    want = _numeric_grad(loss, x.copy())
    _close(got, want, "BatchNorm2d backward vs central finite differences", 1e-5)


@pytest.mark.clause("bn-single-value")
def test_batchnorm_single_value_per_channel_raises(impl: ModuleType) -> None:
    bn = impl.BatchNorm2d(3)
    with pytest.raises(ValueError):
        bn(np.ones((1, 3, 1, 1)))
        pytest.fail("training on one value per channel (N=H=W=1) has no variance: raise ValueError")


# -- LayerNorm -------------------------------------------------------------------------------------
@pytest.mark.clause("ln-forward")
@pytest.mark.parametrize(
    ("x_shape", "normalized"),
    [((4, 7, 16), 16), ((3, 8), 8), ((2, 3, 4, 5), (4, 5)), ((2, 3, 4, 5), (3, 4, 5))],
)
def test_layernorm_forward_matches_torch(
    impl: ModuleType, x_shape: tuple[int, ...], normalized: int | tuple[int, ...]
) -> None:
    ours, ref = _ln_pair(impl, normalized)
    x = _batch(x_shape, 12, loc=3.0, scale=4.0)
    want = ref(torch.from_numpy(x)).detach().numpy()
    _close(ours(x), want, f"LayerNorm({normalized}) forward on x {x_shape}")


@pytest.mark.clause("ln-forward")
def test_layernorm_samples_are_independent(impl: ModuleType) -> None:
    ln = impl.LayerNorm(6)
    x = _batch((5, 6), 13, loc=2.0, scale=3.0)
    together = np.asarray(ln(x))
    alone = np.asarray(ln(x[2:3]))
    assert np.allclose(together[2:3], alone), (
        "LayerNorm must normalise each sample over its own features: sample 2 gave a different "
        "output alone than inside the batch (are you normalising over the batch axis?)"
    )
    assert np.allclose(alone.mean(), 0) and np.allclose(alone.var(), 1, atol=1e-3), (
        f"a single sample must come out with mean 0 and variance 1, got {alone.ravel().round(3)}"
    )


@pytest.mark.clause("param-grads")
@pytest.mark.parametrize(("x_shape", "normalized"), [((3, 5, 8), 8), ((2, 3, 4, 4), (3, 4, 4))])
def test_layernorm_backward_matches_torch(
    impl: ModuleType, x_shape: tuple[int, ...], normalized: int | tuple[int, ...]
) -> None:
    ours, ref = _ln_pair(impl, normalized, seed=14)
    x = _batch(x_shape, 15, loc=-1.0, scale=2.0)
    grad_out = _batch(x_shape, 16)
    ours(x)
    grad_x = ours.backward(grad_out)
    want_x, want_w, want_b = _torch_layernorm_backward(ref, x, grad_out)
    what = f"LayerNorm({normalized}) backward on x {x_shape}"
    _close(grad_x, want_x, f"{what}: grad w.r.t. x", 1e-8)
    _close(ours.grad_weight, want_w, f"{what}: grad_weight", 1e-8)
    _close(ours.grad_bias, want_b, f"{what}: grad_bias", 1e-8)


def test_layernorm_backward_matches_finite_differences(impl: ModuleType) -> None:
    rng = np.random.default_rng(17)
    ln = impl.LayerNorm(4)
    ln.weight = rng.uniform(0.5, 1.5, 4)
    ln.bias = rng.standard_normal(4)
    x = rng.standard_normal((3, 4))
    proj = rng.standard_normal(x.shape)
    ln(x)
    got = np.asarray(ln.backward(proj))
    want = _numeric_grad(lambda z: float(np.sum(proj * ln(z))), x.copy())
    _close(got, want, "LayerNorm backward vs central finite differences", 1e-5)


@pytest.mark.clause("ln-shape")
def test_layernorm_rejects_wrong_trailing_shape(impl: ModuleType) -> None:
    ln = impl.LayerNorm((4, 5))
    with pytest.raises(ValueError):
        ln(np.zeros((2, 5, 4)))
        pytest.fail("LayerNorm((4, 5)) given x of shape (2, 5, 4) must raise ValueError")


# -- judged against the reference -------------------------------------------------------------

_EPS = st.sampled_from([1e-5, 1e-3, 0.5])


def _atol(x: np.ndarray, eps: float) -> float:
    """Rounding of ``x - mean`` (about ``|x| * 1e-16``) amplified by ``1 / sqrt(var + eps)``,
    with room for any stable summation order and for the gradient's three terms."""
    return 1e-11 * (1.0 + float(np.abs(x).max(initial=0.0))) / np.sqrt(eps)


def _bn_story(mod: ModuleType, x: np.ndarray, c: int, eps: float, momentum: float):
    """Train forward/backward twice, eval forward/backward, then a backward after switching
    mode (it belongs to the last forward): everything the spec promises, as one tuple."""
    rng = np.random.default_rng(x.size)
    bn = mod.BatchNorm2d(c, eps=eps, momentum=momentum)
    seen = [bn.grad_weight, bn.grad_bias]
    bn.weight = rng.uniform(-1.5, 1.5, c)
    bn.bias = rng.standard_normal(c)
    g = rng.standard_normal(x.shape)
    x2 = 0.5 * x[::-1] + 1.0
    for step in (x, x2):
        y = bn(step)
        seen += [y, bn.backward(g), bn.grad_weight, bn.grad_bias, bn.running_mean, bn.running_var]
    switched = bn.eval()
    assert switched is bn, f"BatchNorm2d.eval() should return the module itself, got {switched!r}"
    seen += [bn(x2), bn.backward(g), bn.grad_weight, bn.grad_bias, bn.running_mean, bn.running_var]
    switched = bn.train()
    assert switched is bn, f"BatchNorm2d.train() should return the module itself, got {switched!r}"
    bn(x)
    bn.eval()  # backward still differentiates the last forward, which ran in training mode
    seen += [bn.backward(g), bn.training]
    return tuple(seen)


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    impl.BatchNorm2d(1)(np.ones((2, 1, 1, 1)))
    impl.LayerNorm(2)(np.ones((1, 2)))


@pytest.mark.clause(
    "bn-init", "train-eval", "bn-train-forward", "running-stats", "bn-single-value", "bn-shape",
    "bn-eval", "backward-last", "param-grads", "bn-eval-backward", "eps",
)  # fmt: skip
@given(
    x=diff.float_arrays(min_dims=3, max_dims=5, min_side=1, max_side=3),
    extra=st.sampled_from([0, 0, 0, 1]),
    eps=_EPS,
    momentum=st.sampled_from([0.1, 0.0, 1.0, 0.37]),
)
@example(x=np.ones((1, 2, 1, 1)), extra=0, eps=1e-5, momentum=0.1)
@example(x=np.arange(6.0).reshape(1, 1, 2, 3), extra=0, eps=0.5, momentum=0.37)
@example(x=np.ones((2, 3, 2, 2)), extra=0, eps=1e-3, momentum=1.0)
@example(x=np.arange(12.0).reshape(2, 3, 2, 1), extra=-2, eps=1e-5, momentum=0.1)
def test_batchnorm_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: np.ndarray, extra: int, eps: float, momentum: float
) -> None:
    _started(impl)
    c = max(1, x.shape[1] + extra)
    diff.assert_same(
        lambda: _bn_story(impl, x, c, eps, momentum),
        lambda: _bn_story(reference, x, c, eps, momentum),
        rtol=1e-9,
        atol=_atol(x, eps),
    )


def _ln_story(mod: ModuleType, x: np.ndarray, shape, eps: float):
    rng = np.random.default_rng(x.size)
    ln = mod.LayerNorm(shape, eps=eps)
    seen = [ln.grad_weight, ln.grad_bias, ln.weight, ln.bias]
    full = np.shape(ln.weight)
    ln.weight = rng.uniform(-1.5, 1.5, full)
    ln.bias = rng.standard_normal(full)
    g = rng.standard_normal(x.shape)
    ln(0.5 * x + 1.0)
    y = ln(x)  # backward belongs to this last forward
    seen += [y, ln.backward(g), ln.grad_weight, ln.grad_bias]
    return tuple(seen)


@pytest.mark.clause("ln-init", "ln-forward", "ln-shape", "backward-last", "param-grads", "eps")
@given(
    x=diff.float_arrays(min_dims=1, max_dims=4, min_side=1, max_side=4),
    k=st.integers(1, 4),
    as_int=st.booleans(),
    wrong=st.sampled_from([None, None, None, "bigger", "one"]),
    eps=_EPS,
)
@example(x=np.zeros((0, 3)), k=1, as_int=True, wrong=None, eps=1e-5)
@example(x=np.ones((2, 3)), k=1, as_int=True, wrong="one", eps=1e-5)
@example(x=np.arange(24.0).reshape(2, 3, 4), k=2, as_int=False, wrong=None, eps=0.5)
def test_layernorm_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, x: np.ndarray, k: int, as_int: bool, wrong, eps: float
) -> None:
    _started(impl)
    k = min(k, x.ndim)
    shape = tuple(x.shape[x.ndim - k :])
    if wrong == "bigger":
        shape = shape[:-1] + (shape[-1] + 1,)
    elif wrong == "one":
        shape = shape[:-1] + (1,) if shape[-1] != 1 else shape[:-1] + (2,)
    arg = shape[0] if as_int and len(shape) == 1 else shape
    diff.assert_same(
        lambda: _ln_story(impl, x, arg, eps),
        lambda: _ln_story(reference, x, arg, eps),
        rtol=1e-9,
        atol=_atol(x, eps),
    )


@pytest.mark.clause("float64")
def test_float32_inputs_give_float64_results(impl: ModuleType, reference: ModuleType) -> None:
    x = (3.0 + np.random.default_rng(18).standard_normal((2, 3, 2, 2))).astype(np.float32)
    g = np.random.default_rng(19).standard_normal(x.shape).astype(np.float32)
    for name, arg in (("BatchNorm2d", 3), ("LayerNorm", (2, 2))):
        layer = getattr(impl, name)(arg)
        y = np.asarray(layer(x))
        grad = np.asarray(layer.backward(g))
        assert y.dtype == np.float64 and grad.dtype == np.float64, (
            f"{name} on a float32 input must work in float64, got output "
            f"{y.dtype} and gradient {grad.dtype}"
        )

        def story(mod: ModuleType, name: str = name, arg: object = arg) -> tuple:
            layer = getattr(mod, name)(arg)
            return layer(x), layer.backward(g)

        # float32 arithmetic would be off by about 1e-7: the results are float64 computations
        diff.assert_same(lambda: story(impl), lambda: story(reference), rtol=1e-10, atol=1e-12)


@pytest.mark.clause("vectorized")
@pytest.mark.parametrize("layer", ["BatchNorm2d", "LayerNorm"])
def test_no_python_loop_over_samples(impl: ModuleType, layer: str) -> None:
    rng = np.random.default_rng(19)
    small, large = rng.standard_normal((2, 3, 2, 2)), rng.standard_normal((64, 3, 2, 2))
    make = (lambda: impl.BatchNorm2d(3)) if layer == "BatchNorm2d" else (lambda: impl.LayerNorm(4))
    small_layer, large_layer = make(), make()
    small_in = small if layer == "BatchNorm2d" else small.reshape(-1, 4)
    large_in = large if layer == "BatchNorm2d" else large.reshape(-1, 4)
    small_layer(small_in)  # warm up imports

    def both(layer_, x):
        return lambda: layer_.backward(np.ones_like(layer_(x)))

    lines_small = diff.python_lines(both(small_layer, small_in))
    lines_large = diff.python_lines(both(large_layer, large_in))
    assert lines_large <= lines_small + 40, (
        f"{layer} forward + backward ran {lines_small} Python lines for a batch of 2 but "
        f"{lines_large} for a batch of 64: vectorise over the batch, no Python loop over samples"
    )
