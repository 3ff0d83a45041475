"""Tests of week6.capstone_coding: a seeded round of four drills against hidden variants.

Each round draws, with ``random.Random(seed)``, one easy, two medium and one hard drill (by the
``difficulty`` of their curriculum entries) among the drills below that have hidden variants, and
runs every variant of the four against your modules (``impl.drill(name)``). The variants are new
shapes and edge cases of the drills' own specifications, compared with NumPy, SciPy,
scikit-learn, PyTorch and torchvision. CI runs the fixed :data:`SEEDS`; set
``RXGRADE_CODING_SEEDS=7,8`` for other rounds.
Run: ``pytest weeks/week6/tests/test_capstone_coding.py``.
"""

from __future__ import annotations

import os
import random
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision.ops
from scipy import special, stats
from scipy.spatial.distance import cdist
from sklearn import metrics

from grader import differential as diff
from grader import manifest

SEEDS = (0, 1, 5, 13, 31)  # together they draw every drill of VARIANTS
ROUND = {"easy": 1, "medium": 2, "hard": 1}
Variant = Callable[[ModuleType], None]


def _close(got: object, want: object, what: str, atol: float = 1e-8, rtol: float = 1e-6) -> None:
    got_a, want_a = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert got_a.shape == want_a.shape, f"{what}: shape {got_a.shape}, expected {want_a.shape}"
    assert np.all(np.isfinite(got_a) == np.isfinite(want_a)), f"{what}: NaN or inf where not due"
    assert np.allclose(got_a, want_a, atol=atol, rtol=rtol), (
        f"{what}: max abs error {np.nanmax(np.abs(got_a - want_a)):.3g}"
    )


def _t(array: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(array, dtype=torch.float64, requires_grad=grad)


# -- easy --------------------------------------------------------------------------------------
def softmax_extreme_3d(m: ModuleType) -> None:
    x = np.random.default_rng(1).normal(size=(3, 4, 5)) * 3
    x[0, 0, :] = [1e4, -1e4, 0, 1e4, 5]
    _close(m.softmax(x, axis=0), special.softmax(x, axis=0), "softmax(x, axis=0) of (3, 4, 5)")
    _close(m.log_softmax(x, axis=1), special.log_softmax(x, axis=1), "log_softmax axis=1")


def cross_entropy_smoothing_grad(m: ModuleType) -> None:
    rng = np.random.default_rng(2)
    logits, labels = rng.normal(size=(7, 11)) * 4, rng.integers(0, 11, size=7)
    t = _t(logits, grad=True)
    loss = F.cross_entropy(t, torch.tensor(labels), label_smoothing=0.2)
    loss.backward()
    _close(m.cross_entropy(logits, labels, 0.2), loss.item(), "cross_entropy, smoothing 0.2")
    _close(m.cross_entropy_grad(logits, labels, 0.2), t.grad.numpy(), "cross_entropy_grad")


def pairwise_one_query_and_duplicates(m: ModuleType) -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(1, 6)), rng.normal(size=(40, 6))
    b[5] = a[0]
    got = m.pairwise_euclidean(a, b)
    _close(got, cdist(a, b), "pairwise_euclidean of 1 query vs 40 rows", atol=1e-6)
    assert got[0, 5] >= 0 and not np.isnan(got).any(), "a duplicate row must give distance 0"


def top_k_whole_index_in_chunks(m: ModuleType) -> None:
    rng = np.random.default_rng(4)
    queries, index = rng.normal(size=(10, 5)), rng.normal(size=(12, 5))
    scores, indices = m.top_k_neighbours(queries, index, k=12, chunk=3)
    similarity = 1 - cdist(queries, index, metric="cosine")
    expected = np.argsort(-similarity, axis=1, kind="stable")
    _close(scores, np.take_along_axis(similarity, expected, 1), "top_k scores (k = n_index)")
    assert np.array_equal(indices, expected), "top_k indices with k = n_index and chunk=3"


