"""Tests of week1.transfer_learning: find and replace the head, freeze a backbone, LR groups.

Models: timm's ``efficientnet_b0`` and ``resnet10t`` (random init, never pretrained) and a tiny
EfficientNet-shaped network with timm's attribute names but no ``get_classifier`` (like your
``week1.efficientnet``). The last test "pre-trains" it on the studio split for a few steps, then
fine-tunes it on five classes of the field split and checks what moved.
Run: ``pytest weeks/week1/tests/test_transfer_learning.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
import timm
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from grader import differential as diff
from rxvision.data import generate


# -- models ------------------------------------------------------------------------------------
class _Stage(nn.Module):
    """conv -> BN -> SiLU, then a tiny channel gate with an nn.Linear inside (not a classifier)."""

    def __init__(self, in_chs: int, out_chs: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_chs, out_chs, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(out_chs)
        self.gate = nn.Linear(out_chs, out_chs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.silu(self.bn(self.conv(x)))
        return x * torch.sigmoid(self.gate(x.mean((2, 3))))[:, :, None, None]


class _TinyEfficientNet(nn.Module):
    """timm's EfficientNet attribute names, four stages, no get_classifier/reset_classifier."""

    def __init__(self, num_classes: int = 26) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.conv_stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.blocks = nn.Sequential(_Stage(8, 12), _Stage(12, 16), _Stage(16, 16), _Stage(16, 24))
        self.conv_head = nn.Conv2d(24, 32, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.classifier = nn.Linear(32, num_classes)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(F.silu(self.bn1(self.conv_stem(x))))
        return F.silu(self.bn2(self.conv_head(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.forward_features(x).mean((2, 3)))


MODELS: dict[str, Callable[[], nn.Module]] = {
    "tiny_effnet": _TinyEfficientNet,
    "timm_efficientnet_b0": lambda: timm.create_model("efficientnet_b0", num_classes=26),
    "timm_resnet10t": lambda: timm.create_model("resnet10t", num_classes=26),
}
HEAD = {"tiny_effnet": "classifier", "timm_efficientnet_b0": "classifier", "timm_resnet10t": "fc"}
# model -> unfreeze_last -> name prefixes that must be trainable (the head always is)
TRAINABLE = {
    "tiny_effnet": {
        0: (),
        1: ("blocks.3.", "conv_head.", "bn2."),
        3: ("blocks.1.", "blocks.2.", "blocks.3.", "conv_head.", "bn2."),
    },
    "timm_efficientnet_b0": {
        0: (),
        2: ("blocks.5.", "blocks.6.", "conv_head.", "bn2."),
    },
    "timm_resnet10t": {0: (), 1: ("layer4.",), 2: ("layer3.", "layer4.")},
}
CASES = [
    pytest.param(name, n, id=f"{name}-unfreeze{n}")
    for name, table in TRAINABLE.items()
    for n in table
]


def _build(name: str, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return MODELS[name]()


def _trainable(model: nn.Module) -> set[str]:
    return {n for n, p in model.named_parameters() if p.requires_grad}


def _expected(model: nn.Module, name: str, unfreeze_last: int) -> set[str]:
    prefixes = (*TRAINABLE[name][unfreeze_last], HEAD[name] + ".")
    return {n for n, _ in model.named_parameters() if n.startswith(prefixes)}


def _describe(names: set[str]) -> str:
    shown = sorted(names)
    return ", ".join(shown[:6]) + (f" ... and {len(shown) - 6} more" if len(shown) > 6 else "")


def _bn_buffers(model: nn.Module) -> dict[str, torch.Tensor]:
    return {
        f"{name}.{b}": getattr(m, b).clone()
        for name, m in model.named_modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
        for b in ("running_mean", "running_var", "num_batches_tracked")
    }


# -- the classifier ----------------------------------------------------------------------------
@pytest.mark.clause("timm-head", "last-linear", "same-object")
@pytest.mark.parametrize("name", list(MODELS))
def test_get_classifier_finds_the_head(impl: ModuleType, name: str) -> None:
    diff.probe(lambda: impl.get_classifier(_TinyEfficientNet()))
    model = _build(name)
    got = impl.get_classifier(model)
    want = model.get_submodule(HEAD[name])
    assert got is want, (
        f"get_classifier({name}) should return the model's own `{HEAD[name]}` layer (the last "
        f"nn.Linear, or timm's get_classifier()), got {got!r}"
    )


@pytest.mark.clause("no-head")
def test_get_classifier_without_linear_raises(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.get_classifier(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()))


@pytest.mark.clause(
    "timm-reset",
    "replace-last",
    "head-trainable",
    "num-classes-attr",
    "output-shape",
    "rest-untouched",
    "returns-head",
)
@pytest.mark.parametrize("name", list(MODELS))
def test_replace_classifier_gives_a_fresh_head(impl: ModuleType, name: str) -> None:
    diff.probe(lambda: impl.replace_classifier(_TinyEfficientNet(), 5))
    model = _build(name)
    before = {k: v.clone() for k, v in model.state_dict().items() if not k.startswith(HEAD[name])}
    model.requires_grad_(False)
    head = impl.replace_classifier(model, 5)
    current = model.get_submodule(HEAD[name])
    assert head is current, (
        f"replace_classifier must install the new head as `{HEAD[name]}` and return it; the "
        f"model's `{HEAD[name]}` is {current!r}, the function returned {head!r}"
    )
    assert isinstance(head, nn.Linear) and head.out_features == 5, (
        f"the new head should be nn.Linear(in_features, 5), got {head!r}"
    )
    assert all(p.requires_grad for p in head.parameters()), "the new head must be trainable"
    assert getattr(model, "num_classes", 5) == 5, "set model.num_classes to the new class count"
    model.eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 32, 32))
    assert tuple(out.shape) == (2, 5), (
        f"after replace_classifier(model, 5) the logits should be (2, 5), got {tuple(out.shape)}"
    )
    after = {k: v for k, v in model.state_dict().items() if not k.startswith(HEAD[name])}
    changed = [k for k in before if k not in after or not torch.equal(before[k], after[k])]
    assert not changed, f"replace_classifier must not touch the backbone; changed: {changed[:5]}"


@pytest.mark.clause("num-classes-range")
def test_replace_classifier_rejects_zero_classes(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.replace_classifier(_build("tiny_effnet"), 0)


# -- freezing ----------------------------------------------------------------------------------
@pytest.mark.clause(
    "freeze-all", "unfreeze-stages", "unfreeze-neck", "linear-probe", "head-trains", "returns-model"
)
@pytest.mark.parametrize(("name", "unfreeze_last"), CASES)
def test_freeze_backbone_trains_only_the_head_and_last_stages(
    impl: ModuleType, name: str, unfreeze_last: int
) -> None:
    diff.probe(lambda: impl.freeze_backbone(_TinyEfficientNet(), unfreeze_last))
    model = _build(name)
    returned = impl.freeze_backbone(model, unfreeze_last)
    assert returned is model, "freeze_backbone must return the model it changed in place"
    got, want = _trainable(model), _expected(model, name, unfreeze_last)
    assert got == want, (
        f"freeze_backbone({name}, unfreeze_last={unfreeze_last}): should be trainable but are "
        f"frozen: [{_describe(want - got)}]; should be frozen but are trainable: "
        f"[{_describe(got - want)}]. Trainable = the classifier, the last {unfreeze_last} "
        "stage(s) and (if >= 1) the layers after the last stage."
    )


@pytest.mark.clause("freeze-all", "unfreeze-stages", "unfreeze-neck")
def test_gradients_flow_only_where_expected(impl: ModuleType) -> None:
    diff.probe(lambda: impl.freeze_backbone(_TinyEfficientNet(), 1))
    model = _build("timm_efficientnet_b0")
    impl.freeze_backbone(model, 1)
    model.train()
    x, y = torch.randn(2, 3, 32, 32), torch.tensor([0, 3])
    F.cross_entropy(model(x), y).backward()
    with_grad = {n for n, p in model.named_parameters() if p.grad is not None}
    prefixes = ("blocks.6.", "conv_head.", "bn2.", "classifier.")
    want = {n for n, _ in model.named_parameters() if n.startswith(prefixes)}
    assert with_grad == want, (
        f"after freeze_backbone(b0, 1) and a backward pass, parameters with a gradient should be "
        f"blocks.6, conv_head, bn2 and the classifier; missing: [{_describe(want - with_grad)}], "
        f"unexpected: [{_describe(with_grad - want)}]"
    )


@pytest.mark.clause("frozen-bn", "trainable-bn")
@pytest.mark.parametrize("name", ["tiny_effnet", "timm_efficientnet_b0"])
def test_frozen_batchnorm_keeps_its_statistics_in_train_mode(impl: ModuleType, name: str) -> None:
    diff.probe(lambda: impl.freeze_backbone(_TinyEfficientNet(), 1))
    model = _build(name)
    impl.freeze_backbone(model, 1)
    model.train()  # what every training loop does first
    before = _bn_buffers(model)
    torch.manual_seed(1)
    with torch.no_grad():
        model(torch.randn(4, 3, 32, 32) * 3 + 1)
    after = _bn_buffers(model)
    trainable = {n.rsplit(".", 1)[0] for n in _trainable(model)}
    moved = {k for k in before if not torch.equal(before[k], after[k])}
    frozen_moved = sorted(k for k in moved if k.rsplit(".", 1)[0] not in trainable)
    assert not frozen_moved, (
        f"after freeze_backbone({name}, 1) and model.train(), a forward pass changed the running "
        f"statistics of FROZEN BatchNorm layers: {frozen_moved[:4]}. Frozen BN layers must stay "
        "in eval mode even after model.train() (a forward pre-hook, or override train())."
    )
    trained_bn = {k for k in before if k.rsplit(".", 1)[0] in trainable}
    assert trained_bn and trained_bn <= moved, (
        "BatchNorm layers of the UNFROZEN last stage must still update their running statistics "
        f"in training mode; these did not: {sorted(trained_bn - moved)[:4]}"
    )


@pytest.mark.clause("frozen-bn")
def test_frozen_backbone_uses_running_statistics(impl: ModuleType) -> None:
    diff.probe(lambda: impl.freeze_backbone(_TinyEfficientNet(), 0))
    model = _build("timm_efficientnet_b0")
    impl.freeze_backbone(model, 0)
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        evaluated = model.eval().forward_features(x)
        trained = model.train().forward_features(x)
    err = float((trained - evaluated).abs().max())
    assert err == 0.0, (
        "with every BatchNorm frozen, the backbone's output in model.train() must equal its "
        f"output in model.eval() (BN uses running statistics); they differ by {err:.3g}"
    )


@pytest.mark.clause("refreeze")
def test_freezing_again_starts_from_scratch(impl: ModuleType) -> None:
    model = _build("tiny_effnet")
    impl.freeze_backbone(model, 3)
    impl.freeze_backbone(model, 0)
    got, want = _trainable(model), _expected(model, "tiny_effnet", 0)
    assert got == want, (
        "freeze_backbone(model, 3) then freeze_backbone(model, 0) should leave only the "
        f"classifier trainable; also trainable: [{_describe(got - want)}]"
    )
    model.train()
    before = _bn_buffers(model)
    with torch.no_grad():
        model(torch.randn(4, 3, 32, 32))
    moved = sorted(k for k, v in _bn_buffers(model).items() if not torch.equal(v, before[k]))
    assert not moved, f"re-frozen BatchNorm layers still update their statistics: {moved[:4]}"
    impl.freeze_backbone(model, 1)
    model.train()
    before = _bn_buffers(model)
    with torch.no_grad():
        model(torch.randn(4, 3, 32, 32))
    moved = sorted(k for k, v in _bn_buffers(model).items() if not torch.equal(v, before[k]))
    assert "bn2.running_mean" in moved, (
        "after freeze_backbone(model, 1) bn2 (after the last stage) is trainable again and must "
        "update its statistics in training mode"
    )


@pytest.mark.clause("unfreeze-range")
@pytest.mark.parametrize("unfreeze_last", [-1, 5])
def test_freeze_backbone_rejects_bad_counts(impl: ModuleType, unfreeze_last: int) -> None:
    with pytest.raises(ValueError):
        impl.freeze_backbone(_build("tiny_effnet"), unfreeze_last)


# -- optimizer groups --------------------------------------------------------------------------
@pytest.mark.clause("groups", "head-group", "backbone-group", "no-frozen")
def test_param_groups_split_head_and_backbone(impl: ModuleType) -> None:
    diff.probe(lambda: impl.freeze_backbone(_TinyEfficientNet(), 1))
    model = _build("timm_resnet10t")
    impl.freeze_backbone(model, 1)
    groups = impl.param_groups(model, 1e-3, backbone_lr_scale=0.2)
    names = [g.get("name") for g in groups]
    assert names == ["head", "backbone"], f"want groups named ['head', 'backbone'], got {names}"
    head, backbone = groups
    ids = {id(p): n for n, p in model.named_parameters()}
    head_names = {ids.get(id(p), "?") for p in head["params"]}
    backbone_names = [ids.get(id(p), "?") for p in backbone["params"]]
    assert head_names == {"fc.weight", "fc.bias"}, (
        f"the head group should hold fc.weight and fc.bias, got {sorted(head_names)}"
    )
    want = _expected(model, "timm_resnet10t", 1) - head_names
    assert set(backbone_names) == want and len(backbone_names) == len(want), (
        f"the backbone group should hold each trainable non-head parameter once (layer4 here); "
        f"missing: [{_describe(want - set(backbone_names))}], wrong: "
        f"[{_describe(set(backbone_names) - want)}], {len(backbone_names)} entries for "
        f"{len(want)} parameters"
    )
    assert head["lr"] == pytest.approx(1e-3) and backbone["lr"] == pytest.approx(2e-4), (
        f"lrs should be head 1e-3 and backbone 1e-3 * 0.2 = 2e-4, got {head['lr']} and "
        f"{backbone['lr']}"
    )


@pytest.mark.clause("empty-group")
def test_param_groups_leave_out_an_empty_backbone(impl: ModuleType) -> None:
    model = _build("tiny_effnet")
    impl.freeze_backbone(model, 0)
    groups = impl.param_groups(model, 0.01)
    assert [g.get("name") for g in groups] == ["head"], (
        "with a fully frozen backbone param_groups should return only the head group (frozen "
        f"parameters belong in no group), got {[(g.get('name'), len(g['params'])) for g in groups]}"
    )
    assert groups[0]["lr"] == pytest.approx(0.01), (
        f"the head group should use the lr passed to param_groups (0.01), got {groups[0]['lr']!r}"
    )
    default = impl.param_groups(impl.freeze_backbone(model, 2), 0.01)
    assert default[1]["lr"] == pytest.approx(0.001), (
        f"the default backbone_lr_scale is 0.1: want lr 0.001, got {default[1]['lr']}"
    )


@pytest.mark.clause("rates-range")
@pytest.mark.parametrize(("lr", "scale"), [(0.0, 0.1), (1e-3, 1.5), (1e-3, -0.1)])
def test_param_groups_reject_bad_rates(impl: ModuleType, lr: float, scale: float) -> None:
    with pytest.raises(ValueError):
        impl.param_groups(_build("tiny_effnet"), lr, backbone_lr_scale=scale)


# -- the recipe end to end ---------------------------------------------------------------------
def _batch(split: str, per_class: int, classes: int | None = None) -> tuple[torch.Tensor, ...]:
    images, labels = generate(split, samples_per_class=per_class, size=32, seed=0, subset="train")
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255).sub(0.5).div(0.25)
    y = torch.from_numpy(labels)
    if classes is not None:
        keep = y < classes
        x, y = x[keep], y[keep]
    return x, y


@pytest.mark.clause("frozen-bn", "no-frozen")
def test_fine_tuning_updates_only_what_it_should(impl: ModuleType) -> None:
    diff.probe(lambda: impl.replace_classifier(_TinyEfficientNet(), 5))
    model = _build("tiny_effnet")
    x, y = _batch("studio", 2)
    pretrain = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for _ in range(3):  # "pre-training": a few steps on all 26 studio classes
        pretrain.zero_grad()
        F.cross_entropy(model(x), y).backward()
        pretrain.step()

    impl.replace_classifier(model, 5)
    impl.freeze_backbone(model, 1)
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    trainable = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    stats = _bn_buffers(model)
    optimizer = torch.optim.AdamW(impl.param_groups(model, 1e-2, 0.1), weight_decay=0.01)
    fx, fy = _batch("field", 4, classes=5)
    model.train()
    losses = []
    for _ in range(6):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(fx), fy)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))

    want = _expected(model, "tiny_effnet", 1)
    assert set(trainable) == want, (
        f"after replace_classifier and freeze_backbone(model, 1) the trainable parameters should "
        f"be [{_describe(want)}], got [{_describe(set(trainable))}]"
    )
    moved = [n for n, v in frozen.items() if not torch.equal(v, model.get_parameter(n))]
    assert not moved, (
        f"fine-tuning with AdamW(param_groups(...), weight_decay=0.01) changed FROZEN weights: "
        f"{moved[:4]}. Leave frozen parameters out of every group (weight decay moves them too)."
    )
    still = [n for n, v in trainable.items() if torch.equal(v, model.get_parameter(n))]
    assert not still, f"these trainable parameters never changed during fine-tuning: {still[:4]}"
    frozen_bn = {k for k in stats if not k.startswith(("blocks.3.", "bn2."))}
    drifted = sorted(k for k in frozen_bn if not torch.equal(stats[k], _bn_buffers(model)[k]))
    assert not drifted, f"fine-tuning moved the running statistics of frozen BN: {drifted[:4]}"
    assert losses[-1] < losses[0], (
        f"fine-tuning the new head on a fixed batch should lower the loss, got {losses}"
    )


