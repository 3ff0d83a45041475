"""Tests of week6.design_image_classification: an image classification system at scale.

Your design is read by ``grader.design_judge``: every section of the template written in
sentences (more than a one-liner, not a keyword list), a Mermaid architecture diagram that parses,
names the main components and connects them (client to model server, training through the model
registry to the model server), the key concepts of the prompt discussed in the sections where they
belong, estimates stated in the structured form (a table ``| quantity | value | unit |`` or lines
``name = value unit``) with their inputs, that still hold when recomputed, and at least three
explicit trade-offs (these shared checks are in ``grader/design_checks.py``; each test names the
``[#clause]`` of the template it checks). The quality of the argument is your mentor's rubric, not
these tests.
Run: ``pytest weeks/week6/tests/test_design_image_classification.py``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from grader import design_judge, manifest, written
from grader.design_checks import DIAGRAM_PATHS, FORMAT, REQUIRED_ESTIMATES, DesignPromptTests
from grader.writing import WritingTests


class TestDesign(DesignPromptTests):
    rubric = design_judge.RUBRICS["image_classification"]
    required_estimates = REQUIRED_ESTIMATES["image_classification"]
    paths = DIAGRAM_PATHS["image_classification"]

    @pytest.mark.clause("volume")
    def test_estimates_answer_the_prompt(self, judgement: design_judge.Judgement) -> None:
        daily = judgement.estimates.values.get("daily_requests")
        assert daily is not None, f"state the prompt's volume as daily_requests; {FORMAT}"
        per_day = daily.value * 86_400
        assert 45e6 <= per_day <= 55e6, (
            f"the prompt is 50 million photos a day; your daily_requests is {per_day:,.0f} per "
            f"day (line {daily.line}: {daily.text!r})"
        )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("on-topic")
def test_every_section_is_about_its_prompt(
    target_path: Path, semantic: ModuleType, rx_root: Path, deliverable: manifest.Deliverable
) -> None:
    # the prompts come from the course's template (the learner's copy when graded in place:
    # a section whose guidance comment was deleted is not judged)
    template = (rx_root / deliverable.path_for("learner")).read_text()
    prompts = semantic.template_prompts(template, guided_only=True)
    document = written.load(target_path)
    answers = semantic.section_answers(document.sections)
    flagged = semantic.off_topic(answers, prompts)
    assert not flagged, semantic.off_topic_message(flagged)