def welford_large_offset_chunks(m: ModuleType) -> None:
    data = 1e9 + np.random.default_rng(5).normal(size=3000)
    stats_ = m.RunningStats()
    for chunk in np.array_split(data, 7):
        stats_.update(chunk)
    _close(stats_.mean, data.mean(), "mean of 1e9 + N(0, 1)", rtol=1e-12)
    _close(stats_.variance(ddof=1), data.var(ddof=1), "variance of 1e9 + N(0, 1)", rtol=1e-6)


def welford_merge_with_empty(m: ModuleType) -> None:
    data = np.random.default_rng(6).normal(size=50)
    merged = m.RunningStats().merge(m.RunningStats().update(data))
    _close(merged.variance(), data.var(), "empty.merge(stats).variance()")
    assert merged.count == 50, f"count after merging with an empty summary: {merged.count}"


def bce_extreme_and_pos_weight(m: ModuleType) -> None:
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(5, 3)) * 5
    logits[0] = [1e3, -1e3, 0]
    targets = rng.random(size=(5, 3))
    pos_weight = np.array([1.0, 3.0, 0.5])
    t = _t(logits, grad=True)
    loss = F.binary_cross_entropy_with_logits(t, _t(targets), pos_weight=torch.tensor(pos_weight))
    loss.backward()
    _close(m.bce_with_logits(logits, targets, pos_weight), loss.item(), "bce, logits +-1e3")
    _close(m.bce_with_logits_grad(logits, targets, pos_weight), t.grad.numpy(), "bce grad")


def confusion_absent_classes(m: ModuleType) -> None:
    y_true, y_pred = np.array([0, 1, 1, 3, 3, 3]), np.array([0, 3, 1, 3, 0, 3])
    want = metrics.confusion_matrix(y_true, y_pred, labels=range(5))
    got = m.confusion_matrix(y_true, y_pred, n_classes=5)
    assert np.array_equal(got, want), f"5 classes, 2 and 4 absent: got\n{got}\nexpected\n{want}"
    normalised = m.confusion_matrix(y_true, y_pred, n_classes=5, normalize="true")
    _close(normalised[2], np.zeros(5), "normalize='true' row of an absent class (zeros, no nan)")


# -- medium ------------------------------------------------------------------------------------
def attention_causal_rectangular(m: ModuleType) -> None:
    rng = np.random.default_rng(8)
    q, k, v = (
        rng.normal(size=(2, 3, 4, 8)),
        rng.normal(size=(2, 3, 6, 8)),
        rng.normal(size=(2, 3, 6, 5)),
    )
    out, _ = m.attention(q, k, v, causal=True)
    want = F.scaled_dot_product_attention(_t(q), _t(k), _t(v), is_causal=True)
    _close(out, want.numpy(), "causal attention with 4 queries and 6 keys")


def attention_fully_masked_row(m: ModuleType) -> None:
    rng = np.random.default_rng(9)
    q, k, v = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4)), rng.normal(size=(2, 5, 3))
    mask = np.ones((2, 3, 5), dtype=bool)
    mask[1, 2, :] = False
    out, weights = m.attention(q, k, v, mask=mask)
    assert not np.isnan(out).any() and not np.isnan(weights).any(), "NaN for a fully masked row"
    _close(out[1, 2], np.zeros(3), "output of a fully masked query row")
    want = F.scaled_dot_product_attention(_t(q[0]), _t(k[0]), _t(v[0]))
    _close(out[0], want.numpy(), "unmasked batch element")


def max_pool_negative_padded(m: ModuleType) -> None:
    x = -np.abs(np.random.default_rng(10).normal(size=(2, 3, 7, 9))) - 1
    t = _t(x, grad=True)
    want = F.max_pool2d(t, (3, 2), stride=(2, 1), padding=1)
    grad_out = np.random.default_rng(11).normal(size=tuple(want.shape))
    want.backward(torch.tensor(grad_out))
    out, indices = m.max_pool2d(x, (3, 2), stride=(2, 1), padding=1)
    _close(out, want.detach().numpy(), "max_pool2d of negative inputs, kernel (3, 2), padding 1")
    grad = m.max_pool2d_backward(grad_out, indices, x.shape)
    _close(grad, t.grad.numpy(), "max_pool2d_backward with overlapping windows")


