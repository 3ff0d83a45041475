"""TorchPredictor and top_k: the glue between a torch model and the prediction service."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from rxvision.serving import TorchPredictor, top_k


class MeanColour(nn.Module):
    """Logits = 10 x the mean of each channel: the reddest image is class 0, and so on."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 10 * x.mean(dim=(2, 3))


def test_predict_proba_is_a_softmax_over_the_model_logits() -> None:
    predictor = TorchPredictor(MeanColour(), classes=["red", "green", "blue"], image_size=8)
    images = [Image.new("RGB", (20, 30), colour) for colour in ("red", "blue")]
    proba = predictor.predict_proba(images)
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert proba[0].argmax() == 0 and proba[1].argmax() == 2
    expected = torch.softmax(torch.tensor([[10.0, 0.0, 0.0]]), dim=1).numpy()
    np.testing.assert_allclose(proba[0], expected[0], rtol=1e-5)


def test_preprocess_resizes_converts_and_normalises() -> None:
    predictor = TorchPredictor(
        MeanColour(), classes=["a", "b", "c"], image_size=16, mean=[0.5] * 3, std=[0.5] * 3
    )
    batch = predictor.preprocess([Image.new("L", (40, 10), 255)])
    assert batch.shape == (1, 3, 16, 16)
    torch.testing.assert_close(batch, torch.ones(1, 3, 16, 16))


def test_model_with_the_wrong_number_of_classes_is_a_clear_error() -> None:
    predictor = TorchPredictor(MeanColour(), classes=["a", "b"], image_size=8)
    with pytest.raises(ValueError, match="2"):
        predictor.predict_proba([Image.new("RGB", (8, 8))])


def test_default_classes_are_the_pill_catalogue() -> None:
    from rxvision.data import CLASS_NAMES

    assert TorchPredictor(MeanColour()).classes == tuple(CLASS_NAMES)


def test_top_k_orders_by_probability_with_stable_ties() -> None:
    got = top_k(np.array([0.2, 0.5, 0.2, 0.1]), ["a", "b", "c", "d"], 3)
    assert [(p.label, p.probability) for p in got] == [("b", 0.5), ("a", 0.2), ("c", 0.2)]
    with pytest.raises(ValueError, match="3 probabilities for 4 classes"):
        top_k(np.array([0.2, 0.5, 0.3]), ["a", "b", "c", "d"], 1)
