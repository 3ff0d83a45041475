"""Transfer learning: re-head a network, freeze its backbone, fine-tune with two learning rates.

No pretrained weights can be downloaded here, so "pretrained" means "trained on the studio split
a little"; the recipe is the same as with ImageNet weights:

1. replace the classifier by a fresh one for the new class set (``replace_classifier``);
2. freeze the backbone, optionally keeping its last stages trainable (``freeze_backbone``):
   frozen weights get no gradient AND frozen BatchNorm layers keep their running statistics;
3. give the optimizer the head at the full learning rate and whatever is still trainable in the
   backbone at a smaller one (``param_groups``).

Everything must work on timm models (``timm.create_model("efficientnet_b0")``,
``timm.create_model("resnet10t")``) and on your own EfficientNet from ``week1.efficientnet``,
which has timm's attribute names (``conv_stem``, ``bn1``, ``blocks``, ``conv_head``, ``bn2``,
``classifier``) but no ``get_classifier``/``reset_classifier`` methods.

Vocabulary:

- *classifier* or *head*: the final ``nn.Linear`` producing the logits;
- *stages*: the backbone's groups of blocks in forward order, given by :func:`backbone_stages`
  (``model.blocks[0..6]`` for an EfficientNet, ``model.layer1..layer4`` for a ResNet);
- a BatchNorm layer is *frozen* when none of its parameters (``weight``, ``bias``) requires a
  gradient. Any ``nn.modules.batchnorm._BatchNorm`` counts, including timm's and your
  ``BatchNormAct2d``.

Given (do not change): ``backbone_stages``.
"""

from __future__ import annotations

from typing import Any

from torch import nn

__all__ = [
    "backbone_stages",
    "freeze_backbone",
    "get_classifier",
    "param_groups",
    "replace_classifier",
]


def backbone_stages(model: nn.Module) -> list[nn.Module]:
    """The backbone's stages in forward order: ``model.blocks[i]`` or ``model.layer1..layer4``.

    Given: you do not write this one.

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


def get_classifier(model: nn.Module) -> nn.Module:
    """The model's final classification layer.

    - timm models have a method for it: return ``model.get_classifier()``. [#timm-head]
    - any other model (your EfficientNet): return the LAST ``nn.Linear`` met in
      ``model.named_modules()`` (registration order, which is the forward order for these
      models). [#last-linear]

    Args:
        model: a classifier network.

    Returns:
        The head module itself (not a copy): changing it changes the model. [#same-object]

    Raises:
        ValueError: no ``get_classifier`` method and no ``nn.Linear`` in the model. [#no-head]
    """
    # TODO: timm's method first, then the last nn.Linear.
    raise NotImplementedError


def replace_classifier(model: nn.Module, num_classes: int) -> nn.Module:
    """Give ``model`` a fresh, trainable classifier with ``num_classes`` outputs, and return it.

    - timm models: call ``model.reset_classifier(num_classes)`` and return the new
      ``model.get_classifier()``. [#timm-reset]
    - other models: replace the last ``nn.Linear`` (found as in :func:`get_classifier`, with its
      dotted name) by ``nn.Linear(old.in_features, num_classes)`` on the same device, by
      ``setattr`` on its parent module (``model.get_submodule(parent_name)``). [#replace-last]

    In both cases the new head's parameters require gradients. [#head-trainable]
    ``model.num_classes`` is set to ``num_classes`` when the model has that attribute.
    [#num-classes-attr] Afterwards ``model(x)`` has shape ``(N, num_classes)``. [#output-shape]
    The rest of the model is untouched (same weights, same objects). [#rest-untouched]

    Args:
        model: a classifier network, changed in place.
        num_classes: the size of the new label set (e.g. 26 pill classes, or 5 new ones).

    Returns:
        The new head module. [#returns-head]

    Raises:
        ValueError: ``num_classes < 1``, or the model has no classifier. [#num-classes-range]
    """
    # TODO: validate, then the two cases above.
    raise NotImplementedError


def freeze_backbone(model: nn.Module, unfreeze_last: int = 0) -> nn.Module:
    """Freeze everything but the classifier and the last ``unfreeze_last`` stages, in place.

    1. every parameter gets ``requires_grad=False``. [#freeze-all]
    2. the last ``unfreeze_last`` stages of :func:`backbone_stages` become trainable again.
       [#unfreeze-stages] When ``unfreeze_last >= 1``, so does every top-level child of the model
       registered AFTER the last stage (the layers between the stages and the head:
       EfficientNet's ``conv_head`` and ``bn2``). [#unfreeze-neck] With ``unfreeze_last=0`` only
       the classifier trains (a "linear probe"). [#linear-probe]
    3. the classifier (:func:`get_classifier`) is always trainable. [#head-trains]
    4. frozen BatchNorm layers must behave as in eval mode (use and keep their running
       statistics) even after ``model.train()``, which sets every submodule's ``training`` back
       to True. One way: put them in eval mode now AND register on every BatchNorm layer, once,
       a forward pre-hook (``module.register_forward_pre_hook(fn)``, ``fn(module, args)``) that
       calls ``module.eval()`` when the layer's parameters are all frozen. [#frozen-bn] Trainable
       BatchNorm layers keep training normally. [#trainable-bn]

    Calling it again (e.g. ``unfreeze_last=0`` then ``2``) re-freezes from scratch; the result
    must not depend on earlier calls. [#refreeze] The grader trains a few steps after freezing
    and checks that frozen weights AND frozen running statistics are bit-identical, and that
    everything meant to train did change.

    Args:
        model: a classifier network with stages (see :func:`backbone_stages`).
        unfreeze_last: how many of the last stages stay trainable, ``0 <= unfreeze_last <=
            len(backbone_stages(model))``.

    Returns:
        ``model`` itself. [#returns-model]

    Raises:
        ValueError: ``unfreeze_last`` out of range. [#unfreeze-range]
    """
    # TODO: requires_grad_, then the BatchNorm hook.
    raise NotImplementedError


def param_groups(
    model: nn.Module, lr: float, backbone_lr_scale: float = 0.1
) -> list[dict[str, Any]]:
    """Parameter groups for ``torch.optim``: the classifier at ``lr``, the backbone lower.

    Returns ``[{"name": "head", "params": [...], "lr": lr}, {"name": "backbone", "params": [...],
    "lr": lr * backbone_lr_scale}]`` in that order. [#groups] There:

    - ``"head"`` holds the classifier's parameters (:func:`get_classifier`). [#head-group]
    - ``"backbone"`` holds every OTHER parameter that requires a gradient. [#backbone-group]
    - frozen parameters (``requires_grad=False``) are in no group, and no parameter is in two.
      [#no-frozen]
    - a group that would be empty (a fully frozen backbone) is left out. [#empty-group]

    Usage: ``torch.optim.AdamW(param_groups(model, 1e-3), weight_decay=0.01)``. Extra keys such
    as ``"name"`` are kept by torch optimizers and useful in logs.

    Args:
        model: the model after :func:`freeze_backbone`.
        lr: the head's learning rate, > 0.
        backbone_lr_scale: the backbone's rate is ``lr * backbone_lr_scale``, in ``[0, 1]``.

    Returns:
        One or two group dicts.

    Raises:
        ValueError: ``lr <= 0`` or ``backbone_lr_scale`` outside ``[0, 1]``. [#rates-range]
    """
    # TODO: split model.parameters() by identity with the head's parameters.
    raise NotImplementedError