# -- differential tests against the reference (tiny models only: fast) ---------------------------
class _TinyResNet(nn.Module):
    """ResNet attribute names (layer1..layer4, fc), a pooling child between the stages and fc."""

    def __init__(self, num_classes: int = 26) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1, self.layer2 = _Stage(8, 8), _Stage(8, 12)
        self.layer3, self.layer4 = _Stage(12, 12), _Stage(12, 16)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.global_pool(x).flatten(1))


class _WithTimmMethods(_TinyEfficientNet):
    """timm-style methods whose head is NOT the last nn.Linear registered (an auxiliary one is)."""

    def __init__(self, num_classes: int = 26) -> None:
        super().__init__(num_classes)
        self.aux = nn.Linear(4, 2)  # registered last, never the classifier

    def get_classifier(self) -> nn.Module:
        return self.classifier

    def reset_classifier(self, num_classes: int) -> None:
        self.classifier = nn.Linear(32, num_classes)


TINY: dict[str, Callable[[], nn.Module]] = {
    "tiny_effnet": _TinyEfficientNet,
    "tiny_resnet": _TinyResNet,
    "timm_methods": _WithTimmMethods,
    "no_linear": lambda: nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()),
}


def _tiny(name: str) -> nn.Module:
    torch.manual_seed(0)
    return TINY[name]()


