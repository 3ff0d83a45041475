"""The gaming attempts of issue 11 that grader/writing.py judges, and honest answers it must pass.

Each gaming test builds what a user submitted (filler padded with the keywords the other judges
look for, impossible figures) and shows the judge rejects it with a message that names the
section and quotes the phrase. The false-rejection checks run both judges on honest answers
written for this file: real sections on the course's topics in different styles, with
legitimate figures ("improved by 250 %", "from 120 ms to 45 ms", "99.5 % precision", "-40 %
latency").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import star, writing, written

ROOT = Path(__file__).resolve().parents[2]
BLOG = ROOT / "solutions" / "week1" / "portfolio" / "efficientnet_blog.md"
#: The words the efficientnet_blog judges look for (constants, constraint, phi, MBConv parts).
KEYWORDS = (
    "alpha = 1.2, beta = 1.1, gamma = 1.15, alpha * beta^2 * gamma^2 ≈ 2, phi, expansion, "
    "depthwise, squeeze-and-excitation, residual skip connection, B0 B1 B3"
)
LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
    "ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in "
    "reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur."
)


def _replace_section(text: str, heading: str, body: str) -> str:
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 3)
    return text[:start] + f"## {heading}\n\n{body}\n" + (text[end:] if end != -1 else "")


def _judge(text: str) -> tuple[list[str], list[str]]:
    return writing.document_problems(written.parse(text))


# -- gaming attempts ------------------------------------------------------------------------------
def test_exemplar_blog_passes_both_judges() -> None:
    assert _judge(BLOG.read_text(encoding="utf-8")) == ([], [])


def test_one_word_repeated_600_times_plus_the_keywords_is_filler() -> None:
    gamed = _replace_section(
        BLOG.read_text(encoding="utf-8"),
        "Compound scaling",
        " ".join(["scaling"] * 600) + " " + KEYWORDS,
    )
    filler, _ = _judge(gamed)
    assert filler, "600 x 'scaling' + keywords passed"
    message = "\n".join(filler)
    assert "`## Compound scaling`" in message
    assert "'scaling' alone is 600" in message
    assert "string of keywords" in message


def test_every_section_one_word_repeated_is_filler_in_each() -> None:
    text = BLOG.read_text(encoding="utf-8")
    document = written.parse(text)
    for heading in list(document.sections)[:-1]:
        text = _replace_section(text, heading, " ".join(["efficientnet"] * 90) + " " + KEYWORDS)
    filler, _ = _judge(text)
    flagged = {line.split("`")[1] for line in filler}
    assert flagged >= {f"## {h}" for h in list(document.sections)[:-1]}


def test_lorem_ipsum_with_the_keywords_is_filler() -> None:
    gamed = _replace_section(
        BLOG.read_text(encoding="utf-8"), "The MBConv block", f"{LOREM} {KEYWORDS}. {LOREM}"
    )
    filler, _ = _judge(gamed)
    assert any("`## The MBConv block`" in f and "lorem ipsum" in f for f in filler), filler


def test_a_paragraph_pasted_again_and_again_is_filler() -> None:
    paragraph = (
        "Compound scaling grows depth, width and resolution together with one coefficient phi, "
        "so that every step roughly doubles the FLOPs of the network. "
    )
    filler = writing.filler_problems(paragraph * 5)
    assert any("repeat earlier ones" in f for f in filler), filler


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("The int8 model improved throughput by +1000000 %.", "'+1000000 %'"),
        ("Throughput rose 2,000,000% after the change.", "'2,000,000%'"),
        ("The classifier reached 101 % accuracy on the field photos.", "'101 %' of accuracy"),
        ("Precision was 100.5% after calibration.", "'100.5%' of Precision"),
        ("After pruning, latency −300 % on the pharmacy laptop.", "'−300 %'"),
        ("Memory fell by 150% with int8 weights.", "'150%' of decrease"),
        ("The ensemble's AUC = 1.2 on the field split.", "AUC as a fraction is at most 1.0"),
        ("GPU utilisation was 140% during the load test.", "of utilisation"),
        ("The p95 latency of -20 ms beat the SLO.", "cannot be negative"),
        ("Serving now costs -$40 a month.", "a cost cannot be negative"),
        ("We measured p50 40 ms and p95 30 ms at batch 1.", "'p50 40 ms' but 'p95 30 ms'"),
        ("Latency p50/p95/p99 = 12/9/30 ms under load.", "'p50 12 ms' but 'p95 9 ms'"),
        ("It answers in 95 ms p50 and 38 ms p99 on two cores.", "'p50 95 ms' but 'p99 38 ms'"),
    ],
)
def test_impossible_figures_are_rejected(text: str, quoted: str) -> None:
    problems = writing.figure_problems(text)
    assert any(quoted in p for p in problems), problems
    assert star.implausible(text) == problems  # star's judge is the same


def test_p95_below_p50_in_a_table_row_is_rejected() -> None:
    table = (
        "| Configuration | p50 latency (ms) | p95 latency (ms) | Accuracy (%) |\n"
        "|---|---|---|---|\n"
        "| eager | 5.5 | 7.2 | 96.8 |\n"
        "| ONNX int8 | 0.9 | 0.4 | 96.1 |\n"
    )
    problems = writing.figure_problems(table)
    assert problems == [
        "table row 'ONNX int8': p50 0.9 but p95 0.4; a higher percentile is never below a "
        "lower one of the same runs"
    ]
    assert writing.figure_problems(table, skip=["tables"]) == []


def test_a_table_of_impossible_proportions_and_negative_latency_is_rejected() -> None:
    table = (
        "| Model | Top-1 (%) | Latency (ms) | Δ latency (ms) |\n"
        "|---|---|---|---|\n"
        "| B0 | 101.5 | -3.0 | -40 |\n"
    )
    problems = writing.figure_problems(table)
    assert len(problems) == 2, problems  # the Δ column is a change: -40 is fine there
    assert "of a proportion" in problems[0] and "is negative" in problems[1]


def test_section_names_appear_in_figure_messages() -> None:
    text = "# Report\n\n## Results\n\nThe final model scored 104% recall on glare photos.\n"
    _, impossible = _judge(text)
    assert impossible == ["`## Results`: '104%' of recall: a proportion is at most 100%"], (
        impossible
    )


def test_unknown_rule_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown figure rules"):
        writing.figure_problems("", skip=["percentile"])


# -- false rejections: honest answers pass both judges -------------------------------------------
HONEST = {
    "blog, narrative": """
