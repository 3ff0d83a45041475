"""The design judge against the gaming attempts found by a sceptical learner (issue: written work
is read, not counted), on the image-classification design.

Each attempt starts from the exemplar answer, which passes every shared check, and games it the
way the attempt was described; the test names the check that must reject it. The exemplars of
the three designs passing, and five honest alternative answers to the image prompt
(``tests/grader/data/honest_designs``), are the false-rejection side (the mutants of each
design's entry file are more wrong answers, checked by ``rxgrade verify``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import design_checks, design_judge, writing
from grader.written import parse

ROOT = Path(__file__).resolve().parents[2]
EXEMPLARS = {
    name: ROOT / f"solutions/week6/portfolio/design_{name}.md" for name in design_judge.RUBRICS
}
NAME = "image_classification"
EXEMPLAR = EXEMPLARS[NAME].read_text(encoding="utf-8")


def problems(text: str, name: str = NAME) -> list[str]:
    return design_checks.template_problems(
        parse(text),
        design_judge.RUBRICS[name],
        design_checks.REQUIRED_ESTIMATES[name],
        design_checks.DIAGRAM_PATHS[name],
    )


def section(text: str, heading: str) -> str:
    """The body of ``## heading`` (up to the next level-2 heading)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"the exemplar has no section {heading!r}"
    return match.group(1)


def replace_section(text: str, heading: str, body: str) -> str:
    return text.replace(section(text, heading), f"\n{body.strip()}\n\n", 1)


def flagged(found: list[str], *words: str) -> bool:
    """Some message mentions every one of ``words`` (case-insensitive)."""
    return any(all(w.lower() in message.lower() for w in words) for message in found)


@pytest.mark.parametrize("name", sorted(EXEMPLARS))
def test_every_exemplar_passes_every_shared_check(name: str) -> None:
    found = problems(EXEMPLARS[name].read_text(encoding="utf-8"), name)
    assert found == [], "\n".join(found)


#: Honest answers to the image-classification prompt, each a different design from the exemplar
#: and from each other (GPU serving with Triton; on-device with a server fallback; a small team on
#: managed cloud services; `name = value` estimate lines, a top-down diagram and a nearest-neighbour
#: matcher; sizing from users x photos per user with a growth target): false rejections to catch.
HONEST = sorted((ROOT / "tests/grader/data/honest_designs").glob(f"{NAME}_*.md"))


def test_there_are_five_honest_alternative_designs() -> None:
    assert len(HONEST) == 5, [path.name for path in HONEST]


@pytest.mark.parametrize("path", HONEST, ids=lambda path: path.stem)
def test_honest_alternative_designs_pass_every_shared_check(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = problems(text)
    assert found == [], "\n".join(found)
    # the writing checks of WritingTests (weeks/week6/tests/test_design_image_classification.py)
    filler, impossible = writing.document_problems(parse(text))
    assert filler == [], "\n".join(filler)
    assert impossible == [], "\n".join(impossible)
    pasted = design_checks.pasted_sections_problem(parse(text))
    assert pasted is None, pasted


def test_estimates_as_name_value_lines_are_data_not_filler() -> None:
    # the template's other form of the estimates table: `- peak_qps = 579 x 4 = 2,315 requests/s`
    # lines, without backticks; like table rows they are not prose (a false rejection once: the
    # lines read as a 48-word run without a function word)
    lines = section(HONEST[3].read_text(encoding="utf-8"), "Estimates")
    assert "- peak_qps = 579 x 4 = 2,315 requests/s" in lines
    assert writing.filler_problems(lines) == []
    keywords = " ".join(["redis kafka onnx canary shadow drift hpa int8 batching grafana"] * 4)
    assert writing.filler_problems(f"{lines}\n{keywords}\n"), "a keyword string passed"


def test_ten_labelled_nodes_and_no_edge_is_rejected() -> None:
    nodes = "\n".join(
        f"  n{i}[{label}]"
        for i, label in enumerate(
            [
                "Pharmacy app",
                "API gateway",
                "Redis cache",
                "Predictor pool",
                "Image store",
                "Pharmacist review queue",
                "Training pipeline",
                "Model registry",
                "Drift monitor",
                "Label store",
            ]
        )
    )
    gamed = re.sub(
        r"```mermaid\n.*?```", f"```mermaid\nflowchart LR\n{nodes}\n```", EXEMPLAR, flags=re.S
    )
    found = problems(gamed)
    assert found, "a diagram of ten labelled nodes and no edge passed"
    assert design_checks.connected_problem(
        design_judge.judge(parse(gamed), design_judge.RUBRICS[NAME])
    ), found


def test_sections_that_are_bare_keyword_lists_are_rejected() -> None:
    # long enough to pass a word count: the keyword lists a learner pads to 30+ words
    terms = (
        "dynamic batching, ONNX Runtime, int8 quantisation, Redis cache, gRPC, HPA autoscaling, "
        "p99 latency, temperature scaling, ECE, EfficientNet-B0, distillation, drift detection, "
        "Prometheus, Grafana dashboards, abstention rate, field gap, studio images, canary, "
        "shadow traffic, rollback, feature store, model registry, MLflow, Kubernetes, GPU, CPU"
    )
    gamed = EXEMPLAR
    for heading in ("Serving", "Model", "Monitoring"):
        gamed = replace_section(gamed, heading, terms)
    found = problems(gamed)
    assert flagged(found, "keyword") or flagged(found, "sentence"), found


def test_sections_answering_another_prompt_with_a_trailing_glossary_are_rejected() -> None:
    # every section about a recommendation system; the image prompt's concepts only in a glossary
    other = (
        "We retrieve five hundred candidate products per shopper from a two-tower model, rank "
        "them with a gradient-boosted tree on session features, and re-rank the top fifty for "
        "diversity before the feed is cached for the next visit of the shopper."
    )
    gamed = EXEMPLAR
    for heading in ("Model", "Serving", "Scaling", "Monitoring", "Failure modes"):
        gamed = replace_section(gamed, heading, other)
    gamed += (
        "\n## Glossary\n\ncalibration, temperature scaling, abstain, human review, dynamic "
        "batching, Redis, int8, ONNX, labelling, field gap, studio, HPA, autoscaler\n"
    )
    found = problems(gamed)
    assert flagged(found, "glossary") or flagged(found, "outside"), found


def test_estimates_that_contradict_their_own_inputs_are_rejected() -> None:
    gamed = EXEMPLAR.replace("| replicas | 13 | |", "| replicas | 2 | |")
    gamed = gamed.replace("| storage | 1.1 | PB |", "| storage | 40 | GB |")
    found = problems(gamed)
    assert flagged(found, "replicas") and flagged(found, "storage"), found


def test_estimates_stated_only_in_prose_are_rejected() -> None:
    table = section(EXEMPLAR, "Estimates")
    prose = (
        "About fifty million photos a day, so a few hundred per second, and with caching and "
        "batching a couple of replicas are plenty; storage is a few terabytes a year, cheap."
    )
    found = problems(EXEMPLAR.replace(table, f"\n{prose}\n\n", 1))
    assert flagged(found, "estimate"), found