def _where(model: nn.Module, module: object) -> str | None:
    """The dotted name of ``module`` inside ``model`` (by identity), or None."""
    return next((n for n, m in model.named_modules() if m is module), None)


def _get_summary(module: ModuleType, name: str) -> str | None:
    model = _tiny(name)
    return _where(model, module.get_classifier(model))


@pytest.mark.clause("timm-head", "last-linear", "same-object", "no-head")
@pytest.mark.parametrize("name", list(TINY))
def test_get_classifier_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str
) -> None:
    diff.assert_same(lambda: _get_summary(impl, name), lambda: _get_summary(reference, name))


def _replace_summary(module: ModuleType, name: str, num_classes: int, frozen: bool) -> object:
    model = _tiny(name)
    if frozen:
        model.requires_grad_(False)
    before = {id(m): n for n, m in model.named_modules()}
    state = {k: v.clone() for k, v in model.state_dict().items()}
    head = module.replace_classifier(model, num_classes)
    where = _where(model, head)
    model.eval()
    with torch.no_grad():
        shape = tuple(model(torch.randn(2, 3, 16, 16)).shape)
    kept = {k: torch.equal(v, state[k]) for k, v in model.state_dict().items() if k in state}
    return {
        "where the returned head sits": where,
        "head out_features": getattr(head, "out_features", None),
        "head trainable": [p.requires_grad for p in head.parameters()],
        "model.num_classes": getattr(model, "num_classes", None),
        "output shape": shape,
        "modules kept (same objects)": sorted(
            n for n, m in model.named_modules() if id(m) in before
        ),
        "weights kept (not the head's)": {
            k: v for k, v in kept.items() if not k.startswith(where or "?")
        },
    }