When we first moved the pill classifier from the studio photos to pictures taken at the pharmacy
counter, its accuracy fell from 96.8% to 71%. Glare on blister packs and blur from shaking hands
were the usual suspects, and the confusion matrix agreed: most of the errors were white round
tablets that look alike even to a pharmacist. Fine-tuning on 1,200 field photos improved field
accuracy by 250 % relative to the zero-shot baseline of the first prototype, and the median
latency stayed at 45 ms on the laptop. Compound scaling helped less than we hoped: B3 costs
about five times the FLOPs of B0 and, with our short budget, bought nothing we could measure.
""",
    "benchmark, terse technical": """
Exporting to ONNX Runtime cut the p50 latency from 120 ms to 45 ms and the p95 from 180 ms to
62 ms at batch 1 on one thread. Static int8 quantisation gave another -40 % latency with a drop
of 0.6 points of top-1 accuracy; throughput at batch 32 rose by 180 %, from 1,399 to 3,918
images per second. p50/p95/p99 = 0.8/1.0/1.6 ms for the int8 model. The model file shrank from
2.75 MB to 0.74 MB, a 73% reduction, which matters because the installer is downloaded over
slow pharmacy connections.
""",
    "design, first person plural": """
We serve the model behind a small FastAPI service with a p99 under 300 ms and a p50 under 80 ms.
The feature cache has a hit rate of 92 %, and a miss costs one read from the feature store, so
the store sees about 140 requests per second at peak. We keep GPU utilisation near 65% by
batching requests for up to 10 ms; beyond that the latency budget is gone. When the model
registry is down, the service keeps the last model it loaded and the predictions carry its
version, so an audit can always tell which model answered.
""",
    "STAR result, first person": """
I rewrote the evaluation script so that every run logged precision and recall per class, and I
found that the rare classes had 99.5 % precision but only 61% recall. I added 400 labelled
photos of those classes and re-balanced the sampler; recall on them improved to 84% while
overall accuracy stayed at 96%. The on-call pages about silent misclassification went from
nine a month to one, and the review of the change took two days instead of the usual week.
""",
    "trade-off, analytical": """
