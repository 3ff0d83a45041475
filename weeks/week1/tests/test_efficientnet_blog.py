"""EfficientNet blog post draft: required sections, length, a code block, a table or figure, the
scaling constants stated correctly, the MBConv ingredients, your own numbers, and the paper cited.

Judged with word counts and regular expressions (see :mod:`grader.written`); the template
``weeks/week1/portfolio/efficientnet_blog.md`` documents the format. Clarity and accuracy beyond
these checks are your mentor's rubric.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from grader import manifest, star, written
from grader.writing import WritingTests

SECTIONS: dict[str, tuple[str, ...]] = {
    "Hook": ("hook",),
    "The problem with scaling one dimension": ("one dimension", "problem"),
    "Compound scaling": ("compound",),
    "The MBConv block": ("mbconv",),
    "What I measured": ("measured", "results", "experiment"),
    "Takeaways": ("takeaway",),
    "References": ("reference",),
}
MIN_SECTION_WORDS = 40
WORDS = (600, 1500)
CONSTANTS = {
    "alpha": (("alpha", "α"), 1.2),
    "beta": (("beta", "β"), 1.1),
    "gamma": (("gamma", "γ"), 1.15),
}
SQUARE = r"(?:\s*(?:\^|\*\*)\s*2|²)"
MBCONV_PARTS = {
    "the 1x1 expansion": ("expan",),
    "the depthwise convolution": ("depthwise", "depth-wise"),
    "squeeze-and-excitation": ("squeeze", "excitation"),
    "the residual (skip) connection": ("residual", "skip", "shortcut"),
}
PAPER = re.compile(r"arxiv\.org/(?:abs|pdf)/1905\.11946", re.IGNORECASE)
FENCE = re.compile(r"^(```|~~~).*?^\1\s*$", re.DOTALL | re.MULTILINE)
FIGURE = re.compile(r"!\[[^\]]*\]\([^)]+\)")
PROSE_SECTIONS = tuple(name for name in SECTIONS if name != "References")
VARIANTS = ("B0", "B1", "B3")


@pytest.fixture
def document(target_path: Path) -> written.Document:
    return written.load(target_path)


def _prose(text: str) -> str:
    """The text without fenced code blocks (comments are dropped by :func:`written.words`)."""
    return FENCE.sub(" ", text)


def _section(document: written.Document, name: str) -> str:
    return document.section(name, *SECTIONS[name]) or ""


@pytest.mark.clause("sections")
def test_every_section_is_written(document: written.Document) -> None:
    missing = [
        name
        for name in SECTIONS
        if written.words(_prose(_section(document, name))) < MIN_SECTION_WORDS
    ]
    assert not missing, (
        f"write each `## ` section of the template ({MIN_SECTION_WORDS}+ words of prose): missing "
        f"or too short: {', '.join(missing)}; headings found: {list(document.sections)}"
    )


@pytest.mark.clause("length")
def test_length_is_a_blog_post(document: written.Document) -> None:
    size = written.words(_prose(document.text))
    low, high = WORDS
    assert low <= size <= high, (
        f"a blog post draft should have {low}-{high} words of prose (code blocks and comments not "
        f"counted); yours has {size}"
    )


@pytest.mark.clause("prose")
def test_sections_are_prose_not_keyword_lists(document: written.Document) -> None:
    problem = written.prose_problems({name: _section(document, name) for name in PROSE_SECTIONS})
    assert problem is None, "write the post in full sentences: " + problem


@pytest.mark.clause("code-block")
def test_has_a_code_block(document: written.Document) -> None:
    blocks = [content for _, content in document.fences if len(content.strip().splitlines()) >= 3]
    assert blocks, (
        "include at least one fenced code block of 3+ lines (```python ... ```), e.g. your MBConv "
        f"forward pass or round_filters; found {len(document.fences)} block(s), none long enough"
    )


@pytest.mark.clause("table-or-figure")
def test_has_a_table_or_figure(document: written.Document) -> None:
    prose = _prose(document.text)
    rows = star.table_rows(prose)
    assert len(rows) >= 2 or FIGURE.search(prose), (
        "show your results as a Markdown table (header, rule, 2+ rows) or a figure "
        "(`![caption](path/to/plot.png)`); found neither"
    )


@pytest.mark.clause("constants")
@pytest.mark.parametrize("name", list(CONSTANTS))
def test_scaling_constant_is_stated_correctly(document: written.Document, name: str) -> None:
    spellings, want = CONSTANTS[name]
    pattern = re.compile(
        rf"(?:{'|'.join(spellings)})\s*(?:=|:|≈|is|of)\s*(\d+(?:\.\d+)?)", re.IGNORECASE
    )
    values = [float(m) for m in pattern.findall(_prose(_section(document, "Compound scaling")))]
    assert values, (
        f"state {name} in `## Compound scaling` as `{name} = <value>`; it is {want} in the paper"
    )
    wrong = [v for v in values if abs(v - want) > 1e-9]
    assert not wrong, f"{name} is {want} in the paper (section 3.3); you wrote {wrong}"
    elsewhere = {
        heading: found
        for heading, body in document.sections.items()
        if (
            found := [
                float(m) for m in pattern.findall(_prose(body)) if abs(float(m) - want) > 1e-9
            ]
        )
    }
    assert not elsewhere, (
        f"{name} is {want} (as your Compound scaling section says), but the post states it "
        f"differently elsewhere: {elsewhere}; a reader cannot tell which value is right"
    )


@pytest.mark.clause("constraint")
def test_flops_constraint_is_stated(document: written.Document) -> None:
    body = _prose(_section(document, "Compound scaling"))
    beta = rf"(?:beta|β){SQUARE}"
    gamma = rf"(?:gamma|γ){SQUARE}"
    constraint = re.compile(
        rf"(?:alpha|α)\s*(?:\*|·|×|⋅)?\s*{beta}\s*(?:\*|·|×|⋅)?\s*{gamma}\s*(?:≈|~|=|is about|"
        rf"approximately|roughly)\s*2\b",
        re.IGNORECASE,
    )
    assert constraint.search(body), (
        "state the constraint `alpha * beta^2 * gamma^2 ≈ 2` in `## Compound scaling` (width and "
        "resolution are squared because FLOPs grow with their square), so each step of phi "
        "doubles the FLOPs"
    )


@pytest.mark.clause("phi")
def test_compound_coefficient_is_named(document: written.Document) -> None:
    body = _prose(_section(document, "Compound scaling"))
    assert re.search(r"\bphi\b|φ|ϕ", body, re.IGNORECASE), (
        "name the compound coefficient phi (φ) that scales all three dimensions at once, in "
        "`## Compound scaling` (depth = alpha^phi, width = beta^phi, resolution = gamma^phi)"
    )


@pytest.mark.clause("mbconv-parts")
def test_mbconv_section_names_its_parts(document: written.Document) -> None:
    body = _prose(_section(document, "The MBConv block")).lower()
    missing = [part for part, words in MBCONV_PARTS.items() if not any(w in body for w in words)]
    assert not missing, f"`## The MBConv block` should explain: {', '.join(missing)}"


@pytest.mark.clause("measured-numbers")
def test_measurements_give_numbers(document: written.Document) -> None:
    body = _section(document, "What I measured")
    numbers = document.numbers(body)
    assert len(numbers) >= 3, (
        "`## What I measured` should report your own numbers (parameters, FLOPs, latency, "
        f"accuracy of B0/B1/B3); found {len(numbers)} number(s)"
    )


@pytest.mark.clause("measured-variants")
def test_measurements_cover_b0_b1_and_b3(document: written.Document) -> None:
    body = _section(document, "What I measured")
    missing = [
        v for v in VARIANTS if not re.search(rf"\b{v}\b|efficientnet[-_ ]?{v}\b", body, re.I)
    ]
    assert not missing, (
        "`## What I measured` should report your numbers for B0, B1 and B3 (the "
        f"week1.scaling_report variants); not named: {', '.join(missing)}"
    )


@pytest.mark.clause("paper-link")
def test_cites_the_paper(document: written.Document) -> None:
    body = _section(document, "References")
    assert PAPER.search(body), (
        "cite the paper in `## References` with its link: https://arxiv.org/abs/1905.11946"
    )


class TestWriting(WritingTests):
    """No filler section [#no-filler], no impossible figure [#possible-figures]."""

    skip_sections = ("reference",)


# -- read by meaning (the `semantic` fixture): last in the file, so a mutant caught above never
# loads the model


@pytest.mark.clause("on-topic")
def test_every_section_is_about_its_prompt(
    document: written.Document,
    semantic: ModuleType,
    rx_root: Path,
    deliverable: manifest.Deliverable,
) -> None:
    # the prompts come from the course's template (the learner's copy when graded in place:
    # a section whose guidance comment was deleted is not judged)
    template = (rx_root / deliverable.path_for("learner")).read_text()
    prompts = semantic.template_prompts(template, guided_only=True)
    answers = {name: _prose(_section(document, name)) for name in PROSE_SECTIONS}
    flagged = semantic.off_topic(answers, prompts)
    assert not flagged, semantic.off_topic_message(flagged)
