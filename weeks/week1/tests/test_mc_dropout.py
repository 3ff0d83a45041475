"""Tests of week1.mc_dropout: dropout-only sampling, predictive mean, entropy decomposition.

Oracles: the same stochastic passes replayed here with the same seed (eval mode, then ``.train()``
on the ``nn.Dropout`` modules), ``scipy.stats.entropy`` (nats) for the entropies, and BatchNorm's
own buffers, which must not move. Run: ``pytest weeks/week1/tests/test_mc_dropout.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from scipy.stats import entropy as scipy_entropy
from timm.layers import DropPath
from torch import nn

from grader import differential as diff

N_SAMPLES = 12


def _net(p: float = 0.5, seed: int = 0) -> nn.Sequential:
    """Linear -> BatchNorm (non-trivial running stats) -> ReLU -> Dropout -> Linear, 4 classes."""
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(p), nn.Linear(32, 4)
    )
    with torch.no_grad():
        net[1].running_mean.uniform_(-0.5, 0.5)
        net[1].running_var.uniform_(0.5, 2.0)
    return net.eval()


class _Residual(nn.Module):
    """x + DropPath(f(x)): stochastic depth is a dropout layer too."""

    def __init__(self) -> None:
        super().__init__()
        self.f = nn.Linear(8, 8)
        self.drop_path = DropPath(0.5)
        self.head = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(x + self.drop_path(self.f(x)))


def _x(seed: int = 1, n: int = 16) -> torch.Tensor:
    return torch.randn(n, 8, generator=torch.Generator().manual_seed(seed))


def _replay(net: nn.Module, x: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """The reference passes: eval mode, only nn.Dropout in train mode, n softmax outputs."""
    net.eval()
    for m in net.modules():
        if isinstance(m, nn.Dropout):
            m.train()
    torch.manual_seed(seed)
    with torch.no_grad():
        out = torch.stack([net(x).softmax(-1) for _ in range(n)])
    net.eval()
    return out


def _h(p: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(scipy_entropy(p.double().numpy(), axis=-1))


# -- which layers sample ---------------------------------------------------------------------------
@pytest.mark.clause("dropout-on", "others-eval")
def test_enable_dropout_switches_only_dropout_layers(impl: ModuleType) -> None:
    net = _net().train()
    impl.enable_dropout(net)
    modes = {type(m).__name__: m.training for m in net}
    assert modes == {
        "Linear": False, "BatchNorm1d": False, "ReLU": False, "Dropout": True
    }, (
        f"after enable_dropout only Dropout should be in training mode, got {modes}. "
        "model.train() would also make BatchNorm use (and update) batch statistics."
    )  # fmt: skip


@pytest.mark.clause("bn-untouched")
def test_batchnorm_statistics_are_untouched(impl: ModuleType) -> None:
    net = _net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    impl.mc_dropout_predict(net, _x(), n_samples=N_SAMPLES)
    changed = [k for k, v in net.state_dict().items() if not torch.equal(v, before[k])]
    assert not changed, (
        f"mc_dropout_predict changed {changed}: BatchNorm must stay in eval mode (running "
        "statistics used, never updated); put only the dropout layers in training mode"
    )


@pytest.mark.clause("others-eval", "decomposition")
def test_without_dropout_every_pass_equals_the_eval_output(impl: ModuleType) -> None:
    net = _net(p=0.0)
    x = _x()
    with torch.no_grad():
        want = net(x).softmax(-1)
    got = impl.mc_dropout_predict(net, x, n_samples=3)
    assert torch.allclose(got.probs, want, atol=1e-6), (
        "with Dropout(p=0) every pass should equal the eval-mode softmax; yours differ by "
        f"{(got.probs - want).abs().max():.3g}. BatchNorm is probably in training mode (batch "
        "statistics) instead of eval mode."
    )
    assert torch.allclose(got.mutual_information, torch.zeros(len(x)), atol=1e-6), (
        "identical passes carry no epistemic uncertainty: mutual information should be 0"
    )


@pytest.mark.clause("dropout-on")
def test_drop_path_counts_as_dropout(impl: ModuleType) -> None:
    torch.manual_seed(0)
    net = _Residual().eval()
    got = impl.mc_dropout_predict(net, _x(), n_samples=N_SAMPLES)
    assert not torch.allclose(got.samples[0], got.samples[1:]), (
        "a model whose only stochastic layer is a DropPath (stochastic depth) gave identical "
        "passes: DropPath must be switched on too (use is_dropout)"
    )


# -- the samples and their mean --------------------------------------------------------------------
@pytest.mark.clause("passes", "samples")
def test_samples_replay_the_stochastic_passes(impl: ModuleType) -> None:
    net, x = _net(), _x()
    torch.manual_seed(123)
    got = impl.mc_dropout_predict(net, x, n_samples=N_SAMPLES)
    want = _replay(net, x, N_SAMPLES, seed=123)
    assert tuple(got.samples.shape) == (N_SAMPLES, len(x), 4), (
        f"samples should have shape (n_samples, B, C) = {(N_SAMPLES, len(x), 4)}, got "
        f"{tuple(got.samples.shape)}"
    )
    assert not torch.allclose(got.samples[0], got.samples[1]), (
        "passes 0 and 1 are identical: each pass must draw a new dropout mask"
    )
    assert torch.allclose(got.samples, want, atol=1e-6), (
        f"with torch.manual_seed(123) your {N_SAMPLES} passes should equal the softmax of "
        f"{N_SAMPLES} forward passes of the whole batch run one after another (eval mode, "
        "dropout on); they differ. Run the passes sequentially, softmax each, and stack them."
    )


@pytest.mark.clause("mean-probs", "no-grad")
def test_probs_are_the_mean_of_the_softmax_outputs(impl: ModuleType) -> None:
    net, x = _net(), _x()
    torch.manual_seed(7)
    got = impl.mc_dropout_predict(net, x, n_samples=N_SAMPLES)
    want = _replay(net, x, N_SAMPLES, seed=7).mean(0)
    assert torch.allclose(got.probs, want, atol=1e-6), (
        "probs should be the mean over passes of softmax(logits) (shape (B, C)), not the "
        f"softmax of the mean logits; max difference {(got.probs - want).abs().max():.3g}"
    )
    assert not got.probs.requires_grad, "run the passes under torch.no_grad()"


# -- entropies -----------------------------------------------------------------------------------
@pytest.mark.clause("entropy-nats", "zero-log-zero")
def test_entropy_in_nats(impl: ModuleType) -> None:
    p = torch.tensor([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    got = impl.entropy(p)
    want = _h(p).float()
    assert torch.allclose(got, want, atol=1e-6), (
        f"entropy of {p.tolist()} in nats should be {want.tolist()} (scipy.stats.entropy), got "
        f"{got.tolist()}. Use natural logs, and 0 * log 0 = 0 (clamp inside the log)."
    )


@pytest.mark.clause("decomposition")
def test_uncertainty_decomposition(impl: ModuleType) -> None:
    net, x = _net(), _x(n=32)
    torch.manual_seed(11)
    got = impl.mc_dropout_predict(net, x, n_samples=N_SAMPLES)
    samples = _replay(net, x, N_SAMPLES, seed=11)
    total = _h(samples.mean(0))
    expected = _h(samples).mean(0)
    for name, want in (
        ("entropy", total),
        ("expected_entropy", expected),
        ("mutual_information", total - expected),
    ):
        value = getattr(got, name).double()
        assert torch.allclose(value, want, atol=1e-5), (
            f"{name} should be {want[:3].tolist()}... (nats, scipy.stats.entropy), got "
            f"{value[:3].tolist()}... entropy = H[mean_t p_t], expected_entropy = mean_t H[p_t], "
            "mutual_information = entropy - expected_entropy, all with natural logs."
        )
    assert (got.mutual_information > -1e-6).all(), "mutual information is never negative"


# -- modes ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["eval", "train", "mixed"])
@pytest.mark.clause("restore")
def test_every_module_mode_is_restored(impl: ModuleType, mode: str) -> None:
    net = _net()
    net.train(mode == "train")
    if mode == "mixed":
        net[1].train()  # only the BatchNorm in training mode
    before = [m.training for m in net.modules()]
    impl.mc_dropout_predict(net, _x(), n_samples=2)
    after = [m.training for m in net.modules()]
    assert after == before, (
        f"training flags of (Sequential, Linear, BN, ReLU, Dropout, Linear) were {before} "
        f"before mc_dropout_predict and {after} after: record every module's flag and restore "
        "it in a finally block"
    )


@pytest.mark.clause("n-samples")
def test_n_samples_must_be_positive(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.mc_dropout_predict(_net(), _x(), n_samples=0)
        pytest.fail("mc_dropout_predict(..., n_samples=0) should raise ValueError")


# -- judged against the reference --------------------------------------------------------------
class _MyDropout(nn.Dropout):
    """A subclass of nn.Dropout: still a dropout layer."""


class _Images(nn.Module):
    """Conv -> BN -> Dropout2d -> AlphaDropout on the pooled features -> FeatureAlphaDropout."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.bn = nn.BatchNorm2d(6)
        self.drop2d = nn.Dropout2d(0.3)
        self.alpha = nn.AlphaDropout(0.2)
        self.fa = nn.FeatureAlphaDropout(0.2)
        self.head = nn.Linear(6, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.drop2d(self.bn(self.conv(x)).relu())
        return self.head(self.fa(self.alpha(h.mean((2, 3)))[..., None])[..., 0])


class _Seq1d(nn.Module):
    """Conv1d -> Dropout1d -> subclassed Dropout -> DropPath residual."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(2, 4, 3)
        self.drop1d = nn.Dropout1d(0.4)
        self.mine = _MyDropout(0.3)
        self.f = nn.Linear(4, 4)
        self.drop_path = DropPath(0.5)
        self.head = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.mine(self.drop1d(self.conv(x)).mean(-1))
        return self.head(h + self.drop_path(self.f(h)))


MODELS: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...]]] = {
    "mlp_bn_dropout": (_net, (6, 8)),
    "images_dropout2d_alpha": (_Images, (4, 3, 7, 5)),  # non-square images
    "seq_dropout1d_subclass_droppath": (_Seq1d, (5, 2, 9)),
    "droppath_only": (_Residual, (3, 8)),
    "no_dropout": (lambda: nn.Sequential(nn.Linear(8, 3), nn.BatchNorm1d(3)), (4, 8)),
}


def _arrays(result: object) -> object:
    if isinstance(result, tuple) and hasattr(result, "_fields"):
        return (
            type(result).__name__,
            {f: (getattr(result, f).numpy(), getattr(result, f).requires_grad)
             for f in result._fields},
        )  # fmt: skip
    return result


def _modes(model: nn.Module) -> list[bool]:
    return [m.training for m in model.modules()]


@pytest.mark.clause(
    "passes", "samples", "restore", "mean-probs", "decomposition", "bn-untouched", "no-grad",
    "result", "dropout-on", "others-eval", "n-samples",
)  # fmt: skip
@pytest.mark.parametrize("mode", ["eval", "train", "mixed"])
@pytest.mark.parametrize("n_samples", [1, 3, 0])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_mc_dropout_predict_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, n_samples: int, mode: str
) -> None:
    build, shape = MODELS[name]
    x = torch.randn(shape, generator=torch.Generator().manual_seed(5))

    def run(module: ModuleType) -> tuple:
        torch.manual_seed(0)
        model = build()
        model.train(mode == "train")
        if mode == "mixed":
            for i, m in enumerate(model.modules()):
                m.training = i % 2 == 0
        torch.manual_seed(42)
        out = diff.call(module.mc_dropout_predict, model, x, n_samples=n_samples)
        state = {k: v.numpy() for k, v in model.state_dict().items()}
        if out.raised:
            raise out.error
        return _arrays(out.value), _modes(model), state

    # softmax of the same logits, averaged: a few float32 ulps
    diff.assert_same(lambda: run(impl), lambda: run(reference), rtol=1e-5, atol=1e-6)


@pytest.mark.clause("dropout-on", "others-eval", "in-place")
@pytest.mark.parametrize("name", sorted(MODELS))
def test_enable_dropout_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str
) -> None:
    def run(module: ModuleType) -> tuple:
        torch.manual_seed(0)
        model = MODELS[name][0]().train()
        returned = module.enable_dropout(model)
        return returned, [(type(m).__name__, m.training) for m in model.modules()]

    diff.assert_same(lambda: run(impl), lambda: run(reference))


class _Broken(nn.Module):
    """Fails on its second forward pass."""

    def __init__(self) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(8)
        self.drop = nn.Dropout(0.5)
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("broken model")
        return self.drop(self.bn(x))


@pytest.mark.clause("restore")
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_modes_are_restored_after_an_error(impl: ModuleType, train: bool) -> None:
    impl.mc_dropout_predict(_net(), _x(), n_samples=1)  # an unwritten stub is "not started"
    model = _Broken().train(train)
    model.drop.train(not train)
    before = _modes(model)
    with pytest.raises(RuntimeError, match="broken model"):
        impl.mc_dropout_predict(model, _x(), n_samples=3)
    assert _modes(model) == before, (
        f"after a forward that raised, the training flags are {_modes(model)}, not {before}: "
        "restore them in a finally block"
    )


@pytest.mark.clause("n-samples")
@pytest.mark.parametrize("n_samples", [0, -2])
def test_bad_n_samples_raise_before_any_pass(impl: ModuleType, n_samples: int) -> None:
    impl.mc_dropout_predict(_net(), _x(), n_samples=1)  # an unwritten stub is "not started"
    model = _Broken().train()
    with pytest.raises(ValueError):
        impl.mc_dropout_predict(model, _x(), n_samples=n_samples)
    assert model.calls == 0 and model.training, (
        f"n_samples={n_samples} must raise ValueError before any pass (and before changing modes)"
    )


@st.composite
def _probabilities(draw: st.DrawFn) -> tuple[torch.Tensor, int]:
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    values = st.sampled_from([0.0, 1.0, 0.5, 1e-30, 1e-13, 1e-6]) | st.floats(0, 1)
    arr = np.array(
        draw(st.lists(values, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    )
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    dtype = draw(st.sampled_from([torch.float64, torch.float32]))
    return torch.from_numpy(arr.reshape(shape)).to(dtype), dim


@pytest.mark.clause("entropy-nats", "zero-log-zero", "entropy-dim")
@given(case=_probabilities())
@example(case=(torch.tensor([[1.0, 0.0], [0.5, 0.5]]), 0))
@example(case=(torch.zeros(2, 3), -1))
def test_entropy_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, case: tuple[torch.Tensor, int]
) -> None:
    probs, dim = case
    # p log p at p < 1e-12: clamping, xlogy and entr differ by at most ~1e-12 * 30 per term
    eps = float(torch.finfo(probs.dtype).eps)
    n = probs.shape[dim]
    diff.assert_same(
        lambda p, d: impl.entropy(p, dim=d).numpy(),
        lambda p, d: reference.entropy(p, dim=d).numpy(),
        probs, dim, rtol=8 * n * eps, atol=n * (8 * eps + 1e-10),
    )  # fmt: skip
