"""The mutation session: grade an exercise's mutants instead of its target.

Registered by the plugin only when ``--rxgrade-mutant`` is given (``rxgrade verify`` does that):
each test that uses ``impl`` or ``target_path`` runs once per selected mutant of its exercise; a
mutant is not tested further once a test has failed on it. The verdict of each mutant is one of

- ``caught``: it built, and a test failed in its call phase;
- ``survived``: it built, and no test failed in its call phase (a fixture that errored in set-up
  does not count: the test never looked at the answer);
- ``broken: ...``: it did not build (stale edit, import error): an author's bug, never a catch.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from grader import manifest
from grader.mutants import Mutant, MutantError, build_module, load, materialize

__all__ = ["MutantSession", "select"]


def select(curriculum: manifest.Curriculum, keys: list[str]) -> list[Mutant]:
    """The mutants named by ``keys``: ``weekN.exercise`` (all of them) or ``weekN.exercise:name``.

    Raises:
        pytest.UsageError: an unknown exercise or mutant name.
    """
    chosen: dict[str, Mutant] = {}
    for key in keys:
        exercise, _, name = key.partition(":")
        if exercise not in curriculum:
            raise pytest.UsageError(f"--rxgrade-mutant {key}: no exercise {exercise!r}")
        try:
            found = load(curriculum, curriculum[exercise])
        except MutantError as err:
            raise pytest.UsageError(str(err)) from None
        if name:
            found = [m for m in found if m.name == name]
            if not found:
                raise pytest.UsageError(f"--rxgrade-mutant {key}: {exercise} has no such mutant")
        for mutant in found:
            chosen[mutant.key] = mutant
    return list(chosen.values())


class MutantSession:
    """Parametrizes the tests of each exercise over its mutants and records the verdicts."""

    def __init__(self, curriculum: manifest.Curriculum, mutants: list[Mutant]) -> None:
        self.curriculum = curriculum
        self.mutants = mutants
        self.verdicts: dict[str, str] = {m.key: "survived" for m in mutants}
        self.notes: dict[str, str] = {}
        self._modules: dict[str, ModuleType | MutantError] = {}
        self._paths: dict[str, Path | MutantError] = {}
        self._workdir: Path | None = None

    # -- collection --------------------------------------------------------------------------
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "rxgrade_mutant" not in metafunc.fixturenames:
            return
        try:
            rel = Path(str(metafunc.definition.path)).resolve().relative_to(self.curriculum.root)
        except ValueError:
            return
        deliverable = self.curriculum.by_test_path(rel.as_posix())
        if deliverable is None:
            return
        mine = [m for m in self.mutants if m.exercise == deliverable.id]
        if mine:
            metafunc.parametrize("rxgrade_mutant", mine, ids=[m.name for m in mine])

    @staticmethod
    def mutant_of(item: pytest.Item) -> Mutant | None:
        callspec = getattr(item, "callspec", None)
        return callspec.params.get("rxgrade_mutant") if callspec else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        mutant = self.mutant_of(item)
        if mutant is None:
            return
        verdict = self.verdicts[mutant.key]
        if verdict == "caught":
            pytest.skip(f"{mutant.name} is already caught by an earlier test")
        if verdict.startswith("broken"):
            pytest.skip(f"{mutant.name} is broken: {verdict}")

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        mutant = self.mutant_of(item)
        if mutant is None or not report.failed:
            return report
        if self.verdicts[mutant.key].startswith("broken"):
            return report
        if report.when == "call":
            self.verdicts[mutant.key] = "caught"
            self.notes[mutant.key] = item.nodeid
        else:
            self.notes.setdefault(
                mutant.key, f"{item.nodeid} errored in {report.when} (not counted)"
            )
        return report

    # -- building ----------------------------------------------------------------------------
    def workdir(self, request: pytest.FixtureRequest) -> Path:
        if self._workdir is None:
            factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
            self._workdir = factory.getbasetemp() / "rxgrade-mutants"
        return self._workdir

    def module(self, request: pytest.FixtureRequest, mutant: Mutant) -> ModuleType:
        """The mutant's module, built once; a build failure marks the mutant broken."""
        if mutant.key not in self._modules:
            deliverable = self.curriculum[mutant.exercise]
            try:
                self._modules[mutant.key] = build_module(
                    mutant, deliverable, self.curriculum.root, self.workdir(request)
                )
            except MutantError as err:
                self._modules[mutant.key] = err
        return self._result(mutant, self._modules[mutant.key])

    def path(self, request: pytest.FixtureRequest, mutant: Mutant) -> Path:
        """The mutant's file (notebooks, written work), written once."""
        if mutant.key not in self._paths:
            try:
                self._paths[mutant.key] = materialize(
                    mutant, self.curriculum.root, self.workdir(request)
                )
            except MutantError as err:
                self._paths[mutant.key] = err
        return self._result(mutant, self._paths[mutant.key])

    def _result(self, mutant: Mutant, outcome):
        if isinstance(outcome, MutantError):
            self.verdicts[mutant.key] = f"broken: {outcome}"
            pytest.fail(str(outcome), pytrace=False)
        return outcome

    def report(self) -> dict[str, str]:
        """Verdict per mutant key; a survivor's says what happened (a set-up error, say)."""
        out = {}
        for key, verdict in self.verdicts.items():
            if verdict == "survived" and key in self.notes:
                verdict = f"survived ({self.notes[key]})"
            out[key] = verdict
        return out