@pytest.mark.clause(
    "timm-reset", "replace-last", "head-trainable", "num-classes-attr", "output-shape",
    "rest-untouched", "returns-head", "num-classes-range",
)  # fmt: skip
@given(
    name=st.sampled_from(list(TINY)),
    num_classes=st.sampled_from([-1, 0, 1, 5, 26]),
    frozen=st.booleans(),
)
@example(name="timm_methods", num_classes=5, frozen=True)
@example(name="tiny_resnet", num_classes=1, frozen=True)
def test_replace_classifier_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str, num_classes: int, frozen: bool
) -> None:
    diff.assert_same(
        lambda: _replace_summary(impl, name, num_classes, frozen),
        lambda: _replace_summary(reference, name, num_classes, frozen),
    )


def _freeze_summary(
    module: ModuleType, name: str, calls: list[int], lr: float, scale: float
) -> object:
    model = _tiny(name)
    returned = [module.freeze_backbone(model, u) is model for u in calls]
    trainable = sorted(_trainable(model))
    model.train()  # what every training loop does first
    before = _bn_buffers(model)
    with torch.no_grad():
        model(torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(0)) * 3 + 1)
    moved = sorted(k for k, v in _bn_buffers(model).items() if not torch.equal(v, before[k]))
    names = {id(p): n for n, p in model.named_parameters()}
    groups = [
        (
            g.get("name"),
            sorted(names.get(id(p), "?") for p in g["params"]),
            len(g["params"]),
            g["lr"],
        )
        for g in module.param_groups(model, lr, backbone_lr_scale=scale)
    ]
    return {
        "returned the model": returned,
        "trainable parameters": trainable,
        "BatchNorm buffers updated by a train-mode forward": moved,
        "param_groups (name, parameters, count, lr)": groups,
    }


