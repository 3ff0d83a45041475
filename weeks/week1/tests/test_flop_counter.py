"""Tests of week1.flop_counter: parameter counts, per-layer FLOP formulas, whole-model FLOPs.

The oracles are ``torch.utils.flop_counter.FlopCounterMode`` (which counts 2 FLOPs per
multiply-accumulate of every convolution and matrix product, and nothing else), timm's
EfficientNet-B0/B1/B3 (random init) and small hand-built networks.
Run: ``pytest weeks/week1/tests/test_flop_counter.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
import timm
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from grader import differential as diff

VARIANTS = ("b0", "b1", "b3")


def _oracle(model: nn.Module, x: torch.Tensor) -> int:
    """FLOPs of ``model(x)`` according to torch's FlopCounterMode (eval mode, no grad)."""
    was_training = model.training
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    model.train(was_training)
    return int(counter.get_total_flops())


def _output_shape(layer: nn.Module, x: torch.Tensor) -> tuple[int, ...]:
    with torch.no_grad():
        return tuple(layer(x).shape)


@pytest.fixture(scope="module")
def timm_model() -> Callable[[str], nn.Module]:
    """``timm_model("b0")``: timm's efficientnet_b0 with 26 classes (random init), built once."""
    cache: dict[str, nn.Module] = {}

    def get(variant: str) -> nn.Module:
        if variant not in cache:
            torch.manual_seed(0)
            cache[variant] = timm.create_model(
                f"efficientnet_{variant}", pretrained=False, num_classes=26
            )
        return cache[variant]

    return get


