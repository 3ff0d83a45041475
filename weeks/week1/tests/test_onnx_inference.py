"""Tests of week1.onnx_inference: an ONNX Runtime predictor with TorchPredictor's behaviour.

Oracle: :class:`rxvision.serving.predictor.TorchPredictor` running the same small CNN in PyTorch,
on synthetic pill photos; the ONNX file is exported by ``torch.onnx.export`` in the fixture.
Run: ``pytest weeks/week1/tests/test_onnx_inference.py``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import onnxruntime as ort
import pytest
import torch
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image
from torch import Tensor, nn

from grader import differential as diff
from rxvision.data import CLASS_NAMES, generate
from rxvision.serving.predictor import TorchPredictor

SIZE = 32
MEAN = (0.5, 0.4, 0.3)
STD = (0.2, 0.25, 0.3)


class TinyNet(nn.Module):
    """A small CNN whose output depends on every channel (so a channel swap shows)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.fc = nn.Linear(32, len(CLASS_NAMES))
        with torch.no_grad():
            self.conv.weight.mul_(4.0)
            self.fc.weight.mul_(4.0)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc(self.pool(torch.relu(self.conv(x))).flatten(1))


@pytest.fixture(scope="module")
def model_and_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[nn.Module, Path]:
    model = TinyNet().eval()
    path = tmp_path_factory.mktemp("onnx_inference") / "tiny.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model,
            (torch.zeros(1, 3, SIZE, SIZE),),
            str(path),
            input_names=["pixels"],  # deliberately not "image": read the name from the session
            output_names=["logits"],
            dynamic_axes={"pixels": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return model, path


@pytest.fixture(scope="module")
def arrays() -> np.ndarray:
    """13 uint8 RGB pill photos of 48 px (resized to 32 px by the predictors)."""
    images, _ = generate(split="field", samples_per_class=1, size=48, seed=0)
    return images[:13]


@pytest.fixture(scope="module")
def oracle(model_and_file, arrays: np.ndarray) -> np.ndarray:
    model, _ = model_and_file
    torch_predictor = TorchPredictor(model, CLASS_NAMES, SIZE, mean=MEAN, std=STD)
    return torch_predictor.predict_proba([Image.fromarray(a) for a in arrays])


def _predictor(impl: ModuleType, path: Path, **kwargs):
    return impl.OnnxPredictor(path, CLASS_NAMES, SIZE, mean=MEAN, std=STD, **kwargs)


@pytest.mark.clause("resize", "scale", "normalise", "preprocess-output")
def test_preprocess_matches_the_torch_predictor(impl: ModuleType, model_and_file, arrays) -> None:
    model, path = model_and_file
    pil = [Image.fromarray(a) for a in arrays[:3]]
    want = TorchPredictor(model, CLASS_NAMES, SIZE, mean=MEAN, std=STD).preprocess(pil).numpy()
    got = _predictor(impl, path).preprocess(pil)
    assert got.shape == want.shape and got.dtype == np.float32, (
        f"preprocess of 3 images should be float32 {want.shape}, got {got.dtype} {got.shape}"
    )
    np.testing.assert_allclose(
        got,
        want,
        atol=1e-5,
        err_msg="preprocess differs from TorchPredictor.preprocess: keep RGB order, resize "
        "bilinear with Pillow, divide by 255, subtract mean and divide by std per channel",
    )


@pytest.mark.clause("proba", "input-name")
def test_probabilities_match_torch_for_pil_images(
    impl: ModuleType, model_and_file, arrays, oracle
) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba([Image.fromarray(a) for a in arrays])
    assert got.shape == oracle.shape, (
        f"predict_proba shape should be {oracle.shape}, got {got.shape}"
    )
    np.testing.assert_allclose(
        got,
        oracle,
        atol=1e-5,
        err_msg="ONNX probabilities differ from TorchPredictor's on the same PIL images (softmax "
        "over the class axis, same preprocessing)",
    )


@pytest.mark.clause("uint8-rgb")
def test_probabilities_match_torch_for_uint8_arrays(
    impl: ModuleType, model_and_file, arrays, oracle
) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba(list(arrays))
    np.testing.assert_allclose(
        got,
        oracle,
        atol=1e-5,
        err_msg="uint8 (H, W, 3) RGB arrays should give the same probabilities as the same "
        "images as PIL images: Image.fromarray(array), no channel swap",
    )


@pytest.mark.clause("proba")
def test_rows_sum_to_one(impl: ModuleType, model_and_file, arrays) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba(list(arrays[:5]))
    assert got.dtype == np.float64, f"return float64 probabilities, got {got.dtype}"
    np.testing.assert_allclose(
        got.sum(axis=1),
        np.ones(5),
        atol=1e-9,
        err_msg="each row (one image) should sum to 1: softmax over axis 1, not axis 0",
    )


@pytest.mark.clause("top-k-order")
def test_top_k_is_sorted_and_named(impl: ModuleType, model_and_file, arrays, oracle) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict(list(arrays), k=3)
    assert len(got) == len(arrays), f"predict should return one list per image, got {len(got)}"
    for i, (row, top) in enumerate(zip(oracle, got, strict=True)):
        want = [CLASS_NAMES[j] for j in np.argsort(-row, kind="stable")[:3]]
        labels = [label for label, _ in top]
        probs = [p for _, p in top]
        assert labels == want, (
            f"image {i}: top-3 should be {want} (most probable first), got {labels}"
        )
        assert probs == sorted(probs, reverse=True), (
            f"image {i}: top-k probabilities should decrease, got {probs}"
        )
        np.testing.assert_allclose(probs, np.sort(row)[::-1][:3], atol=1e-5)


@pytest.mark.clause("chunks")
def test_uneven_list_runs_in_chunks(impl: ModuleType, model_and_file, arrays, oracle) -> None:
    _, path = model_and_file
    predictor = _predictor(impl, path, max_batch=4)
    sizes: list[int] = []
    run = predictor.session.run

    def counting_run(output_names, feeds, *args, **kwargs):
        sizes.append(next(iter(feeds.values())).shape[0])
        return run(output_names, feeds, *args, **kwargs)

    predictor.session.run = counting_run
    got = predictor.predict_proba(list(arrays[:10]))
    assert sizes == [4, 4, 2], (
        f"10 images with max_batch=4 should run as batches [4, 4, 2], they ran as {sizes}"
    )
    np.testing.assert_allclose(got, oracle[:10], atol=1e-5, err_msg="chunked results differ")


@pytest.mark.clause("session-once")
def test_session_is_created_once(
    impl: ModuleType, model_and_file, arrays, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = model_and_file
    predictor = _predictor(impl, path)
    created: list[object] = []
    original = ort.InferenceSession.__init__

    def counting_init(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ort.InferenceSession, "__init__", counting_init)
    predictor.predict_proba(list(arrays[:2]))
    predictor.predict(list(arrays[:2]), k=1)
    assert not created, (
        f"{len(created)} InferenceSession(s) were created while predicting: build the session "
        "once in __init__ and reuse self.session"
    )


@pytest.mark.clause("optimisation", "threads")
def test_session_options(impl: ModuleType, model_and_file) -> None:
    _, path = model_and_file
    options = _predictor(impl, path, threads=1).session.get_session_options()
    assert options.intra_op_num_threads == 1, (
        f"threads=1 should set intra_op_num_threads = 1, got {options.intra_op_num_threads}"
    )
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL, (
        f"enable all graph optimisations, got {options.graph_optimization_level}"
    )


@pytest.mark.clause("empty")
def test_empty_list(impl: ModuleType, model_and_file) -> None:
    _, path = model_and_file
    got = _predictor(impl, path).predict_proba([])
    assert got.shape == (0, len(CLASS_NAMES)), (
        f"no images should give shape (0, {len(CLASS_NAMES)}), got {got.shape}"
    )


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (np.zeros((32, 32, 3), np.float32), TypeError),
        (np.zeros((32, 32), np.uint8), ValueError),
        ("pill.png", TypeError),
    ],
    ids=["float_array", "grey_array", "path_string"],
)
@pytest.mark.clause("type-error", "shape-error")
def test_invalid_images_are_refused(
    impl: ModuleType, model_and_file, bad: object, error: type[Exception]
) -> None:
    _, path = model_and_file
    with pytest.raises(error):
        _predictor(impl, path).predict_proba([bad])


