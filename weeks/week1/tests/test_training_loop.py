"""Tests of week1.training_loop: train_one_epoch, evaluate, fit (clipping, checkpoint, patience).

The oracles are hand-written reference computations with plain torch on tiny models and on a
few synthetic pill photographs (16 px). Run: ``pytest weeks/week1/tests/test_training_loop.py``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

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


def test_train_one_epoch_rejects_an_empty_loader(impl: ModuleType) -> None:
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError):
        impl.train_one_epoch(model, [], opt, F.cross_entropy)


# -- evaluate ----------------------------------------------------------------------------------
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
    assert not result.stopped_early


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


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"epochs": 3, "patience": 0}])
def test_fit_rejects_bad_arguments(
    impl: ModuleType, pills: tuple[Tensor, Tensor], kwargs: dict[str, int]
) -> None:
    x, y = pills
    model = _linear()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError):
        impl.fit(model, [(x, y)], [(x, y)], opt, F.cross_entropy, **kwargs)