@pytest.mark.clause(
    "freeze-all", "unfreeze-stages", "unfreeze-neck", "linear-probe", "head-trains",
    "frozen-bn", "trainable-bn", "refreeze", "returns-model", "unfreeze-range",
    "groups", "head-group", "backbone-group", "no-frozen", "empty-group", "rates-range",
)  # fmt: skip
@given(
    name=st.sampled_from(["tiny_effnet", "tiny_resnet", "timm_methods"]),
    calls=st.lists(st.integers(-1, 5), min_size=1, max_size=3),
    lr=st.sampled_from([-1e-3, 0.0, 1e-3, 0.5]),
    scale=st.sampled_from([-0.1, 0.0, 0.1, 0.3, 1.0, 1.5]),
)
@example(name="tiny_effnet", calls=[3, 0], lr=1e-3, scale=0.3)  # re-freezing from scratch
@example(name="tiny_effnet", calls=[0, 2], lr=0.5, scale=1.0)
@example(name="tiny_resnet", calls=[4], lr=1e-3, scale=0.0)  # everything trainable
def test_freeze_and_param_groups_agree_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    name: str,
    calls: list[int],
    lr: float,
    scale: float,
) -> None:
    diff.assert_same(
        lambda: _freeze_summary(impl, name, calls, lr, scale),
        lambda: _freeze_summary(reference, name, calls, lr, scale),
        rtol=1e-12,
    )