@pytest.mark.clause("class-count")
def test_wrong_number_of_classes_is_refused(impl: ModuleType, model_and_file) -> None:
    _, path = model_and_file
    with pytest.raises(ValueError):
        impl.OnnxPredictor(path, ["a", "b", "c"], SIZE)


# -- differential: the learner's predictor and the reference's on the same inputs ---------------
# Probabilities: float32 preprocessing and logits (~1e-6 relative whatever the order of the
# scaling and normalisation), so atol=1e-5 on probabilities; the preprocessed batch itself to
# 1e-5 absolute (values of a few units after mean/std).
LABELS = ("a", "b", "c", "d", "e", "f")
#: Constant logits with exact ties at the top, large enough that exp overflows without the shift.
CONST = (800.0, 800.0, -5.0, 3.0, 800.0, 3.0)


class ConstNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("logits", torch.tensor(CONST))

    def forward(self, x: Tensor) -> Tensor:
        return x.mean(dim=(1, 2, 3)).unsqueeze(1) * 0.0 + self.logits


@pytest.fixture(scope="module")
def const_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("onnx_const") / "const.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            ConstNet().eval(), (torch.zeros(1, 3, 8, 8),), str(path), input_names=["x"],
            output_names=["y"], dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=17,
            dynamo=False,
        )  # fmt: skip
    return path


def _image(kind: str, h: int, w: int, seed: int):
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    if kind == "array":
        return rgb
    if kind == "constant":
        return np.full((h, w, 3), seed % 256, np.uint8)
    mode = {"rgb": "RGB", "grey": "L", "rgba": "RGBA"}[kind]
    return Image.fromarray(rgb).convert(mode)


