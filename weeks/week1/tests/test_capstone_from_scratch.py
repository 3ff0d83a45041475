"""Tests of week1.capstone_from_scratch: your EfficientNet and ViT, timm weights, your loop.

Your wiring module builds both architectures from YOUR week-1 modules; timm's models (random
init, ``pretrained=False``) are the oracle: their state dicts must load into yours with
``strict=True`` and give the same outputs. A small ViT is then trained for a few epochs through
YOUR ``training_loop.fit`` on 32-px studio pills. Run:
``pytest weeks/week1/tests/test_capstone_from_scratch.py``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import timm
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

from grader import differential as diff
from rxvision.data import CLASS_NAMES, generate

SIZE = 32
NUM_CLASSES = len(CLASS_NAMES)
SMALL_VIT = {"patch_size": 8, "depth": 2, "embed_dim": 64, "num_heads": 2}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
# measured with the reference (8 epochs): best validation accuracy 0.40, loss 3.12 -> 1.51;
# images paired with the wrong labels stay at 0.01-0.05.
MIN_ACCURACY = 0.2
MIN_LOSS_DROP = 0.5


@contextmanager
def _one_thread() -> Iterator[None]:
    """Train with one thread: small models run faster so on a busy 2-core machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _single_thread() -> Iterator[None]:
    """Every test here runs small models: one thread each, so they share the machine well."""
    with _one_thread():
        yield


def _normalise(images: np.ndarray) -> torch.Tensor:
    x = torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2))).float() / 255.0
    return (x - MEAN) / STD


