"""Framework tests of ``rxvision.models.hub`` beyond the week1.checkpoint_io exercise tests.

The exercise tests cover saving and loading with the generic ``efficientnet`` and ``vit``
constructors; these check the timm-named entries of ``ARCHITECTURES`` against timm (same
state-dict keys and shapes, built on the meta device so nothing is allocated) and one round trip
through a timm-named factory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import timm
import torch

from rxvision.models.hub import ARCHITECTURES, from_pretrained, save_pretrained

TIMM_NAMED = [name for name in ARCHITECTURES if name not in {"efficientnet", "vit"}]


@pytest.mark.parametrize("name", TIMM_NAMED)
def test_timm_named_architectures_match_timm(name: str) -> None:
    with torch.device("meta"):
        ours = ARCHITECTURES[name](num_classes=7)
        theirs = timm.create_model(name, pretrained=False, num_classes=7)
    want = {key: tuple(value.shape) for key, value in theirs.state_dict().items()}
    got = {key: tuple(value.shape) for key, value in ours.state_dict().items()}
    assert got == want, f"ARCHITECTURES[{name!r}] does not build timm's {name}"


def test_round_trip_through_a_timm_named_factory(tmp_path: Path) -> None:
    config = {
        "architecture": "vit_tiny_patch16_224",
        "num_classes": 4,
        "img_size": 32,
        "patch_size": 8,
        "depth": 1,
    }
    torch.manual_seed(0)
    model = ARCHITECTURES["vit_tiny_patch16_224"](
        **{k: v for k, v in config.items() if k != "architecture"}
    )
    model.eval()
    loaded = from_pretrained(save_pretrained(model, tmp_path / "vit", config))
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