def nms_against_torchvision(m: ModuleType) -> None:
    rng = np.random.default_rng(12)
    xy = rng.uniform(0, 50, size=(60, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(5, 30, size=(60, 2))], axis=1)
    scores, classes = rng.random(60), rng.integers(0, 3, size=60)
    want = torchvision.ops.nms(_t(boxes), _t(scores), 0.3).numpy()
    assert np.array_equal(m.nms(boxes, scores, 0.3), want), "nms of 60 random boxes at IoU 0.3"
    want = torchvision.ops.batched_nms(_t(boxes), _t(scores), torch.tensor(classes), 0.3)
    got = m.batched_nms(boxes, scores, classes, 0.3)
    assert np.array_equal(got, want.numpy()), "batched_nms of 60 boxes in 3 classes"


def nms_empty(m: ModuleType) -> None:
    got = np.asarray(m.nms(np.zeros((0, 4)), np.zeros(0), 0.5))
    assert got.shape == (0,), f"nms of no boxes must return an empty array, got {got!r}"


def roc_auc_heavy_ties(m: ModuleType) -> None:
    rng = np.random.default_rng(13)
    y, scores = rng.integers(0, 2, size=300), rng.integers(0, 4, size=300) / 4
    _close(m.roc_auc(y, scores), metrics.roc_auc_score(y, scores), "roc_auc with 4 distinct scores")


def prf_averages_imbalanced(m: ModuleType) -> None:
    rng = np.random.default_rng(14)
    y_true = rng.choice(4, size=200, p=[0.7, 0.2, 0.08, 0.02])
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 4, size=200))
    for average in ("macro", "micro", "weighted"):
        want = metrics.precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=0
        )[:3]
        _close(m.precision_recall_f1(y_true, y_pred, average=average), want, f"{average} P/R/F1")


def lru_random_operations(m: ModuleType) -> None:
    rng = random.Random(15)
    cache, reference = m.LRUCache(3), OrderedDict()
    for step in range(300):
        key = rng.randrange(6)
        if rng.random() < 0.5:
            want = reference.get(key)
            if key in reference:
                reference.move_to_end(key)
            assert cache.get(key) == want, f"step {step}: get({key})"
        else:
            reference[key] = step
            reference.move_to_end(key)
            if len(reference) > 3:
                reference.popitem(last=False)
            cache.put(key, step)
        assert cache.keys() == list(reference), f"step {step}: keys() in eviction order"


# -- hard --------------------------------------------------------------------------------------
def conv_groups_dilation_stride(m: ModuleType) -> None:
    rng = np.random.default_rng(16)
    x, w, b = rng.normal(size=(2, 4, 9, 11)), rng.normal(size=(6, 2, 3, 2)), rng.normal(size=6)
    got = m.conv2d(x, w, b, stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)
    want = F.conv2d(_t(x), _t(w), _t(b), stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)
    _close(got, want.numpy(), "conv2d, groups 2, dilation (2, 1), stride (2, 1), padding (1, 2)")


def conv_depthwise_single_image(m: ModuleType) -> None:
    rng = np.random.default_rng(17)
    x, w = rng.normal(size=(1, 5, 6, 6)), rng.normal(size=(5, 1, 3, 3))
    got = m.conv2d(x, w, None, stride=2, padding=1, groups=5)
    want = F.conv2d(_t(x), _t(w), None, stride=2, padding=1, groups=5)
    _close(got, want.numpy(), "depthwise conv2d (groups = channels), no bias")


def mha_cross_attention_masks(m: ModuleType) -> None:
    torch.manual_seed(18)
    ref = torch.nn.MultiheadAttention(12, 3, batch_first=True, dtype=torch.float64)
    rng = np.random.default_rng(18)
    q, kv = rng.normal(size=(2, 4, 12)), rng.normal(size=(2, 7, 12))
    padding = np.zeros((2, 7), dtype=bool)
    padding[1, 5:] = True
    layer = m.MultiHeadAttention(12, 3)
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    out, weights = layer(q, kv, kv, key_padding_mask=padding, average_attn_weights=False)
    want, want_w = ref(
        _t(q), _t(kv), _t(kv), key_padding_mask=torch.tensor(padding), average_attn_weights=False
    )
    _close(out, want.detach().numpy(), "cross-attention output (4 queries, 7 keys, padding)")
    _close(weights, want_w.detach().numpy(), "per-head weights (average_attn_weights=False)")