class _SmallCNN(nn.Module):
    """Stem, depthwise and grouped convs, BN, SiLU, pooling and a two-layer head."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.dw = nn.Conv2d(16, 16, 5, padding=2, groups=16, bias=False)
        self.grouped = nn.Conv2d(16, 32, (1, 3), stride=(1, 2), padding=(0, 1), groups=4)
        self.pw = nn.Conv2d(32, 24, 1)
        self.fc1 = nn.Linear(24, 40)
        self.fc2 = nn.Linear(40, 7)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.silu(self.bn(self.stem(x)))
        x = self.pw(self.grouped(self.dw(x) + x))
        return self.fc2(torch.relu(self.fc1(x.mean((2, 3)))))


class _Tied(nn.Module):
    """Two layers sharing one weight matrix (tied weights, as in weight-tied autoencoders)."""

    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Linear(6, 6, bias=False)
        self.second = nn.Linear(6, 6, bias=False)
        self.second.weight = self.first.weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.second(self.first(x))


# -- parameters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("layer", "want"),
    [
        pytest.param(nn.Linear(10, 5), 55, id="linear_10_5"),
        pytest.param(nn.Conv2d(8, 16, 3, bias=False), 1152, id="conv_no_bias"),
        pytest.param(nn.Conv2d(8, 8, 3, groups=8), 80, id="depthwise_with_bias"),
        pytest.param(nn.BatchNorm2d(8), 16, id="batchnorm"),
    ],
)
@pytest.mark.clause("no-buffers", "params-int")
def test_count_params_of_single_layers(impl: ModuleType, layer: nn.Module, want: int) -> None:
    got = impl.count_params(layer)
    assert got == want, (
        f"count_params({layer}) should be {want}, got {got}. Count weights and biases once; "
        "BatchNorm's running statistics are buffers, not parameters."
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.clause("no-buffers", "params-int")
def test_count_params_matches_timm(impl: ModuleType, timm_model: Callable, variant: str) -> None:
    model = timm_model(variant)
    want = sum(p.numel() for p in model.parameters())
    got = impl.count_params(model)
    buffers = sum(b.numel() for b in model.buffers())
    assert got == want, (
        f"count_params(timm efficientnet_{variant}, 26 classes) should be {want:,}, got {got:,} "
        f"({got - want:+,}; its buffers hold {buffers:,} values, which are not parameters)"
    )


@pytest.mark.clause("shared-once")
def test_count_params_counts_shared_weights_once(impl: ModuleType) -> None:
    model = _Tied()
    got = impl.count_params(model)
    assert got == 36, (
        "two Linear(6, 6) layers sharing one 6x6 weight have 36 parameters, not 72: count "
        f"each parameter tensor once (model.parameters() de-duplicates); got {got}"
    )


@pytest.mark.clause("trainable-only")
def test_count_params_trainable_only(impl: ModuleType) -> None:
    model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Flatten(), nn.Linear(8, 4))
    for p in model[:2].parameters():
        p.requires_grad_(False)
    everything = impl.count_params(model)
    trainable = impl.count_params(model, trainable_only=True)
    assert everything == 224 + 16 + 36, (
        f"count_params(model) counts frozen parameters too: want 276, got {everything}"
    )
    assert trainable == 36, (
        "count_params(model, trainable_only=True) with the conv and BN frozen should count only "
        f"the Linear(8, 4): 36, got {trainable}"
    )


# -- one layer ---------------------------------------------------------------------------------
CONVS = [
    pytest.param(nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False), 224, id="stem_224"),
    pytest.param(nn.Conv2d(16, 24, 1), 20, id="pointwise_with_bias"),
    pytest.param(nn.Conv2d(24, 24, 5, stride=2, padding=2, groups=24), 17, id="depthwise_s2"),
    pytest.param(nn.Conv2d(16, 32, (3, 1), padding=(1, 0), groups=4), 12, id="grouped_3x1"),
    pytest.param(nn.Conv2d(8, 8, 3, stride=3), 14, id="stride3_no_padding"),
]


@pytest.mark.parametrize(("conv", "size"), CONVS)
@pytest.mark.clause(
    "conv-formula", "conv-output-size", "conv-groups", "conv-no-bias", "two-flops-per-mac"
)
def test_conv2d_flops_matches_flop_counter(impl: ModuleType, conv: nn.Conv2d, size: int) -> None:
    x = torch.randn(2, conv.in_channels, size, size)
    shape = _output_shape(conv, x)
    want = _oracle(conv, x)
    got = impl.conv2d_flops(conv, shape)
    assert got == want, (
        f"conv2d_flops({conv}, output {shape}) should be {want:,} (FlopCounterMode), got {got:,}"
        f" ({got / want:.3g}x). Use 2 FLOPs per MAC, the OUTPUT size, C_in // groups and no bias."
    )


@pytest.mark.parametrize(
    ("linear", "x_shape"),
    [
        pytest.param(nn.Linear(1280, 26), (4, 1280), id="classifier"),
        pytest.param(nn.Linear(12, 5, bias=False), (3, 7, 12), id="tokens_3d"),
    ],
)
@pytest.mark.clause("linear-formula", "linear-no-bias", "two-flops-per-mac")
def test_linear_flops_matches_flop_counter(
    impl: ModuleType, linear: nn.Linear, x_shape: tuple[int, ...]
) -> None:
    x = torch.randn(x_shape)
    shape = _output_shape(linear, x)
    want = _oracle(linear, x)
    got = impl.linear_flops(linear, shape)
    assert got == want, (
        f"linear_flops({linear}, output {shape}) should be {want:,} (FlopCounterMode), got "
        f"{got:,}: 2 * rows * in_features * out_features, rows = product of all dims but the last"
    )


# -- whole models ------------------------------------------------------------------------------
def _check_report(report: object, where: str) -> dict[str, int]:
    assert isinstance(report, dict), f"count_flops({where}) must return a dict, got {report!r}"
    keys = {"Conv2d", "Linear", "total"}
    assert set(report) == keys, (
        f"count_flops({where}) must return exactly the keys {sorted(keys)}, got {sorted(report)}"
    )
    return report


@pytest.mark.clause("counted-types", "others-zero", "report-keys", "total-oracle")
def test_count_flops_per_layer_type_on_a_small_cnn(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = _SmallCNN()
    x = torch.zeros(2, 3, 32, 32)
    report = _check_report(impl.count_flops(model, (2, 3, 32, 32)), "small CNN, (2, 3, 32, 32)")
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(x)
    ops = {str(op): int(n) for op, n in counter.get_flop_counts()["Global"].items()}
    want = {
        "Conv2d": ops.get("aten.convolution", 0),
        "Linear": ops.get("aten.addmm", 0),
        "total": int(counter.get_total_flops()),
    }
    assert report == want, (
        f"count_flops on a stem + depthwise + grouped + pointwise conv net with a 2-layer head "
        f"should be {want} (FlopCounterMode), got {report}"
    )


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.clause("total-oracle", "report-keys")
def test_count_flops_matches_flop_counter_on_timm(
    impl: ModuleType, timm_model: Callable, variant: str
) -> None:
    model = timm_model(variant)
    report = _check_report(impl.count_flops(model, (1, 3, 32, 32)), f"efficientnet_{variant}")
    want = _oracle(model, torch.zeros(1, 3, 32, 32))
    assert report["total"] == want, (
        f"count_flops(timm efficientnet_{variant}, (1, 3, 32, 32))['total'] should be {want:,} "
        f"(FlopCounterMode), got {report['total']:,} ({report['total'] / want:.3g}x)"
    )
    assert report["Linear"] == 2 * model.num_features * 26, (
        f"efficientnet_{variant}'s only Linear is its classifier ({model.num_features} -> 26): "
        f"{2 * model.num_features * 26:,} FLOPs, got {report['Linear']:,}"
    )


@pytest.mark.clause("two-flops-per-mac", "total-oracle")
def test_b0_at_224_matches_the_paper(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = timm.create_model("efficientnet_b0", pretrained=False)
    gflops = impl.count_flops(model, (1, 3, 224, 224))["total"] / 1e9
    assert 0.76 < gflops < 0.79, (
        f"EfficientNet-B0 (1000 classes) at 224x224 costs 0.39 G multiply-adds (the paper's "
        f"'0.39B FLOPS'), i.e. about 0.77 GFLOPs at 2 FLOPs per MAC; you counted {gflops:.3f}"
    )


@pytest.mark.clause("batch-scaling")
def test_count_flops_scales_with_batch_and_resolution(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = _SmallCNN()
    one = impl.count_flops(model, (1, 3, 32, 32))["Conv2d"]
    four = impl.count_flops(model, (4, 3, 32, 32))["Conv2d"]
    double = impl.count_flops(model, (1, 3, 64, 64))["Conv2d"]
    assert four == 4 * one, (
        f"a batch of 4 must cost 4x a batch of 1: {one:,} -> {four:,} conv FLOPs. Use N from the "
        "output shape."
    )
    assert double == 4 * one, (
        f"doubling the resolution of a small fully convolutional net quadruples its conv FLOPs "
        f"(32 -> 64 px): {one:,} -> {double:,}. Use H_out and W_out of each output."
    )


@pytest.mark.clause("eval-no-grad", "cleanup")
def test_count_flops_leaves_the_model_as_it_was(impl: ModuleType) -> None:
    torch.manual_seed(0)
    model = _SmallCNN().train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    impl.count_flops(model, (2, 3, 32, 32))
    assert model.training, "count_flops must put the model back in training mode if it was"
    hooks = [name for name, m in model.named_modules() if m._forward_hooks]
    assert not hooks, f"count_flops left forward hooks on: {hooks}; call handle.remove()"
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
    assert not changed, (
        f"count_flops changed {changed}: run the model in eval mode (BatchNorm statistics stay)"
    )
    model.eval()
    impl.count_flops(model, (1, 3, 32, 32))
    assert not model.training, "count_flops must leave a model in eval mode in eval mode"


@pytest.mark.clause("cleanup")
def test_count_flops_removes_hooks_after_an_error(impl: ModuleType) -> None:
    model = _SmallCNN()
    impl.count_flops(model, (1, 3, 32, 32))
    with pytest.raises(RuntimeError):
        impl.count_flops(model, (1, 5, 32, 32))  # 5 channels: the stem expects 3
    hooks = [name for name, m in model.named_modules() if m._forward_hooks]
    assert not hooks, (
        f"after a failing forward count_flops left hooks on {hooks}: remove them in `finally`"
    )


# -- judged against the reference --------------------------------------------------------------
class _FrozenHead(nn.Module):
    """A frozen conv + BN backbone (buffers too) and a trainable head; nothing is shared."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
        self.head = nn.Linear(4, 3)
        self.backbone.requires_grad_(False)


