"""Which implementation the tests exercise: the learner's stubs or the reference solutions."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from grader.manifest import Deliverable

TARGETS = ("learner", "solution")
ENV_TARGET = "RXGRADE_TARGET"
ENV_LEARNER_ROOT = "RXGRADE_LEARNER_ROOT"


def resolve_target(option: str | None, ini: str | None) -> str:
    """Command-line option, then the environment variable, then the ini key, then ``learner``."""
    for value, origin in (
        (option, "--target"),
        (os.environ.get(ENV_TARGET), ENV_TARGET),
        (ini, "the rxgrade_target ini key"),
    ):
        if value:
            if value not in TARGETS:
                raise ValueError(f"{origin} is {value!r}; choose one of {', '.join(TARGETS)}")
            return value
    return "learner"


def activate_learner_root(root: Path) -> None:
    """Make ``weeks`` (and its siblings) import from ``root``, dropping copies imported elsewhere.

    Used when a mentor grades another checkout: the official tests and manifest stay, the
    learner's modules come from ``root``.
    """
    global _learner_root
    root = root.resolve()
    _learner_root = root
    _forget_other_weeks(root)
    if str(root) in sys.path:
        sys.path.remove(str(root))
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()


_learner_root: Path | None = None  # set by activate_learner_root


def _forget_other_weeks(root: Path) -> None:
    """Drop ``weeks`` modules imported from anywhere but ``root`` (pytest imports the official
    test files' parent packages, ``weeks`` and ``weeks.weekN``, from the mentor's checkout),
    except the test modules themselves."""
    for name in list(sys.modules):
        if (name == "weeks" or name.startswith("weeks.")) and ".tests" not in name:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if not Path(module_file).resolve().is_relative_to(root):
                del sys.modules[name]


def import_target(deliverable: Deliverable, target: str) -> ModuleType:
    """Import the module under test for ``deliverable``: its stub or its solution."""
    name = deliverable.module_name(target)
    if target == "learner" and _learner_root is not None:
        _forget_other_weeks(_learner_root)
        importlib.invalidate_caches()
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            path = deliverable.path_for(target)
            raise ModuleNotFoundError(
                f"{deliverable.id}: expected the {target} module at {path}, but there is no such "
                f"file. Restore it from git (`git checkout -- {path}`) or check the `module` field "
                f"of {deliverable.id} in curriculum.toml."
            ) from exc
        raise


def import_file(path: Path) -> ModuleType:
    """Import a standalone module file (a mutant of a solution) under a private name."""
    path = path.resolve()
    name = "_rxgrade_impl_" + "_".join(path.with_suffix("").parts[-3:])
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def module_ref(module: ModuleType) -> str:
    """A string from which another process imports the same module (:func:`load_ref`): the
    file of a stub or solution, or a reference that rebuilds a mutant."""
    return getattr(module, "__rxgrade_ref__", None) or str(Path(module.__file__).resolve())


def load_ref(ref: str) -> ModuleType:
    """Import the module named by :func:`module_ref` (for example in a uvicorn worker)."""
    if ref.startswith("mutant:"):
        from grader.mutants import load_ref as load_mutant

        return load_mutant(ref)
    return import_file(Path(ref))
