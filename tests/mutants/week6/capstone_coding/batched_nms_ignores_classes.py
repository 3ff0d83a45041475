"""Bug: batched_nms runs plain NMS, so boxes of different classes suppress each other."""

from types import ModuleType

from solutions.week6 import capstone_coding as _solution

__all__ = ["drill"]


def drill(name: str) -> ModuleType:
    module = _solution.drill(name)
    if name != "iou_nms":
        return module
    patched = ModuleType(module.__name__)
    vars(patched).update(vars(module))
    patched.batched_nms = lambda boxes, scores, class_ids, iou_threshold: module.nms(
        boxes, scores, iou_threshold
    )
    return patched