Availability of 99.95% allows about 22 minutes of downtime a month, which rules out a single
region. A second region doubles the serving cost, from $1,800 to $3,600 a month, but halves the
time to recover from a regional outage. Coverage of the label audit is the other lever: sampling
5% of predictions for review costs two pharmacist hours a day and catches drift within a week,
while reviewing 20% would catch it in two days at four times the cost. I would start with 5%
and raise it only when the drift monitor fires.
""",
    "reflection, plain and short sentences": """
The first version was slow. It loaded the model on every request. I moved the load to start-up
and the cold path disappeared. The p95 fell by 30 ms, to 55 ms, and the p50 settled at 21 ms.
Memory use grew by 15% because the model now stays resident, which the laptop can afford. Next
time I would profile before guessing: the profiler showed the problem in under a minute, and I
had spent an afternoon on the wrong theory.
""",
    "list of findings in full sentences": """
- The F1 score of the field model is 0.87, against 0.91 in the studio, and the gap is almost all
  glare.
- Top-1 accuracy of B0 at 64 px is 5.4% after 30 steps, close to chance for 26 classes, so the
  comparison says nothing about capacity yet.
- The AUC of the out-of-distribution detector is 0.93, which is enough to route uncertain
  photos to a pharmacist.
- The share of requests answered from the cache rose 12 percentage points after we keyed it on
  the image hash instead of the file name.
""",
}


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_sections_pass_the_filler_judge(name: str) -> None:
    assert writing.filler_problems(HONEST[name]) == []


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_sections_pass_the_figure_judge(name: str) -> None:
    assert writing.figure_problems(HONEST[name]) == []


def test_an_honest_document_passes_the_shared_tests() -> None:
    text = "# Notes on the pill classifier\n\n" + "".join(
        f"## {name.title()}\n{body}\n" for name, body in HONEST.items()
    )
    assert _judge(text) == ([], [])


@pytest.mark.parametrize(
    "text",
    [
        "Throughput improved by 250 % and latency went from 120 ms to 45 ms.",
        "99.5 % precision and -40 % latency on the int8 model.",
        "Recall improved by 150% on the rare class, 3x faster overall.",
        "Traffic grew 900% over the launch week.",
        "The Δ p95 was -12 ms and the saving was $400 a month.",
        "The p50 was 40 ms and the p95 was 95 ms; the p99 reached 140 ms.",
        "It answers in 38 ms p50 and 95 ms p99 at 40 requests/s.",
        "The p95 fell by 30 ms while the p50 rose to 50 ms.",
        "AUC of 0.97 and an F1 of 0.88.",
        "Accuracy (%) 96.1, availability 99.99%.",
    ],
)
def test_legitimate_figures_are_not_flagged(text: str) -> None:
    assert writing.figure_problems(text) == [], text


def test_mattr_does_not_penalise_long_sections() -> None:
    text = " ".join(HONEST.values())
    words = writing.tokens(text)
    assert len(words) > 400
    assert writing.mattr(words) > writing.MIN_MATTR
    assert len(set(words)) / len(words) < writing.mattr(words)  # plain TTR falls with length


# -- the shared tests' configuration --------------------------------------------------------------
def test_a_deliverable_with_its_own_figures_test_gets_no_second_one() -> None:
    class Own(writing.WritingTests):
        figures = False

    class Shared(writing.WritingTests):
        pass

    assert Own.test_figures_are_possible is None
    assert callable(Shared.test_figures_are_possible)
    assert callable(Own.test_sections_are_not_filler)


def test_skipped_sections_are_not_judged() -> None:
    text = (
        "# Notes\n\n## Estimates\n\nutilisation = 140 %, which the estimates test judges.\n\n"
        "## References\n\n" + " ".join(["Tan Le EfficientNet ICML 2019 arXiv"] * 6) + "\n"
    )
    document = written.parse(text)
    filler, impossible = writing.document_problems(document)
    assert filler and impossible
    assert writing.document_problems(
        document, skip_sections=("reference",), skip_figure_sections=("estima",)
    ) == ([], [])


def test_the_template_is_not_started() -> None:
    stub = ROOT / "weeks" / "week1" / "portfolio" / "efficientnet_blog.md"
    with pytest.raises(NotImplementedError, match="still the template"):
        writing._load(stub)


def test_a_large_increase_backed_by_both_values_is_a_measurement() -> None:
    honest = "Throughput rose from 40 to 4,500 images/s, an increase of 11,150 %."
    assert writing.figure_problems(honest) == []
    # the same percentage with values that do not give it is still refused
    assert writing.figure_problems(honest.replace("4,500", "450"))
