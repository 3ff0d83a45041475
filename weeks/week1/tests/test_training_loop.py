"""Tests of week1.training_loop: train_one_epoch, evaluate, fit (clipping, checkpoint, patience).

The oracles are hand-written reference computations with plain torch on tiny models and on a
few synthetic pill photographs (16 px). Run: ``pytest weeks/week1/tests/test_training_loop.py``.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import Tensor, nn

from grader import differential as diff
from rxvision.data import generate

N_CLASSES = 26


# -- fixtures and helpers ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def pills() -> tuple[Tensor, Tensor]:
    """78 studio photographs at 16 px as normalised floats ``(78, 3, 16, 16)``, and labels."""
    images, labels = generate("studio", samples_per_class=3, size=16, seed=0, subset="train")
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    return (x - 0.5) / 0.25, torch.from_numpy(labels)


def _batches(x: Tensor, y: Tensor, batch_size: int) -> list[tuple[Tensor, Tensor]]:
    return [(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(y), batch_size)]


def _linear(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(3 * 16 * 16, N_CLASSES))


def _convnet(seed: int = 0) -> nn.Module:
    """A tiny CNN with batch norm and dropout, so train and eval mode differ."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(32, N_CLASSES),
    )


class _ModeSpy(nn.Module):
    """Wraps a model and records ``(training, grad_enabled)`` at every forward call."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner
        self.calls: list[tuple[bool, bool]] = []

    def forward(self, x: Tensor) -> Tensor:
        self.calls.append((self.training, torch.is_grad_enabled()))
        return self.inner(x)


def _same_params(a: nn.Module, b: nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# -- train_one_epoch ---------------------------------------------------------------------------
@pytest.mark.clause("train-loss")
def test_train_one_epoch_returns_the_sample_weighted_mean_loss(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    x, y = pills
    model = _linear()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # weights never change
    batches = _batches(x, y, 32)  # 32 + 32 + 14 samples
    got = impl.train_one_epoch(model, batches, optimizer, F.cross_entropy)
    with torch.no_grad():
        want = F.cross_entropy(model(x), y).item()
    assert isinstance(got, float), f"train_one_epoch should return a float, got {type(got)}"
    assert got == pytest.approx(want, rel=1e-5), (
        f"with lr=0 the mean training loss over all 78 samples is {want:.6f}, you returned "
        f"{got:.6f}. Weight each batch's mean loss by its size (the last batch has 14 samples) "
        "and divide by the number of samples, not by the number of batches."
    )


@pytest.mark.clause("zero-grad")
def test_train_one_epoch_matches_a_reference_loop(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    x, y = pills
    batches = _batches(x, y, 16)
    ours, ref = _linear(), _linear()
    opt = torch.optim.SGD(ours.parameters(), lr=0.5, momentum=0.9)
    impl.train_one_epoch(ours, batches, opt, F.cross_entropy)
    ref_opt = torch.optim.SGD(ref.parameters(), lr=0.5, momentum=0.9)
    for inputs, targets in batches:
        loss = F.cross_entropy(ref(inputs), targets)
        ref_opt.zero_grad()
        loss.backward()
        ref_opt.step()
    worst = max(
        (a - b).abs().max().item() for a, b in zip(ours.parameters(), ref.parameters(), strict=True)
    )
    assert worst < 1e-5, (
        "after one epoch of SGD (5 batches) your weights differ from a reference loop "
        f"(forward, loss, zero_grad, backward, step) by up to {worst:.3g}. Did you clear the "
        "gradients before every backward? Without zero_grad, gradients of earlier batches add up."
    )


@pytest.mark.clause("train-mode")
def test_train_one_epoch_uses_train_mode(impl: ModuleType, pills: tuple[Tensor, Tensor]) -> None:
    x, y = pills
    spy = _ModeSpy(_convnet()).eval()  # the loop must switch it back to training mode
    opt = torch.optim.SGD(spy.parameters(), lr=0.01)
    impl.train_one_epoch(spy, _batches(x, y, 32), opt, F.cross_entropy)
    assert spy.calls, "train_one_epoch never called the model"
    assert all(training for training, _ in spy.calls), (
        f"the model ran in eval mode during training ({spy.calls.count((False, True))} of "
        f"{len(spy.calls)} forward calls): call model.train() at the start of train_one_epoch, "
        "evaluate() leaves the model in eval mode."
    )


@pytest.mark.clause("clip")
def test_gradients_are_clipped_before_the_step(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    x, y = pills
    model = _linear()
    before = torch.cat([p.detach().flatten().clone() for p in model.parameters()])
    lr, max_norm = 1.0, 0.01
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    impl.train_one_epoch(model, [(x, y)], opt, F.cross_entropy, max_grad_norm=max_norm)
    after = torch.cat([p.detach().flatten() for p in model.parameters()])
    step = (after - before).norm().item()
    assert step <= lr * max_norm * 1.001, (
        f"with SGD(lr={lr}) and max_grad_norm={max_norm} one step can move the weights by at most "
        f"{lr * max_norm}, yours moved by {step:.4g}. Clip with "
        "torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm) after backward() and "
        "BEFORE optimizer.step()."
    )
    assert step > 0.5 * lr * max_norm, (
        f"the weights moved by only {step:.3g} (expected {lr * max_norm}: the gradient norm here "
        "is far above the threshold, so the clipped step has exactly that length)"
    )


@pytest.mark.clause("scheduler")
def test_scheduler_is_stepped_once_per_batch(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    x, y = pills
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 0.5**step)
    batches = _batches(x, y, 16)  # 5 batches
    impl.train_one_epoch(model, batches, opt, F.cross_entropy, scheduler=sched)
    assert sched.last_epoch == len(batches), (
        f"the scheduler should be stepped after every optimiser step ({len(batches)} batches), "
        f"it was stepped {sched.last_epoch} times"
    )


@pytest.mark.clause("train-empty")
def test_train_one_epoch_rejects_an_empty_loader(impl: ModuleType) -> None:
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError):
        impl.train_one_epoch(model, [], opt, F.cross_entropy)


# -- evaluate ----------------------------------------------------------------------------------
@pytest.mark.clause("eval-mode", "eval-weighted")
def test_evaluate_matches_a_hand_computation(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    x, y = pills
    model = _convnet().eval()
    with torch.no_grad():
        logits = model(x)
    want_loss = F.cross_entropy(logits, y).item()
    want_acc = (logits.argmax(1) == y).float().mean().item()
    loss, acc = impl.evaluate(model.train(), _batches(x, y, 32), F.cross_entropy)
    assert loss == pytest.approx(want_loss, rel=1e-5) and acc == pytest.approx(want_acc), (
        f"expected (loss, accuracy) = ({want_loss:.5f}, {want_acc:.4f}) in eval mode over 78 "
        f"samples, got ({loss:.5f}, {acc:.4f}). Call model.eval() (dropout off, batch norm with "
        "running statistics) and weight each batch by its size."
    )


@pytest.mark.clause("eval-mode")
def test_evaluate_runs_in_eval_mode_without_gradients(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    x, y = pills
    spy = _ModeSpy(_convnet()).train()
    impl.evaluate(spy, _batches(x, y, 40), F.cross_entropy)
    assert spy.calls, "evaluate never called the model"
    modes = set(spy.calls)
    assert modes == {(False, False)}, (
        f"during evaluate the model ran with (training, grad_enabled) in {sorted(modes)}; "
        "expected only (False, False): model.eval() and torch.no_grad()"
    )


# -- fit -----------------------------------------------------------------------------------------
@pytest.mark.clause("history", "no-patience")
def test_fit_lowers_the_training_loss(impl: ModuleType, pills: tuple[Tensor, Tensor]) -> None:
    x, y = pills
    model = _convnet()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-2)
    loader = torch.utils.data.DataLoader(list(zip(x, y, strict=True)), batch_size=16, shuffle=True)
    result = impl.fit(model, loader, _batches(x, y, 78), opt, F.cross_entropy, epochs=6)
    losses = [r.train_loss for r in result.history]
    assert len(losses) == 6, f"6 epochs without patience should give 6 records, got {len(losses)}"
    assert losses[-1] < 0.8 * losses[0], (
        f"the training loss should drop by 20% or more in 6 epochs of AdamW(lr=3e-2), got {losses}"
    )
    assert [r.epoch for r in result.history] == list(range(6)), "epochs are numbered 0, 1, ..."
    assert not result.stopped_early, (
        "fit without patience never stops early: want stopped_early False, "
        f"got {result.stopped_early!r}"
    )


class _ScriptedRun:
    """A fit set-up whose validation losses are a given script, one value per epoch.

    The loss function returns real cross entropy in training mode and ``script[epoch]`` in eval
    mode (one validation batch per epoch), and ``snapshots[e]`` is the model's state at the end
    of epoch ``e``.
    """

    def __init__(self, pills: tuple[Tensor, Tensor], script: list[float]) -> None:
        self.x, self.y = pills
        self.script = script
        self.model = _linear()
        self.epoch = -1
        self.snapshots: list[dict[str, Tensor]] = []

    def loss_fn(self, logits: Tensor, targets: Tensor) -> Tensor:
        if self.model.training:
            return F.cross_entropy(logits, targets)
        return torch.tensor(self.script[self.epoch])

    def start(self, epoch: int) -> None:
        self.epoch = epoch

    def end(self, record: object) -> None:
        self.snapshots.append(copy.deepcopy(self.model.state_dict()))

    def run(self, impl: ModuleType, **kwargs: object) -> object:
        opt = torch.optim.SGD(self.model.parameters(), lr=0.1)
        return impl.fit(
            self.model,
            _batches(self.x, self.y, 26),
            [(self.x, self.y)],
            opt,
            self.loss_fn,
            on_epoch_start=self.start,
            on_epoch_end=self.end,
            **kwargs,
        )


@pytest.mark.clause("patience", "stopped-early")
def test_early_stopping_waits_exactly_patience_epochs(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    run = _ScriptedRun(pills, [1.0, 0.5, 0.7, 0.6, 0.8, 0.9, 0.4, 0.3, 0.2, 0.1])
    result = run.run(impl, epochs=10, patience=3)
    ran = len(result.history)
    assert ran == 5, (
        f"validation losses 1.0, 0.5, 0.7, 0.6, 0.8, ... with patience=3: epoch 1 is the best and "
        f"epochs 2, 3, 4 do not improve, so training stops after epoch 4 (5 epochs); it ran {ran}"
    )
    assert result.stopped_early, "stopped_early should be True when patience ended training"
    assert result.best_epoch == 1 and result.best_val_loss == pytest.approx(0.5), (
        f"best epoch should be 1 (val loss 0.5), got {result.best_epoch} ({result.best_val_loss})"
    )


@pytest.mark.clause("improve")
def test_min_delta_decides_what_counts_as_improvement(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    run = _ScriptedRun(pills, [1.0, 0.95, 0.92, 0.5, 0.45])
    result = run.run(impl, epochs=5, patience=2, min_delta=0.1)
    assert len(result.history) == 3 and result.best_epoch == 0, (
        "with min_delta=0.1, 0.95 and 0.92 are not improvements on 1.0, so patience=2 stops "
        f"after epoch 2 with best epoch 0; got {len(result.history)} epochs, best "
        f"{result.best_epoch}"
    )


@pytest.mark.clause("restore-best", "best-copy", "checkpoint", "no-patience")
def test_fit_restores_the_best_weights_and_checkpoints_them(
    impl: ModuleType, pills: tuple[Tensor, Tensor], tmp_path: Path
) -> None:
    run = _ScriptedRun(pills, [1.0, 0.4, 0.6, 0.5, 0.45])
    path = tmp_path / "best.pt"
    result = run.run(impl, epochs=5, patience=None, checkpoint_path=path)
    assert len(result.history) == 5 and not result.stopped_early, (
        f"patience=None must run all 5 epochs, ran {len(result.history)}"
    )
    best = run.snapshots[1]
    final = run.model.state_dict()
    assert all(torch.equal(final[k], best[k]) for k in best), (
        "after fit the model should hold the weights of the best epoch (1, val loss 0.4), not of "
        "the last one: keep copy.deepcopy(model.state_dict()) when validation improves and "
        "load_state_dict it at the end"
    )
    assert path.exists(), f"no checkpoint written to checkpoint_path={path}"
    saved = torch.load(path, weights_only=False)
    assert saved.get("epoch") == 1, (
        "the checkpoint should be the best epoch's (1), saved only when the validation loss "
        f"improves; it says epoch {saved.get('epoch')!r}"
    )
    assert all(torch.equal(saved["model"][k], best[k]) for k in best), (
        "checkpoint['model'] differs from the model's weights at the end of the best epoch"
    )


@pytest.mark.clause("seed")
def test_fit_is_reproducible_with_a_seed(impl: ModuleType, pills: tuple[Tensor, Tensor]) -> None:
    x, y = pills
    data = list(zip(x, y, strict=True))
    models = []
    for _ in range(2):
        model = _convnet(seed=0)
        torch.manual_seed(1234 + len(models))  # the global state differs before each call
        loader = torch.utils.data.DataLoader(data, batch_size=16, shuffle=True)
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        impl.fit(model, loader, _batches(x, y, 78), opt, F.cross_entropy, epochs=2, seed=7)
        models.append(model)
    assert _same_params(*models), (
        "two fits with seed=7 from the same initial weights gave different weights: call "
        "seed_everything(seed) at the start of fit, before the first shuffle or dropout mask"
    )


@pytest.mark.clause("fit-args")
@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"epochs": 3, "patience": 0}])
def test_fit_rejects_bad_arguments(
    impl: ModuleType, pills: tuple[Tensor, Tensor], kwargs: dict[str, int]
) -> None:
    x, y = pills
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError):
        impl.fit(model, [(x, y)], [(x, y)], opt, F.cross_entropy, **kwargs)


# -- differential tests against the reference (tiny float64 models) ----------------------------
# The models and data are float64 so that the only differences between two correct loops are
# rounding of a different summation order (~1e-15) and ``clip_grad_norm_``'s 1e-6 guard in the
# denominator (a hand-written clip without it moves each step by at most ``lr * 1e-6``): the
# tolerances below (1e-6) sit above both and far below any real bug (a step of ``lr * |grad|``).
RTOL, ATOL = 1e-6, 1e-6


def _tiny_data(n: int, scale: float, seed: int) -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=g, dtype=torch.float64) * scale
    return x, torch.randint(0, 3, (n,), generator=g)


def _tiny_mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double()


def _params(model: nn.Module) -> list[np.ndarray]:
    return [p.detach().numpy().copy() for p in model.parameters()]


def _train_summary(
    module: ModuleType,
    n: int,
    batch_size: int,
    scale: float,
    lr: float,
    max_grad_norm: float | None,
    use_scheduler: bool,
) -> tuple[float, list[np.ndarray], float]:
    x, y = _tiny_data(n, scale, seed=n)
    model = _tiny_mlp()
    for p in model.parameters():  # stale gradients of an earlier step: they must be cleared
        p.grad = torch.ones_like(p)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5)
    sched = (
        torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 0.5**step) if use_scheduler else None
    )
    loss = module.train_one_epoch(
        model, _batches(x, y, batch_size), opt, F.cross_entropy,
        scheduler=sched, max_grad_norm=max_grad_norm,
    )  # fmt: skip
    return loss, _params(model), opt.param_groups[0]["lr"]


@pytest.mark.clause("train-loss", "zero-grad", "clip", "no-clip", "scheduler", "train-empty")
@given(
    n=st.integers(0, 7),
    batch_size=st.integers(1, 4),
    scale=st.sampled_from([1.0, 30.0]),
    lr=st.sampled_from([0.0, 0.05, 0.5]),
    max_grad_norm=st.sampled_from([None, 1e-3, 0.5, 100.0]),
    use_scheduler=st.booleans(),
)
@example(n=7, batch_size=3, scale=30.0, lr=0.5, max_grad_norm=None, use_scheduler=False)
@example(n=7, batch_size=3, scale=30.0, lr=0.5, max_grad_norm=1e-3, use_scheduler=True)
@example(n=0, batch_size=2, scale=1.0, lr=0.05, max_grad_norm=None, use_scheduler=False)
def test_train_one_epoch_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    n: int,
    batch_size: int,
    scale: float,
    lr: float,
    max_grad_norm: float | None,
    use_scheduler: bool,
) -> None:
    args = (n, batch_size, scale, lr, max_grad_norm, use_scheduler)
    diff.assert_same(
        lambda: _train_summary(impl, *args),
        lambda: _train_summary(reference, *args),
        rtol=RTOL,
        atol=ATOL,
    )


def _eval_summary(module: ModuleType, n: int, batch_size: int, scale: float) -> object:
    x, y = _tiny_data(n, scale, seed=100 + n)
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Linear(4, 6), nn.BatchNorm1d(6), nn.Dropout(0.5), nn.Linear(6, 3)
    ).double()
    with torch.no_grad():  # running statistics unlike a batch's, so eval mode matters
        model[1].running_mean.fill_(0.5)
        model[1].running_var.fill_(4.0)
    return module.evaluate(model.train(), _batches(x, y, batch_size), F.cross_entropy)


@pytest.mark.clause("eval-mode", "eval-weighted", "eval-floats", "eval-empty")
@given(n=st.integers(0, 9), batch_size=st.integers(1, 4), scale=st.sampled_from([1.0, 30.0]))
@example(n=9, batch_size=4, scale=1.0)
@example(n=0, batch_size=1, scale=1.0)
def test_evaluate_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, n: int, batch_size: int, scale: float
) -> None:
    diff.assert_same(
        lambda: _eval_summary(impl, n, batch_size, scale),
        lambda: _eval_summary(reference, n, batch_size, scale),
        rtol=1e-9,
        atol=1e-12,
    )


@pytest.mark.clause("train-loss", "eval-floats")
def test_losses_and_accuracy_are_python_floats(impl: ModuleType) -> None:
    x, y = _tiny_data(5, 1.0, seed=0)
    model = _tiny_mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    train = impl.train_one_epoch(model, _batches(x, y, 2), opt, F.cross_entropy)
    loss, acc = impl.evaluate(model, _batches(x, y, 2), F.cross_entropy)
    kinds = [type(v).__name__ for v in (train, loss, acc)]
    assert kinds == ["float"] * 3, (
        "train_one_epoch's loss and evaluate's (loss, accuracy) must be Python floats (use "
        f".item() on tensors), got types {kinds}"
    )


class _TinyScript:
    """A tiny fit whose validation losses follow ``script`` (one value per epoch)."""

    def __init__(self, script: list[float]) -> None:
        self.script = script
        self.epoch = -1
        self.starts: list[int] = []
        self.ends: list[tuple[object, ...]] = []
        self.path: Path | None = None
        torch.manual_seed(0)
        self.model = nn.Sequential(nn.Linear(4, 3), nn.Dropout(0.5)).double()
        torch.seed()  # a random global state: only fit's own seeding makes runs agree

    def loss_fn(self, logits: Tensor, targets: Tensor) -> Tensor:
        if self.model.training:
            return F.cross_entropy(logits, targets)
        return torch.tensor(self.script[self.epoch], dtype=torch.float64)

    def start(self, epoch: int) -> None:
        self.epoch = epoch
        self.starts.append(epoch)

    def end(self, record: object) -> None:
        saved = None
        if self.path is not None and self.path.exists():
            saved = torch.load(self.path, weights_only=False)["epoch"]
        self.ends.append((_record(record), saved))


def _record(r: object) -> tuple[object, ...]:
    return (r.epoch, r.train_loss, r.val_loss, r.val_accuracy, r.lr)  # not elapsed_s


def _fit_summary(module: ModuleType, script: list[float], **kwargs: object) -> dict[str, object]:
    run = _TinyScript(script)
    x, y = _tiny_data(6, 1.0, seed=3)
    train = _batches(x, y, 2)  # the dropout masks draw from the global generator
    opt = torch.optim.SGD(run.model.parameters(), lr=0.5)
    use_scheduler = kwargs.pop("use_scheduler")
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.8**s) if use_scheduler else None
    with tempfile.TemporaryDirectory() as tmp:
        run.path = Path(tmp) / "best.pt"
        result = module.fit(
            run.model, train, [(x, y)], opt, run.loss_fn,
            scheduler=sched, checkpoint_path=run.path,
            on_epoch_start=run.start, on_epoch_end=run.end, **kwargs,
        )  # fmt: skip
        saved = torch.load(run.path, weights_only=False) if run.path.exists() else None
    checkpoint = None
    if saved is not None:
        weights = [saved["model"][k].numpy() for k in sorted(saved["model"])]
        checkpoint = (saved["epoch"], float(saved["val_loss"]), weights)
    return {
        "history": [_record(r) for r in result.history],
        "best_epoch": result.best_epoch,
        "best_val_loss": result.best_val_loss,
        "stopped_early": result.stopped_early,
        "on_epoch_start": run.starts,
        "on_epoch_end (record, checkpointed epoch)": run.ends,
        "final weights": _params(run.model),
        "checkpoint (epoch, val_loss, weights)": checkpoint,
    }


# Dyadic losses and deltas: ``val < best - min_delta`` and ``best - val > min_delta`` agree
# exactly, so the ties at the boundary judge the rule, not the rounding.
_LOSSES = st.sampled_from([1.0, 0.75, 0.5, 0.25, 0.125])


@pytest.mark.clause(
    "seed", "history", "record-lr", "improve", "best-copy", "checkpoint", "on-epoch-end",
    "patience", "no-patience", "stopped-early", "restore-best", "fit-args",
)  # fmt: skip
@given(
    script=st.lists(_LOSSES, min_size=6, max_size=6),
    epochs=st.integers(0, 6),
    patience=st.sampled_from([None, 0, 1, 2, 3]),
    min_delta=st.sampled_from([0.0, 0.125, 0.25]),
    max_grad_norm=st.sampled_from([None, 1e-3]),
    seed=st.sampled_from([0, 7]),
    use_scheduler=st.booleans(),
)
@example(
    script=[1.0, 0.5, 0.75, 0.75, 0.25, 0.125],
    epochs=4,
    patience=2,
    min_delta=0.0,
    max_grad_norm=None,
    seed=0,
    use_scheduler=False,
)  # stops after the last epoch: not "early"
@example(
    script=[1.0, 1.0, 0.75, 0.5, 0.5, 0.5],
    epochs=6,
    patience=3,
    min_delta=0.25,
    max_grad_norm=1e-3,
    seed=7,
    use_scheduler=True,
)  # equal losses and a drop of exactly min_delta are not improvements
def test_fit_agrees_with_the_reference(
    impl: ModuleType,
    reference: ModuleType,
    script: list[float],
    epochs: int,
    patience: int | None,
    min_delta: float,
    max_grad_norm: float | None,
    seed: int,
    use_scheduler: bool,
) -> None:
    kwargs = dict(
        epochs=epochs, patience=patience, min_delta=min_delta, max_grad_norm=max_grad_norm,
        seed=seed, use_scheduler=use_scheduler,
    )  # fmt: skip
    diff.assert_same(
        lambda: _fit_summary(impl, script, **dict(kwargs)),
        lambda: _fit_summary(reference, script, **dict(kwargs)),
        rtol=RTOL,
        atol=ATOL,
    )


@pytest.mark.clause("patience", "stopped-early")
def test_the_docstring_example_of_patience(impl: ModuleType, pills: tuple[Tensor, Tensor]) -> None:
    run = _ScriptedRun(pills, [1.0, 0.5, 0.6, 0.7, 0.1])
    result = run.run(impl, epochs=4, patience=2)
    assert len(result.history) == 4 and result.best_epoch == 1, (
        "validation losses 1.0, 0.5, 0.6, 0.7 with patience=2: epochs 2 and 3 do not improve, "
        f"so training stops after epoch 3; ran {len(result.history)} epochs, best "
        f"{result.best_epoch}"
    )
    assert not result.stopped_early, (
        "with epochs=4 the stop after epoch 3 is the last epoch anyway: stopped_early must be "
        "False (it is true only when patience ended training before the last epoch)"
    )


@pytest.mark.clause("improve")
def test_an_equal_validation_loss_is_not_an_improvement(
    impl: ModuleType, pills: tuple[Tensor, Tensor]
) -> None:
    run = _ScriptedRun(pills, [0.5, 0.5, 0.5])
    result = run.run(impl, epochs=3, patience=2)
    assert result.best_epoch == 0 and result.stopped_early is False and len(result.history) == 3, (
        "validation losses 0.5, 0.5, 0.5: only epoch 0 improves (0.5 < 0.5 is false), so the "
        f"best epoch is 0; got best epoch {result.best_epoch} after {len(result.history)} epochs"
    )


@pytest.mark.clause("fit-args")
@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"epochs": 3, "patience": 0}])
def test_fit_rejects_bad_arguments_before_training(
    impl: ModuleType, kwargs: dict[str, int]
) -> None:
    x, y = _tiny_data(4, 1.0, seed=0)
    model = _tiny_mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    started: list[int] = []
    with pytest.raises(ValueError):
        impl.fit(
            model, [(x, y)], [(x, y)], opt, F.cross_entropy, on_epoch_start=started.append,
            **kwargs,
        )  # fmt: skip
    assert not started, f"fit{kwargs} must raise before the first epoch, it started {started}"