def alias_zero_weights_and_scale(m: ModuleType) -> None:
    weights = np.array([0.0, 500.0, 0.0, 250.0, 250.0, 0.0])
    draws = m.AliasSampler(weights, seed=19).sample(60_000)
    counts = np.bincount(draws, minlength=6)
    assert counts[[0, 2, 5]].sum() == 0, f"zero-weight items were drawn: counts {counts}"
    p = stats.chisquare(counts[[1, 3, 4]], 60_000 * np.array([0.5, 0.25, 0.25])).pvalue
    assert p > 1e-4, f"frequencies {counts} do not follow weights 500:250:250 (p = {p:.2g})"
    single = m.AliasSampler([3.0], seed=0).sample(5)
    assert np.array_equal(single, np.zeros(5)), f"one item must always be drawn: {single}"


def autograd_reuse_against_torch(m: ModuleType) -> None:
    values = {"a": 0.7, "b": -1.3, "c": 2.1}
    mine = {k: m.Value(v) for k, v in values.items()}
    ref = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}

    def f(a, b, c, tanh, relu, exp, log):
        shared = a * b + c
        return tanh(shared) * shared / c + log(exp(a - b) + relu(shared) ** 2) - 3 / (c + a)

    out = f(
        *mine.values(), lambda v: v.tanh(), lambda v: v.relu(), lambda v: v.exp(), lambda v: v.log()
    )
    want = f(*ref.values(), torch.tanh, torch.relu, torch.exp, torch.log)
    out.backward()
    want.backward()
    _close(out.data, want.item(), "value of an expression reusing a node")
    for k in values:
        _close(mine[k].grad, ref[k].grad.item(), f"gradient of {k} (a node used several times)")


def autograd_deep_chain(m: ModuleType) -> None:
    x = m.Value(0.5)
    y = x
    for _ in range(3000):
        y = y * 1.0 + 0.0
    y = y * x
    y.backward()
    _close(x.grad, 1.0, "gradient through a 3,000-node chain (x * x): no recursion limit")


#: drill name -> its hidden variants
VARIANTS: dict[str, tuple[Variant, ...]] = {
    "softmax_cross_entropy": (softmax_extreme_3d, cross_entropy_smoothing_grad),
    "pairwise_distances": (pairwise_one_query_and_duplicates, top_k_whole_index_in_chunks),
    "welford_stats": (welford_large_offset_chunks, welford_merge_with_empty),
    "bce_with_logits": (bce_extreme_and_pos_weight,),
    "confusion_matrix": (confusion_absent_classes,),
    "scaled_dot_product_attention": (attention_causal_rectangular, attention_fully_masked_row),
    "max_pool": (max_pool_negative_padded,),
    "iou_nms": (nms_against_torchvision, nms_empty),
    "classification_metrics": (roc_auc_heavy_ties, prf_averages_imbalanced),
    "lru_lfu_cache": (lru_random_operations,),
    "conv2d_im2col": (conv_groups_dilation_stride, conv_depthwise_single_image),
    "multi_head_attention": (mha_cross_attention_masks,),
    "alias_sampling": (alias_zero_weights_and_scale,),
    "tiny_autograd": (autograd_reuse_against_torch, autograd_deep_chain),
}


def draw(curriculum: manifest.Curriculum, seed: int) -> list[str]:
    """One round: drill names, ROUND[difficulty] of each difficulty, drawn with ``seed``."""
    rng = random.Random(seed)
    drills = [d for d in curriculum.week(6).deliverables if d.kind == "code" and d.name in VARIANTS]
    chosen: list[str] = []
    for difficulty, count in ROUND.items():
        pool = [d.name for d in drills if d.difficulty == difficulty]
        chosen += rng.sample(pool, count)
    return chosen