PARAM_MODELS: dict[str, Callable[[], nn.Module]] = {
    "no_parameters": lambda: nn.Sequential(nn.ReLU(), nn.MaxPool2d(2)),
    "batchnorm_only": lambda: nn.BatchNorm1d(5),
    "tied": _Tied,
    "frozen_backbone": _FrozenHead,
    "all_frozen": lambda: nn.Linear(3, 2).requires_grad_(False),
    "tied_and_frozen": lambda: _Tied().requires_grad_(False),
}


@pytest.mark.clause("params-int", "shared-once", "no-buffers", "trainable-only")
@given(name=st.sampled_from(sorted(PARAM_MODELS)), trainable_only=st.booleans())
def test_count_params_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, trainable_only: bool
) -> None:
    model = PARAM_MODELS[name]()
    diff.assert_same(
        impl.count_params, reference.count_params, model, trainable_only=trainable_only
    )


@st.composite
def _convs(draw: st.DrawFn) -> tuple[nn.Conv2d, tuple[int, int, int, int]]:
    """A small Conv2d (groups, non-square kernel, stride, padding, dilation, bias) and an input
    shape (non-square, batch 1-3) that it accepts."""
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 3))
    if draw(st.booleans()):  # depthwise
        c_in = c_out = groups = draw(st.integers(1, 4))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    reach = [d * (kk - 1) + 1 - 2 * p for d, kk, p in zip(dilation, k, padding, strict=True)]
    h = draw(st.integers(max(1, reach[0]), max(1, reach[0]) + 6))
    w = draw(st.integers(max(1, reach[1]), max(1, reach[1]) + 6))
    conv = nn.Conv2d(
        c_in, c_out, k, stride=stride, padding=padding, dilation=dilation, groups=groups,
        bias=draw(st.booleans()),
    )  # fmt: skip
    return conv, (draw(st.integers(1, 3)), c_in, h, w)