def _randomize_bn(model: nn.Module, seed: int) -> nn.Module:
    """Random BN statistics and affines, so that the EfficientNet parity is not trivial."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    return model.eval()


def _load_and_compare(ours: nn.Module, theirs: nn.Module, what: str) -> None:
    try:
        ours.load_state_dict(theirs.state_dict(), strict=True)
    except RuntimeError as exc:
        pytest.fail(
            f"{what}: timm's state dict does not load into your model with strict=True. Check "
            f"that build_model passes num_classes, img_size and every keyword argument on.\n{exc}",
            pytrace=False,
        )
    x = torch.randn(3, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        got, expected = ours.eval()(x), theirs.eval()(x)
    assert got.shape == expected.shape, (
        f"{what}: output {tuple(got.shape)}, timm's {expected.shape}"
    )
    diff = (got - expected).abs().max().item()
    assert diff <= 1e-5, f"{what}: outputs differ from timm's by {diff:.3g} (tolerance 1e-5)"


# -- 1. build_model -------------------------------------------------------------------------
@pytest.mark.clause("your-pieces")
@pytest.mark.parametrize(
    ("arch", "piece", "cls"),
    [
        ("vit_tiny_patch16_224", "week1.vit", "VisionTransformer"),
        ("efficientnet_b0", "week1.efficientnet", "EfficientNet"),
    ],
)
def test_build_model_uses_your_module(
    impl: ModuleType, exercise: Any, arch: str, piece: str, cls: str
) -> None:
    kwargs = SMALL_VIT if arch.startswith("vit") else {}
    model = impl.build_model(arch, NUM_CLASSES, SIZE, **kwargs)
    yours = exercise(piece)
    assert isinstance(model, getattr(yours, cls)), (
        f"build_model({arch!r}, ...) should build YOUR {cls} from {piece} ({yours.__name__}), "
        f"got {type(model).__module__}.{type(model).__name__}"
    )


# names that are not in ARCHS, though they look like one of them
NOT_ARCHS = [
    "resnet50",
    "efficientnet_b1",
    "vit_small_patch16_224",
    "EfficientNet_B0",
    "vit_tiny_patch16_224 ",
    "vit",
    "",
]


@pytest.mark.clause("unknown-arch")
@pytest.mark.parametrize("arch", NOT_ARCHS)
def test_build_model_rejects_unknown_archs(impl: ModuleType, arch: str) -> None:
    with pytest.raises(ValueError) as caught:
        impl.build_model(arch, NUM_CLASSES, SIZE)
    message = str(caught.value)
    missing = [name for name in ("efficientnet_b0", "vit_tiny_patch16_224") if name not in message]
    assert not missing, (
        f"the ValueError for arch={arch!r} should name the accepted archs (ARCHS), so that the "
        f"caller can fix the call; your message {message!r} does not mention {missing}"
    )


@pytest.mark.clause("efficientnet-size")
@pytest.mark.parametrize("img_size", [40, 48, 16, 33, 240])
def test_build_model_rejects_efficientnet_sizes(impl: ModuleType, img_size: int) -> None:
    with pytest.raises(ValueError):
        impl.build_model("efficientnet_b0", NUM_CLASSES, img_size)
        pytest.fail(
            f"build_model('efficientnet_b0', 26, {img_size}) should raise ValueError: "
            f"{img_size} is not a multiple of 32 (the EfficientNet downsamples by 32)"
        )


# (arch, num_classes, img_size, overrides): every keyword must reach the constructor
BUILDS = {
    "efficientnet-64px-1-channel": (
        "efficientnet_b0",
        5,
        64,
        {"in_chans": 1, "drop_rate": 0.5, "drop_path_rate": 0.3},
    ),
    "vit-48px-1-channel": (
        "vit_tiny_patch16_224",
        3,
        48,
        {"depth": 1, "embed_dim": 32, "num_heads": 4, "in_chans": 1, "drop_rate": 0.25},
    ),
    "vit-40px-patch8": (
        "vit_tiny_patch16_224",
        7,
        40,
        {
            "patch_size": 8,
            "depth": 2,
            "embed_dim": 24,
            "num_heads": 3,
            "mlp_ratio": 2.0,
            "drop_path_rate": 0.5,
        },
    ),  # fmt: skip
}


@pytest.mark.clause("efficientnet", "efficientnet-size", "vit", "vit-kwargs")
@pytest.mark.parametrize("name", sorted(BUILDS))
def test_build_model_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, name: str
) -> None:
    arch, num_classes, img_size, kwargs = BUILDS[name]
    shown = f"build_model({arch!r}, {num_classes}, {img_size}, **{kwargs})"
    torch.manual_seed(0)
    want_model = reference.build_model(arch, num_classes, img_size, **kwargs)
    try:
        model = impl.build_model(arch, num_classes, img_size, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the learner's error is the finding
        pytest.fail(f"{shown} raised {exc!r}; the reference builds the model", pytrace=False)
    try:
        model.load_state_dict(want_model.state_dict(), strict=True)
    except RuntimeError as exc:
        pytest.fail(
            f"{shown}: the reference model's state dict does not load into yours with "
            "strict=True: pass num_classes, img_size and EVERY keyword argument on to the "
            f"constructor.\n{exc}",
            pytrace=False,
        )
    in_chans = kwargs.get("in_chans", 3)
    x = torch.randn(2, in_chans, img_size, img_size, generator=torch.Generator().manual_seed(0))

    def outputs(net: nn.Module) -> dict[str, np.ndarray]:
        with torch.no_grad():
            evaluated = net.eval()(x).numpy()
            torch.manual_seed(123)  # the same dropout and drop-path masks for both
            trained = net.train()(x).numpy()
        return {"eval": evaluated, "train": trained}

    # float32 convolutions and batch statistics: ~1e-5 relative between correct answers
    problem = diff.same(outputs(model), outputs(want_model), rtol=1e-3, atol=1e-4, path="output")
    assert problem is None, (
        f"{shown} with the reference's weights: {problem}. In eval mode a difference means an "
        "argument that did not reach the constructor; in train mode, a dropout or drop-path "
        "rate (drop_rate, drop_path_rate) that was lost."
    )


@pytest.mark.clause("timm-parity", "vit", "vit-kwargs")
def test_vit_matches_timm(impl: ModuleType) -> None:
    torch.manual_seed(0)
    theirs = timm.create_model(
        "vit_tiny_patch16_224",
        pretrained=False,
        num_classes=NUM_CLASSES,
        img_size=SIZE,
        **SMALL_VIT,
    )
    ours = impl.build_model("vit_tiny_patch16_224", NUM_CLASSES, SIZE, **SMALL_VIT)
    _load_and_compare(ours, theirs, f"build_model('vit_tiny_patch16_224', 26, 32, **{SMALL_VIT})")


@pytest.mark.clause("timm-parity", "efficientnet")
def test_efficientnet_matches_timm(impl: ModuleType) -> None:
    torch.manual_seed(0)
    theirs = _randomize_bn(
        timm.create_model("efficientnet_b0", pretrained=False, num_classes=NUM_CLASSES), seed=1
    )
    ours = impl.build_model("efficientnet_b0", NUM_CLASSES, SIZE)
    _load_and_compare(ours, theirs, "build_model('efficientnet_b0', 26, 32)")


# -- 2. make_loader ---------------------------------------------------------------------------
@pytest.mark.clause("normalise", "shuffle", "keep-order", "batches")
@pytest.mark.parametrize("shuffle", [False, True])
def test_make_loader_normalises_and_keeps_labels(impl: ModuleType, shuffle: bool) -> None:
    images, labels = generate(split="studio", samples_per_class=2, size=SIZE, seed=3)
    batches = impl.make_loader(images, labels, 16, shuffle=shuffle, seed=0)
    sizes = [len(y) for _, y in batches]
    expected_sizes = [16] * (len(labels) // 16) + [len(labels) % 16]
    assert sizes == expected_sizes, (
        f"make_loader(52 images, batch_size=16) should give batches {expected_sizes}, got {sizes}"
    )
    x = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    assert x.dtype == torch.float32 and y.dtype == torch.int64, (
        f"inputs should be float32 and targets int64, got {x.dtype} and {y.dtype}"
    )
    reference = _normalise(images)
    # match every batch image with the reference image it equals
    distances = torch.cdist(
        x.flatten(1), reference.flatten(1), compute_mode="donot_use_mm_for_euclid_dist"
    )
    nearest = distances.argmin(dim=1)
    gap = distances.min(dim=1).values.max().item()
    assert gap <= 1e-3, (
        "every input should be a photo scaled to [0, 1] and normalised with MEAN and STD; "
        f"the closest reference image is {gap:.3g} away"
    )
    assert sorted(nearest.tolist()) == list(range(len(labels))), (
        "every photo should appear exactly once in the batches"
    )
    wrong = int((y != torch.from_numpy(labels)[nearest]).sum())
    assert wrong == 0, (
        f"{wrong} of {len(labels)} images carry another image's label: permute images and "
        "labels with the SAME permutation"
    )
    in_order = nearest.tolist() == list(range(len(labels)))
    assert in_order != shuffle, (
        "with shuffle=True the order should be a random permutation; with shuffle=False the "
        f"original order (shuffle={shuffle}, order kept: {in_order})"
    )


def _as_arrays(batches: Any) -> str | list[tuple[np.ndarray, np.ndarray]]:
    """The batches as numpy pairs, or a sentence saying why they are not batches."""
    if not isinstance(batches, list):
        return f"make_loader should return a list of batches, got {type(batches).__name__}"
    pairs = []
    for i, batch in enumerate(batches):
        if not (isinstance(batch, tuple) and len(batch) == 2):
            return f"batch {i} should be an (inputs, targets) tuple, got {diff.describe(batch)}"
        inputs, targets = batch
        if not (isinstance(inputs, torch.Tensor) and isinstance(targets, torch.Tensor)):
            return f"batch {i} should hold two tensors, got {diff.describe(batch)}"
        if inputs.dtype != torch.float32 or targets.dtype != torch.int64:
            return (
                f"batch {i}: inputs should be float32 and targets int64, got {inputs.dtype} and "
                f"{targets.dtype}"
            )
        pairs.append((inputs.numpy(), targets.numpy()))
    return pairs


def _same_batches(got: Any, want: Any) -> str | None:
    got_arrays = _as_arrays(got)
    if isinstance(got_arrays, str):
        return got_arrays
    # float32 normalisation: (x / 255 - m) / s and x / (255 s) - m / s differ by ~1e-6
    return diff.same(got_arrays, _as_arrays(want), rtol=1e-5, atol=1e-5, path="batches")


@st.composite
def _photos(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n, height, width = draw(st.integers(0, 7)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pixels = st.sampled_from([0, 255, 128]) | st.integers(0, 255)
    images = draw(hnp.arrays(np.uint8, (n, height, width, 3), elements=pixels))
    dtype = draw(st.sampled_from([np.int64, np.int32, np.uint8]))
    labels = draw(hnp.arrays(dtype, (n,), elements=st.integers(0, NUM_CLASSES - 1)))
    return images, labels


def _pills(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(n)
    images = rng.integers(0, 256, (n, 2, 3, 3), dtype=np.uint8)
    return images, np.arange(n) % NUM_CLASSES


@pytest.mark.clause("normalise", "shuffle", "keep-order", "batches")
@given(
    data=_photos(),
    batch_size=st.integers(1, 9),
    shuffle=st.booleans(),
    seed=st.sampled_from([0, 1, 2**32 - 1]) | st.integers(0, 2**63),
)
@example(data=_pills(0), batch_size=1, shuffle=True, seed=0)  # no samples: no batches
@example(data=_pills(1), batch_size=3, shuffle=True, seed=3)  # one sample
@example(data=_pills(7), batch_size=7, shuffle=True, seed=11)  # exactly one full batch
@example(data=_pills(7), batch_size=8, shuffle=False, seed=0)  # batch larger than the data
@example(data=_pills(7), batch_size=3, shuffle=True, seed=12345)  # a short last batch
def test_make_loader_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    data: tuple[np.ndarray, np.ndarray],
    batch_size: int,
    shuffle: bool,
    seed: int,
) -> None:
    images, labels = data
    diff.assert_same(
        impl.make_loader,
        reference.make_loader,
        images,
        labels,
        batch_size,
        shuffle=shuffle,
        seed=seed,
        compare=_same_batches,
    )


@pytest.mark.clause("batch-size", "lengths")
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize(
    ("n_images", "n_labels", "batch_size"),
    [(6, 6, 0), (6, 6, -1), (6, 6, -8), (6, 5, 2), (5, 6, 2), (0, 1, 4), (1, 0, 1)],
)
def test_make_loader_rejects_bad_arguments(
    impl: ModuleType, n_images: int, n_labels: int, batch_size: int, shuffle: bool
) -> None:
    images, _ = _pills(n_images)
    labels = np.arange(n_labels) % NUM_CLASSES
    what = (
        f"make_loader({n_images} images, {n_labels} labels, batch_size={batch_size}, "
        f"shuffle={shuffle})"
    )
    with pytest.raises(ValueError):
        impl.make_loader(images, labels, batch_size, shuffle=shuffle, seed=0)
        pytest.fail(
            f"{what} should raise ValueError: batch_size must be >= 1 and every image needs its "
            "label"
        )


# -- 3. training through your loop -----------------------------------------------------------
FIT_ARGS = ("model", "train_loader", "val_loader", "optimizer", "loss_fn", "epochs", "seed")


@pytest.mark.clause("your-pieces", "seed", "loaders", "adamw", "fit-call", "result")
def test_train_model_wires_make_loader_adamw_and_fit(
    impl: ModuleType, reference: ModuleType, exercise: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in for your fit records what train_model hands it (no training here)."""
    loop = exercise("week1.training_loop")
    signature = inspect.signature(loop.fit)
    calls: list[tuple[inspect.BoundArguments, torch.Tensor]] = []
    sentinel = object()

    def fake_fit(*args: Any, **kwargs: Any) -> Any:
        calls.append((signature.bind(*args, **kwargs), torch.get_rng_state()))
        return sentinel

    monkeypatch.setattr(loop, "fit", fake_fit)
    train, val = _pills(10), _pills(7)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(18, NUM_CLASSES))
    torch.randn(5)  # the global generator is anywhere but at a fresh seed
    result = impl.train_model(model, train, val, epochs=3, batch_size=4, lr=0.02, seed=5)
    assert len(calls) == 1, (
        f"train_model should call your week1.training_loop fit exactly once (as "
        f"training_loop.fit(...)), it was called {len(calls)} times"
    )
    assert result is sentinel, (
        f"train_model should return what fit returns (its FitResult), got {diff.describe(result)}"
    )
    bound, rng = calls[0]
    assert torch.equal(rng, torch.Generator().manual_seed(5).get_state()), (
        "when fit is called, torch's global generator should be freshly seeded with "
        "torch.manual_seed(seed) (seed=5 here): seed first, then build the batches and the "
        "optimiser (which draw nothing)"
    )
    bound.apply_defaults()
    got = bound.arguments
    assert got["model"] is model, "fit should train the model given to train_model"
    for key, shuffled, data in (("train_loader", True, train), ("val_loader", False, val)):
        want = reference.make_loader(*data, 4, shuffle=shuffled, seed=5) if shuffled else (
            reference.make_loader(*data, 4)
        )  # fmt: skip
        problem = _same_batches(got[key], want)
        assert problem is None, (
            f"fit's {key} should be make_loader(*{key[:-7]}_data, batch_size"
            f"{', shuffle=True, seed=seed' if shuffled else ''}) (batch_size=4, seed=5): "
            f"{problem}"
        )
    optimizer = got["optimizer"]
    assert isinstance(optimizer, torch.optim.AdamW), (
        f"the optimiser should be torch.optim.AdamW, got {type(optimizer).__name__}"
    )
    params = [p for group in optimizer.param_groups for p in group["params"]]
    assert [id(p) for p in params] == [id(p) for p in model.parameters()], (
        "the optimiser should hold model.parameters(), each once"
    )
    hyper = [(g["lr"], g["weight_decay"]) for g in optimizer.param_groups]
    assert all(h == (0.02, 0.05) for h in hyper), (
        f"AdamW should use lr=lr (0.02 here) and weight_decay=0.05, got (lr, weight_decay) {hyper}"
    )
    logits = torch.randn(6, NUM_CLASSES, generator=torch.Generator().manual_seed(1)) * 3
    targets = torch.tensor([0, 3, 25, 3, 7, 1])
    loss, want_loss = got["loss_fn"](logits, targets), F.cross_entropy(logits, targets)
    assert abs(float(loss) - float(want_loss)) <= 1e-6, (
        f"fit's loss_fn should be torch.nn.functional.cross_entropy (mean over the batch): on "
        f"test logits it gives {float(loss):.6f}, cross_entropy {float(want_loss):.6f}"
    )
    assert (got["epochs"], got["seed"]) == (3, 5), (
        f"fit should get epochs=epochs and seed=seed (3 and 5 here), got epochs={got['epochs']} "
        f"and seed={got['seed']}"
    )
    changed = {
        name: got[name]
        for name, param in signature.parameters.items()
        if name not in FIT_ARGS and got[name] is not param.default and got[name] != param.default
    }
    assert not changed, (
        f"train_model should leave fit's other arguments at their defaults, it passed {changed}"
    )