def _seeds() -> tuple[int, ...]:
    raw = os.environ.get("RXGRADE_CODING_SEEDS", "")
    return tuple(int(s) for s in raw.split(",") if s.strip()) or SEEDS


def _run_round(
    drill: Callable[[str], ModuleType], drills: list[str]
) -> tuple[list[str], list[str]]:
    """Every variant of ``drills`` on ``drill(name)``: (failures, drills not started)."""
    failed, not_started = [], []
    for name in drills:
        module = drill(name)
        for variant in VARIANTS[name]:
            try:
                variant(module)
            except NotImplementedError:
                not_started.append(name)
                break
            except Exception as exc:  # noqa: BLE001 - any crash fails the variant
                failed.append(f"- {name} ({variant.__name__}): {type(exc).__name__}: {exc}")
                break
    return failed, not_started


def _judge(seed: int, drills: list[str], failed: list[str], not_started: list[str]) -> None:
    if not_started and not failed:
        raise NotImplementedError(
            f"round {seed} drew {', '.join(drills)}; not started: {', '.join(not_started)}"
        )
    assert not failed and not not_started, (
        f"round {seed} drew {', '.join(drills)}; drills that need another round:\n"
        + "\n".join(failed + [f"- {name}: not started" for name in not_started])
    )


def _check_round(curriculum: manifest.Curriculum, seed: int, drills: list[str]) -> None:
    """A round is one easy, two medium and one hard drill, the same for the same seed."""
    difficulty = {d.name: d.difficulty for d in curriculum.week(6).deliverables}
    counts = {level: sum(difficulty[n] == level for n in drills) for level in ROUND}
    assert counts == ROUND and len(set(drills)) == len(drills), (
        f"round {seed} drew {drills} ({counts}); a round is {ROUND}, four distinct drills"
    )
    assert draw(curriculum, seed) == drills, f"round {seed} is not reproducible"


def _same_drill(got: object, want: ModuleType) -> str | None:
    """The learner's module of the same drill as the reference's (each in its own package)."""
    name = want.__name__.rsplit(".", 1)[-1]
    if isinstance(got, ModuleType) and got.__name__.rsplit(".", 1)[-1] == name:
        return None
    return f"expected your module {name} (next to capstone_coding.py), got {diff.describe(got)}"


@pytest.mark.clause("round", "variants", "all-pass", "seeds", "practice-seeds", "drill")
@pytest.mark.clause("drill-missing")
@pytest.mark.parametrize("seed", _seeds())
def test_coding_round(impl: ModuleType, reference: ModuleType, rx_root: Path, seed: int) -> None:
    curriculum = manifest.load(rx_root)
    drills = draw(curriculum, seed)
    _check_round(curriculum, seed, drills)
    if not os.environ.get("RXGRADE_CODING_SEEDS"):
        covered = {name for s in SEEDS for name in draw(curriculum, s)}
        assert covered == set(VARIANTS), (
            f"the fixed seeds {SEEDS} never draw {sorted(set(VARIANTS) - covered)}"
        )
    for name in [*drills, "no_such_drill"]:
        diff.assert_same(impl.drill, reference.drill, name, compare=_same_drill)
    _judge(seed, drills, *_run_round(impl.drill, drills))


@pytest.mark.clause("report")
def test_a_failing_variant_is_reported_by_drill_and_variant(impl: ModuleType) -> None:
    """A drill that answers wrongly is named in the report, with the variant that failed."""
    module = impl.drill("confusion_matrix")
    broken = ModuleType(module.__name__)
    vars(broken).update(vars(module))
    broken.confusion_matrix = lambda *args, **kwargs: module.confusion_matrix(*args, **kwargs) + 1
    failed, not_started = _run_round(
        lambda name: broken if name == "confusion_matrix" else impl.drill(name),
        ["confusion_matrix"],
    )
    with pytest.raises(AssertionError) as caught:
        _judge(99, ["confusion_matrix"], failed, not_started)
    report = str(caught.value)
    assert (
        "need another round" in report and "confusion_matrix (confusion_absent_classes)" in report
    ), f"the report must name the drill and its failing variant, got:\n{report}"
