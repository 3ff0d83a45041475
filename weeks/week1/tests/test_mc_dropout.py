"""Tests of week1.mc_dropout: dropout-only sampling, predictive mean, entropy decomposition.

Oracles: the same stochastic passes replayed here with the same seed (eval mode, then ``.train()``
on the ``nn.Dropout`` modules), ``scipy.stats.entropy`` (nats) for the entropies, and BatchNorm's
own buffers, which must not move. Run: ``pytest weeks/week1/tests/test_mc_dropout.py``.
"""

from __future__ import annotations

from types import ModuleType

import pytest
import torch
from scipy.stats import entropy as scipy_entropy
from timm.layers import DropPath
from torch import nn

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


def test_batchnorm_statistics_are_untouched(impl: ModuleType) -> None:
    net = _net()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    impl.mc_dropout_predict(net, _x(), n_samples=N_SAMPLES)
    changed = [k for k, v in net.state_dict().items() if not torch.equal(v, before[k])]
    assert not changed, (
        f"mc_dropout_predict changed {changed}: BatchNorm must stay in eval mode (running "
        "statistics used, never updated); put only the dropout layers in training mode"
    )


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


def test_drop_path_counts_as_dropout(impl: ModuleType) -> None:
    torch.manual_seed(0)
    net = _Residual().eval()
    got = impl.mc_dropout_predict(net, _x(), n_samples=N_SAMPLES)
    assert not torch.allclose(got.samples[0], got.samples[1:]), (
        "a model whose only stochastic layer is a DropPath (stochastic depth) gave identical "
        "passes: DropPath must be switched on too (use is_dropout)"
    )


# -- the samples and their mean --------------------------------------------------------------------
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
def test_entropy_in_nats(impl: ModuleType) -> None:
    p = torch.tensor([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    got = impl.entropy(p)
    want = _h(p).float()
    assert torch.allclose(got, want, atol=1e-6), (
        f"entropy of {p.tolist()} in nats should be {want.tolist()} (scipy.stats.entropy), got "
        f"{got.tolist()}. Use natural logs, and 0 * log 0 = 0 (clamp inside the log)."
    )


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


def test_n_samples_must_be_positive(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.mc_dropout_predict(_net(), _x(), n_samples=0)
        pytest.fail("mc_dropout_predict(..., n_samples=0) should raise ValueError")