@pytest.mark.clause(
    "conv-formula", "conv-output-size", "conv-groups", "conv-no-bias", "conv-kernel",
    "conv-int", "two-flops-per-mac",
)  # fmt: skip
@given(case=_convs())
def test_conv2d_flops_agrees_with_the_reference_and_flop_counter(
    impl: ModuleType, reference: ModuleType, case: tuple[nn.Conv2d, tuple[int, ...]]
) -> None:
    conv, x_shape = case
    x = torch.zeros(x_shape)
    shape = _output_shape(conv, x)
    want = diff.assert_same(impl.conv2d_flops, reference.conv2d_flops, conv, shape)
    assert want == _oracle(conv, x), "the reference disagrees with FlopCounterMode"


@pytest.mark.clause("conv-formula", "conv-kernel", "conv-int")
@given(
    n=st.integers(0, 3), c_out=st.integers(1, 6), h=st.integers(0, 5), w=st.integers(0, 7),
    k=st.tuples(st.integers(1, 5), st.integers(1, 5)), groups=st.sampled_from([1, 2, 3]),
)  # fmt: skip
@example(n=1, c_out=3, h=4, w=4, k=(1, 3), groups=1)
@example(n=2, c_out=6, h=3, w=5, k=(3, 1), groups=3)
def test_conv2d_flops_formula_on_any_output_shape(
    impl: ModuleType, reference: ModuleType, n: int, c_out: int, h: int, w: int,
    k: tuple[int, int], groups: int,
) -> None:  # fmt: skip
    conv = nn.Conv2d(2 * groups, groups * c_out, k, groups=groups)
    shape = (n, groups * c_out, h, w)
    diff.assert_same(impl.conv2d_flops, reference.conv2d_flops, conv, shape)


@pytest.mark.clause("linear-formula", "linear-no-bias", "linear-int", "two-flops-per-mac")
@given(
    lead=st.lists(st.integers(0, 4), min_size=0, max_size=3),
    in_features=st.integers(1, 7), out_features=st.integers(1, 7), bias=st.booleans(),
)  # fmt: skip
@example(lead=[], in_features=3, out_features=2, bias=True)
@example(lead=[0, 5], in_features=3, out_features=2, bias=True)
def test_linear_flops_agrees_with_the_reference_and_flop_counter(
    impl: ModuleType, reference: ModuleType, lead: list[int], in_features: int,
    out_features: int, bias: bool,
) -> None:  # fmt: skip
    linear = nn.Linear(in_features, out_features, bias=bias)
    x = torch.zeros(*lead, in_features)
    shape = _output_shape(linear, x)
    want = diff.assert_same(impl.linear_flops, reference.linear_flops, linear, shape)
    if lead and 0 not in lead:
        assert want == _oracle(linear, x), "the reference disagrees with FlopCounterMode"


class _MyConv(nn.Conv2d):
    """A subclass of Conv2d (as timm's Conv2dSame is): still a convolution to count."""


class _MyLinear(nn.Linear):
    """A subclass of Linear: still counted."""