_IMAGES = st.lists(
    st.builds(
        _image,
        st.sampled_from(["array", "constant", "rgb", "grey", "rgba"]),
        st.integers(1, 40),
        st.integers(1, 40),
        st.integers(0, 1000),
    ),
    max_size=7,
)
_CHANNELS = st.none() | st.sampled_from([(0.5, 0.4, 0.3), (0.2, 0.25, 0.3), (1.0, 1.0, 1.0)])


@pytest.mark.clause(
    "proba", "chunks", "empty", "uint8-rgb", "resize", "scale", "normalise", "preprocess-output",
    "input-name",
)  # fmt: skip
@given(images=_IMAGES, mean=_CHANNELS, std=_CHANNELS, max_batch=st.sampled_from([1, 2, 3, 32]))
@example(images=[], mean=None, std=None, max_batch=1)
def test_predict_proba_and_preprocess_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, model_and_file, images, mean, std, max_batch
) -> None:
    _, path = model_and_file

    def run(module: ModuleType, method: str):
        predictor = module.OnnxPredictor(
            path, CLASS_NAMES, SIZE, mean=mean, std=std, max_batch=max_batch
        )
        out = getattr(predictor, method)(images)
        if method == "preprocess":
            assert out.flags.c_contiguous, "preprocess should return a C-contiguous array"
        return out

    diff.assert_same(lambda: run(impl, "predict_proba"), lambda: run(reference, "predict_proba"),
                     atol=1e-5)  # fmt: skip
    if images:
        diff.assert_same(lambda: run(impl, "preprocess"), lambda: run(reference, "preprocess"),
                         rtol=1e-5, atol=1e-5)  # fmt: skip


@pytest.mark.clause("stable-softmax", "ties", "top-k-order", "python-floats", "k-range")
@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5, 6, 10])
def test_top_k_ties_and_range_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, const_file, arrays, k: int
) -> None:
    def run(module: ModuleType):
        predictor = module.OnnxPredictor(const_file, LABELS, 8, max_batch=2)
        out = predictor.predict(list(arrays[:3]), k=k)
        types = {type(p) for row in out for _, p in row}
        assert types <= {float}, f"probabilities should be Python floats, got {types}"
        return out

    diff.assert_same(lambda: run(impl), lambda: run(reference), atol=1e-9)


@pytest.mark.clause("stable-softmax")
def test_softmax_of_huge_logits_is_finite(impl: ModuleType, const_file, arrays) -> None:
    got = impl.OnnxPredictor(const_file, LABELS, 8).predict_proba(list(arrays[:2]))
    want = np.array([1 / 3, 1 / 3, 0.0, 0.0, 1 / 3, 0.0])
    np.testing.assert_allclose(
        got, np.stack([want, want]), atol=1e-12,
        err_msg=f"logits {CONST}: exp(800) overflows unless each row's maximum is subtracted "
        "first; the probabilities are 1/3 for the three tied classes",
    )  # fmt: skip


@pytest.mark.clause("max-batch-range", "class-count")
@pytest.mark.parametrize(
    "classes, max_batch", [(LABELS, 0), (LABELS, -3), (LABELS, 1), (LABELS[:5], 4), (None, 2)]
)
def test_constructor_validation_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, const_file, classes, max_batch
) -> None:
    def run(module: ModuleType):
        p = module.OnnxPredictor(const_file, classes, 8, max_batch=max_batch)
        return (p.classes, p.image_size, p.name, p.max_batch)

    diff.assert_same(lambda: run(impl), lambda: run(reference))


@pytest.mark.clause("attributes", "default-classes", "default-name")
def test_attributes_and_defaults(impl: ModuleType, model_and_file, const_file) -> None:
    _, path = model_and_file
    predictor = impl.OnnxPredictor(str(path), image_size=SIZE, max_batch=3)
    got = (predictor.classes, predictor.image_size, predictor.name, predictor.max_batch)
    assert got == (tuple(CLASS_NAMES), SIZE, "tiny", 3), (
        "OnnxPredictor(path, image_size=32, max_batch=3) should have classes = "
        "tuple(CLASS_NAMES), image_size 32, name = the file's stem 'tiny', max_batch 3; got "
        f"{got}"
    )
    named = impl.OnnxPredictor(const_file, list(LABELS), 8, name="constant-v2")
    assert (named.classes, named.name) == (LABELS, "constant-v2"), (
        "classes should be stored as a tuple and name as given, got "
        f"{named.classes!r}, {named.name!r}"
    )


@pytest.mark.clause("type-error", "shape-error")
@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((8, 8, 3), np.float64),
        np.zeros((8, 8, 3), bool),
        np.zeros((8, 8, 4), np.uint8),
        np.zeros((8, 8), np.uint8),
        np.zeros((2, 8, 8, 3), np.uint8),
        [[0, 0, 0]],
        None,
    ],
    ids=["float64", "bool", "four_channels", "grey", "batch_array", "nested_list", "none"],
)
def test_invalid_images_agree_with_the_reference(
    impl: ModuleType, reference: ModuleType, const_file, arrays, bad
) -> None:
    def run(module: ModuleType):
        return module.OnnxPredictor(const_file, LABELS, 8).predict_proba([arrays[0], bad])

    diff.assert_same(lambda: run(impl), lambda: run(reference))