@pytest.mark.clause("your-pieces", "result", "learns")
def test_train_model_learns_through_your_fit(
    impl: ModuleType, exercise: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop = exercise("week1.training_loop")
    calls: list[dict[str, Any]] = []
    real_fit = loop.fit

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(loop, "fit", spy)
    torch.manual_seed(0)
    model = impl.build_model("vit_tiny_patch16_224", NUM_CLASSES, SIZE, **SMALL_VIT)
    # the pills after your build_model (generating them takes a while; it draws no global RNG)
    train = generate(split="studio", samples_per_class=8, size=SIZE, seed=0, subset="train")
    val = generate(split="studio", samples_per_class=3, size=SIZE, seed=1, subset="val")
    result = impl.train_model(model, train, val, epochs=8, batch_size=32, lr=3e-3, seed=0)
    assert len(calls) == 1, (
        f"train_model should call your week1.training_loop fit exactly once, it was called "
        f"{len(calls)} times (call it as training_loop.fit(...))"
    )
    assert isinstance(result, loop.FitResult), (
        f"train_model should return fit's FitResult, got {type(result).__name__}"
    )
    first, best = result.history[0].val_loss, result.best_val_loss
    assert best <= first - MIN_LOSS_DROP and best < math.log(NUM_CLASSES), (
        f"the validation loss should fall by at least {MIN_LOSS_DROP} in 8 epochs (the "
        f"reference goes from 3.12 to 1.51), got {first:.3f} -> best {best:.3f}"
    )
    with torch.no_grad():
        logits = model.eval()(_normalise(val[0]))
    kept = F.cross_entropy(logits, torch.from_numpy(val[1])).item()
    assert abs(kept - best) <= 1e-4, (
        f"after train_model the model should hold the best epoch's weights: its validation loss "
        f"is {kept:.5f}, FitResult.best_val_loss {best:.5f} (epoch {result.best_epoch})"
    )
    accuracy = (logits.argmax(1).numpy() == val[1]).mean()
    assert accuracy >= MIN_ACCURACY, (
        f"after train_model the ViT should classify at least {MIN_ACCURACY:.0%} of the "
        f"validation pills (chance is {1 / NUM_CLASSES:.1%}, the reference reaches 40%), got "
        f"{accuracy:.1%}. Check that images and labels stay paired and are normalised."
    )