class _Twice(nn.Module):
    """One conv applied twice and one linear applied three times (shared layers)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.fc = nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(self.conv(x)).mean((2, 3))
        return self.fc(self.fc(self.fc(x)))


class _Spy(nn.Module):
    """Records the mode, grad mode and input it is run with."""

    def __init__(self, dtype: torch.dtype | None = torch.float32) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3) if dtype is not None else None
        if self.conv is not None:
            self.conv.to(dtype)
        self.seen: list[tuple[bool, bool, torch.dtype, float]] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.seen.append((self.training, torch.is_grad_enabled(), x.dtype, float(x.abs().sum())))
        return self.conv(x) if self.conv is not None else x


FLOP_MODELS: dict[str, Callable[[], nn.Module]] = {
    "subclasses": lambda: nn.Sequential(
        _MyConv(3, 4, 3, stride=2), nn.Flatten(), _MyLinear(4 * 3 * 2, 5)
    ),
    "called_twice": _Twice,
    "only_linear": lambda: nn.Sequential(nn.Flatten(), nn.Linear(3 * 7 * 6, 4)),
    "only_conv": lambda: nn.Sequential(nn.Conv2d(3, 2, (3, 1)), nn.BatchNorm2d(2), nn.ReLU()),
    "no_layers": lambda: nn.Sequential(nn.BatchNorm2d(3), nn.MaxPool2d(2), nn.Flatten()),
    "no_parameters": lambda: nn.Sequential(nn.MaxPool2d(2), nn.Flatten()),
    "conv1d_is_not_counted": lambda: nn.Sequential(
        nn.Flatten(2), nn.Conv1d(3, 2, 3), nn.Flatten(), nn.Linear(2 * 40, 2)
    ),
    "float64": lambda: nn.Sequential(nn.Conv2d(3, 2, 3), nn.Flatten(), nn.Linear(40, 2)).double(),
    "small_cnn": _SmallCNN,
}


@pytest.mark.clause(
    "subclasses", "called-twice", "report-keys", "counted-types", "others-zero", "input-dtype",
    "batch-scaling",
)  # fmt: skip
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name", sorted(FLOP_MODELS))
def test_count_flops_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, train: bool
) -> None:
    torch.manual_seed(0)
    model = FLOP_MODELS[name]().train(train)
    size = (3, 3, 7, 6) if name != "small_cnn" else (2, 3, 12, 10)
    diff.assert_same(impl.count_flops, reference.count_flops, model, size)


@pytest.mark.clause("subclasses", "called-twice", "counted-types", "others-zero", "total-oracle")
def test_count_flops_counts_subclasses_and_every_call(impl: ModuleType) -> None:
    for name in ("subclasses", "called_twice", "only_linear", "only_conv", "no_layers"):
        model = FLOP_MODELS[name]()
        got = _check_report(impl.count_flops(model, (2, 3, 7, 6)), name)["total"]
        want = _oracle(model, torch.zeros(2, 3, 7, 6))
        assert got == want, (
            f"count_flops on {name} should be {want:,} (FlopCounterMode), got {got:,}: hook every "
            "instance of a LAYER_TYPES class (subclasses too, isinstance), and count every call"
        )


@pytest.mark.clause("eval-no-grad", "input-dtype")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, None], ids=str)
def test_count_flops_runs_one_no_grad_eval_forward_on_zeros(
    impl: ModuleType, dtype: torch.dtype | None
) -> None:
    spy = _Spy(dtype).train()
    impl.count_flops(spy, (1, 2, 5, 4))
    want_dtype = dtype or torch.float32
    assert spy.seen == [(False, False, want_dtype, 0.0)], (
        "count_flops must run the model exactly once, in eval mode, under torch.no_grad(), on "
        f"torch.zeros of the parameters' dtype ({want_dtype}; float32 without parameters): "
        f"the model saw (training, grad enabled, dtype, sum |x|) = {spy.seen}"
    )


@pytest.mark.clause("cleanup")
def test_count_flops_restores_training_mode_after_an_error(impl: ModuleType) -> None:
    model = _SmallCNN().train()
    impl.count_flops(model, (1, 3, 32, 32))
    with pytest.raises(RuntimeError):
        impl.count_flops(model, (1, 5, 32, 32))  # 5 channels: the stem expects 3
    assert model.training, (
        "after a failing forward count_flops left the model in eval mode: restore "
        "model.train(was_training) in `finally`"
    )
