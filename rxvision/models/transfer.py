"""Transfer learning helpers: find and replace the classifier, freeze a backbone, LR groups.

They work on timm models (through ``get_classifier``/``reset_classifier``) and on any model that
ends in an ``nn.Linear`` classifier and keeps its stages in ``blocks`` (EfficientNet, timm-style,
including :mod:`rxvision.models.efficientnet`) or ``layer1``..``layer4`` (ResNet).

A frozen BatchNorm layer (one whose parameters do not require gradients) runs in eval mode even
when the model is in training mode, so its running statistics neither move nor get replaced by
batch statistics: fine-tuning on small batches of a new class set must not drift the backbone.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

__all__ = [
    "backbone_stages",
    "freeze_backbone",
    "get_classifier",
    "param_groups",
    "replace_classifier",
]

_FROZEN_BN_HOOK = "_rx_frozen_bn_hook"


def backbone_stages(model: nn.Module) -> list[nn.Module]:
    """The backbone's stages in forward order: ``model.blocks[i]`` or ``model.layer1..layer4``.

    Raises:
        ValueError: the model has neither layout.
    """
    blocks = getattr(model, "blocks", None)
    if isinstance(blocks, nn.Sequential | nn.ModuleList):
        return list(blocks)
    layers = [getattr(model, f"layer{i}", None) for i in range(1, 5)]
    if all(isinstance(layer, nn.Module) for layer in layers):
        return layers  # type: ignore[return-value]
    raise ValueError(
        f"{type(model).__name__} has neither `blocks` (EfficientNet) nor `layer1`..`layer4` "
        "(ResNet): cannot find its stages"
    )


def _last_linear(model: nn.Module) -> tuple[str, nn.Linear]:
    found = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not found:
        raise ValueError(f"{type(model).__name__} has no nn.Linear classifier")
    return found[-1]


def get_classifier(model: nn.Module) -> nn.Module:
    """The final classification layer: ``model.get_classifier()`` for timm models, else the last
    ``nn.Linear`` in ``model.named_modules()``.

    Raises:
        ValueError: the model has no ``get_classifier`` and no ``nn.Linear``.
    """
    if callable(getattr(model, "get_classifier", None)):
        return model.get_classifier()  # type: ignore[operator]
    return _last_linear(model)[1]


def replace_classifier(model: nn.Module, num_classes: int) -> nn.Module:
    """Give ``model`` a fresh, trainable classifier with ``num_classes`` outputs; return it.

    timm models use ``model.reset_classifier(num_classes)``; otherwise the last ``nn.Linear`` is
    replaced (on its parent module) by ``nn.Linear(in_features, num_classes)``.
    ``model.num_classes`` is updated when the model has that attribute.

    Raises:
        ValueError: ``num_classes < 1``, or no classifier was found.
    """
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    if callable(getattr(model, "reset_classifier", None)):
        model.reset_classifier(num_classes)  # type: ignore[operator]
        head = get_classifier(model)
    else:
        name, old = _last_linear(model)
        parent_name, _, attr = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        head = nn.Linear(old.in_features, num_classes, device=old.weight.device)
        setattr(parent, attr, head)
    if hasattr(model, "num_classes"):
        model.num_classes = num_classes
    for p in head.parameters():
        p.requires_grad_(True)
    return head


def _keep_frozen_bn_in_eval(module: nn.Module, args: tuple[Tensor, ...]) -> None:
    """Forward pre-hook: a BatchNorm whose parameters are all frozen runs in eval mode."""
    params = list(module.parameters(recurse=False))
    if params and not any(p.requires_grad for p in params):
        module.eval()


def freeze_backbone(model: nn.Module, unfreeze_last: int = 0) -> nn.Module:
    """Freeze everything but the classifier and the last ``unfreeze_last`` stages.

    1. every parameter gets ``requires_grad=False``;
    2. the last ``unfreeze_last`` stages (:func:`backbone_stages`) and, when ``unfreeze_last >=
       1``, every top-level child registered after the last stage (EfficientNet's ``conv_head``
       and ``bn2``), become trainable again;
    3. the classifier (:func:`get_classifier`) is always trainable;
    4. every frozen BatchNorm layer is put in eval mode now and kept in eval mode by a forward
       pre-hook, so ``model.train()`` does not make it update its running statistics.

    Calling it again re-freezes from scratch (the hooks are registered once per layer).

    Returns:
        ``model`` (changed in place).

    Raises:
        ValueError: ``unfreeze_last`` is negative or larger than the number of stages.
    """
    stages = backbone_stages(model)
    if not 0 <= unfreeze_last <= len(stages):
        raise ValueError(f"unfreeze_last must be in [0, {len(stages)}], got {unfreeze_last}")
    model.requires_grad_(False)
    if unfreeze_last:
        for stage in stages[len(stages) - unfreeze_last :]:
            stage.requires_grad_(True)
        last = stages[-1]
        children = list(model.children())
        owner = next(
            i for i, child in enumerate(children) if last is child or _contains(child, last)
        )
        for child in children[owner + 1 :]:
            child.requires_grad_(True)
    get_classifier(model).requires_grad_(True)
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            if not hasattr(module, _FROZEN_BN_HOOK):
                handle = module.register_forward_pre_hook(_keep_frozen_bn_in_eval)
                setattr(module, _FROZEN_BN_HOOK, handle)
            if not any(p.requires_grad for p in module.parameters(recurse=False)):
                module.eval()
    return model


def _contains(parent: nn.Module, module: nn.Module) -> bool:
    return any(m is module for m in parent.modules())


def param_groups(
    model: nn.Module, lr: float, backbone_lr_scale: float = 0.1
) -> list[dict[str, Any]]:
    """Optimizer parameter groups: the classifier at ``lr``, the rest at a smaller rate.

    Returns:
        ``[{"name": "head", "params": [...], "lr": lr}, {"name": "backbone", "params": [...],
        "lr": lr * backbone_lr_scale}]`` with only parameters that require gradients, each once;
        a group with no parameters is left out.

    Raises:
        ValueError: ``lr <= 0`` or ``backbone_lr_scale`` outside ``[0, 1]``.
    """
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    if not 0 <= backbone_lr_scale <= 1:
        raise ValueError(f"backbone_lr_scale must be in [0, 1], got {backbone_lr_scale}")
    head_ids = {id(p) for p in get_classifier(model).parameters()}
    head, backbone = [], []
    for p in model.parameters():
        if p.requires_grad:
            (head if id(p) in head_ids else backbone).append(p)
    groups = [
        {"name": "head", "params": head, "lr": lr},
        {"name": "backbone", "params": backbone, "lr": lr * backbone_lr_scale},
    ]
    return [group for group in groups if group["params"]]
