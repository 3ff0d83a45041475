"""Gaming the written judges with meaning: the judges that read with the sentence model reject it.

Two routes from issue 11, each against the real all-MiniLM-L6-v2 (:mod:`grader.semantic`):

- *a STAR bank of one story copied eight times under eight titles*: exact copies (which the
  5-gram check of :func:`grader.star.near_duplicates` already finds) and copies told in other
  words (which it does not, and :func:`grader.semantic.near_duplicate_pairs` does);
- *sections about something else*: a section filled with gardening advice or a match report,
  with or without the section's keywords added, under a prompt of the blog, the benchmark
  report, a design or a trade-off analysis (:func:`grader.semantic.off_topic`).

Also the cheap judge that needs no model: *one paragraph pasted under several headings* of a
design (:func:`grader.design_checks.pasted_sections_problem`, word 5-grams).

And the false-rejection check for both judges: the exemplars, and honest alternatives written for
these tests (distinct stories on the same project, including two on the same subject; section
answers in other styles: terse, a list, a question, an analogy), all pass.

Limits, shown rather than hidden (see :data:`grader.semantic.RELEVANCE_THRESHOLD`): an answer
written for another section of the course usually passes the relevance judge (every course topic
is close to every other), and so does off-subject text with the section's keywords woven into its
sentences; the judge finds sections about something else entirely.

The model is loaded once for the module (about 8 s).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from grader import design_checks, star, written

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
TEMPLATES = ROOT / "weeks"


@pytest.fixture(scope="module")
def semantic() -> ModuleType:
    from grader import semantic

    semantic.load()
    return semantic


def _stories() -> dict[str, str]:
    document = star.load(SOLUTIONS / "week6" / "portfolio" / "star_stories.md")
    return {story.title: story.text for story in star.parse_stories(document)}


def _prompts(semantic: ModuleType, document: str) -> dict[str, str]:
    return semantic.template_prompts((TEMPLATES / f"{document}.md").read_text(), guided_only=True)


# -- prompts and answers, as the calibration built them (cheap: no model) -------------------------
def test_template_prompts_join_preamble_heading_and_guidance() -> None:
    from grader import semantic

    template = (TEMPLATES / "week1/portfolio/efficientnet_blog.md").read_text()
    prompts = semantic.template_prompts(template)
    assert list(prompts)[:2] == ["Hook", "The problem with scaling one dimension"]
    hook = prompts["Hook"]
    assert hook.startswith("EfficientNet explained: <your title> A blog post draft for engineers")
    assert "Hook. Two or three sentences that make an engineer want to read on" in hook
    assert "[#" not in hook and "<!--" not in hook and "##" not in hook


def test_section_answers_key_sections_like_the_template() -> None:
    from grader import semantic

    sections = {"Story 1: First": "a <!-- note --> b", "Story 2: Second": "c", "Trade-offs": "d"}
    assert semantic.section_answers(sections) == {"Story": "a  b", "Trade-offs": "d"}
    assert semantic.heading_key("Build vs buy: the model registry") == "Build vs buy"


# -- one paragraph pasted under several headings (cheap: no model) -------------------------------
DESIGNS = ("design_image_classification", "design_realtime_pipeline", "design_recommendation")


@pytest.mark.parametrize("name", DESIGNS)
def test_a_paragraph_pasted_under_every_heading_is_rejected(name: str) -> None:
    text = (SOLUTIONS / "week6" / "portfolio" / f"{name}.md").read_text()
    document = written.parse(text)
    paragraph = next(iter(document.sections.values())).strip()
    headings = list(document.sections)
    pasted = "\n\n".join(
        f"## {h}\n\n{document.sections[h].strip()}\n\n{paragraph}" for h in headings
    )
    problem = design_checks.pasted_sections_problem(
        written.parse(f"# {document.title}\n\n{pasted}")
    )
    assert problem is not None
    assert f"`## {headings[0]}` / `## {headings[1]}`" in problem


@pytest.mark.parametrize(
    "name", [*DESIGNS, "mock_system_design", "scalability_design", "design_diagrams"]
)
def test_honest_designs_share_no_pasted_section(name: str) -> None:
    document = written.load(SOLUTIONS / "week6" / "portfolio" / f"{name}.md")
    assert design_checks.pasted_sections_problem(document) is None


# -- one story copied eight times ----------------------------------------------------------------
STORY_2 = "Story 2: Making confidence mean something to pharmacists"

#: Story 2 of the exemplar bank told again by hand, the same facts in other words.
REWORDINGS = [
    # sentence by sentence, paraphrased (the week6.star_stories mutant)
    """In the pilot, pharmacists took high-confidence predictions at face value. The classifier
reported "99%" even on its mistakes, and in a pharmacy that can put the wrong medication on a label.

My job was to make the confidence score reliable enough for the review process to depend on it,
without slowing the pharmacists down during their working day.

I first spent an afternoon next to two pharmacists watching how they read the score; all they
checked was whether it exceeded 90%. On the validation split I measured calibration and got an
expected calibration error of 0.12, so the classifier was strongly overconfident. I studied
temperature scaling, went back to the original paper, and fitted one temperature on held-out
logits; this leaves accuracy untouched because the argmax does not move. Next I suggested an
abstention rule: any photo under a calibrated 85% is sent to a human review queue rather than
accepted automatically. I picked that cut-off together with the pharmacists, walking them through
the curve of review volume against error rate, since they would bear the cost of a longer queue,
not me. Last, I put ECE on the monitoring dashboard so that I would be paged if calibration
drifted.

Calibration error fell from 0.12 to 0.03, photos accepted wrongly went from 4.1% down to 0.6%, and
the review queue increased by just 9% of the daily photos.

I should have spoken to the users before measuring, since their threshold decided which error
mattered.""",
    # reordered and condensed: the result first, then how
    """Wrongly auto-accepted pill photos dropped from 4.1% to 0.6% and the expected calibration
error from 0.12 to 0.03, while the human review queue grew by only 9% of the photos of a day.
Before that, pharmacists in our pilot trusted any prediction the model marked "99%", and the model
said that even when it was wrong, which risks a wrong medication label.

I owned making the score something the review workflow could rely on without slowing the
pharmacists down. Watching two of them work for an afternoon showed me they only checked whether
the score passed 90%. I measured the calibration error on the validation split (0.12, badly
overconfident), read the temperature scaling paper, and fitted one temperature on held-out logits,
which keeps accuracy because the argmax cannot change. Then I proposed that photos under a
calibrated 85% go to a review queue instead of being accepted, and chose that threshold with the
pharmacists from a curve of queue size against error rate, as they would carry the extra reviews.
I also added ECE to the dashboard so drift in calibration would page me.

Next time I would talk to the users first: their threshold told me which error mattered.""",
    # told more casually, in shorter sentences
    """Our pharmacists believed the model. When it said 99%, they accepted the pill, and it said 99%
even when it was wrong. That is how a wrong medication label happens.

So my task was clear: make the confidence number trustworthy for the review workflow, and do not
slow the pharmacists down.

I sat with two of them for an afternoon. They only looked at one thing: was the score over 90%? I
measured calibration on the validation data. The expected calibration error was 0.12, so the
model was far too sure of itself. I read up on temperature scaling and fitted a single
temperature on held-out logits; accuracy stays the same, since the top class does not change.
Then I proposed a rule: under a calibrated 85%, a photo goes to a human review queue. I picked the
85% with the pharmacists, using a plot of queue size against error rate, because the extra
reviews were their time, not mine. Finally I put ECE on the dashboard, with a page if it drifts.

ECE went from 0.12 to 0.03. Wrong auto-accepts went from 4.1% to 0.6%. The queue grew by 9% of
daily photos.

Lesson: ask the users before measuring; their threshold defined the error that mattered.""",
]

TITLES = [f"Story {n}: Title number {n}" for n in range(1, 9)]


def test_a_bank_of_one_story_copied_eight_times_is_rejected(semantic: ModuleType) -> None:
    story = _stories()[STORY_2]
    bank = dict.fromkeys(TITLES, story)
    copies = star.near_duplicates(bank)
    assert len(copies) == 28, "the 5-gram check finds every exact copy (the cheap first line)"
    pairs = semantic.near_duplicate_pairs(bank)
    assert len(pairs) == 28 and all(v > 0.99 for *_, v in pairs)


def test_a_bank_of_one_story_reworded_eight_times_is_rejected(semantic: ModuleType) -> None:
    story = _stories()[STORY_2]
    versions = [story, *REWORDINGS]
    bank = {title: versions[n % len(versions)] for n, title in enumerate(TITLES)}
    pairs = semantic.near_duplicate_pairs(bank)
    assert len(pairs) == 28, f"every pair of the eight is one story: found {len(pairs)} of 28"
    assert min(v for *_, v in pairs) >= semantic.NEAR_DUPLICATE_THRESHOLD


@pytest.mark.parametrize("n", range(len(REWORDINGS)))
def test_a_rewording_escapes_the_5_gram_check_but_not_the_model(
    semantic: ModuleType, n: int
) -> None:
    story = _stories()[STORY_2]
    pair = {"original": story, "reworded": REWORDINGS[n]}
    assert not star.near_duplicates(pair), "a rewording shares few 5-grams: why the model is needed"
    assert [(a, b) for a, b, _ in semantic.near_duplicate_pairs(pair)] == [("original", "reworded")]


def test_a_reworded_story_in_the_exemplar_bank_is_named(semantic: ModuleType) -> None:
    bank = _stories()
    bank["Story 9: Confidence that pharmacists could trust"] = REWORDINGS[0]
    pairs = semantic.near_duplicate_pairs(bank)
    assert [(a, b) for a, b, _ in pairs] == [
        (STORY_2, "Story 9: Confidence that pharmacists could trust")
    ]


# -- false rejection: distinct honest stories on one project -------------------------------------
#: Honest stories on RxVision25 written for this test: different stories, two of them on the same
#: subjects as exemplar stories (calibration: story 2; the field gap: story 1).
HONEST_STORIES = {
    "Calibration drift after the relabelling": """Three months into the pilot, the ECE panel I had
added paged me: calibration error had crept from 0.03 to 0.08 in a week, although accuracy had not
moved. I had to find out whether pharmacists were again seeing overconfident scores before the
monthly report to the partner. I compared the confidence histograms before and after the alert and
saw the shift began the day we deployed a model retrained on relabelled data, but with the old
temperature. I refitted the temperature on the new held-out logits, which took an hour, and then
changed the release script so that the temperature is refitted and stored with every model
version in the registry instead of being a constant in the serving config. I also added a release
check that fails when a candidate's ECE on the validation split is above 0.05. ECE returned to
0.03 the same day and no release since has shipped with a stale temperature. I would have tied the
temperature to the model version from the start.""",
    "A field split that pharmacists photographed": """Our field split was made of photos I had taken
myself, and a pharmacist pointed out that nobody at a counter holds a phone the way I did. I needed
a test set that looked like real use before we trusted any field accuracy figure. I asked five
pharmacies to photograph the pills of one shelf during a quiet hour, with their own phones, and I
wrote a one-page guide that asked them not to tidy the counter. I labelled the 1,400 photos with two
pharmacists, measured their agreement at 98%, and resolved the disagreements together. On this split
the model scored 83%, six points below my own field split, and most of the new errors were motion
blur, which none of my photos had. I added blur to the augmentations and the gap closed to two
points. Next time I would ask users to collect the test data before I build my own.""",
    "Cutting the Docker image from 4 GB to 600 MB": """Deploying a new model version took eleven
minutes because every node pulled a 4 GB image with the full CUDA toolkit, although we serve on
CPU. I wanted deployments fast enough that a rollback would not be a coffee break. I rebuilt the
image in two stages: a builder stage exports the model to ONNX, and a slim runtime stage holds only
Python, ONNX Runtime and our service. I replaced the PyTorch dependency of the service with NumPy
preprocessing and checked, on 500 photos, that predictions were identical to the old image. I then
measured cold-start time on a fresh node and added an image-size budget to CI that fails above 800
MB. The image went from 4 GB to 600 MB, deployments from eleven minutes to two, and a rollback now
takes under three minutes. I would put the size budget in CI on the first day of any service.""",
    "Saying no to a second model for capsules": """A product owner asked for a separate model for
capsules because capsules seemed to be misclassified more often. Building it would have doubled our
training and serving work for the pilot. Before answering, I split the confusion matrix by pill
shape and found that capsules were not worse overall; two specific capsules with nearly identical
imprints accounted for most of the errors. I showed the owner the per-class table, proposed adding
120 labelled photos of those two capsules and a rule that sends them to review whenever the top
two classes are that pair, and promised to revisit the second model if capsule recall stayed
below 90%. She agreed. Capsule recall rose from 86% to 95% in two weeks with one model. I learned
to look at per-class errors before accepting a request for more architecture.""",
    "Teaching myself ONNX Runtime profiling": """Our p99 latency jumped from 80 ms to 130 ms after
an upgrade of ONNX Runtime, and nobody on the team knew its profiler. I had to find the cause within
the week, before the pilot's second phase. I spent an evening learning to enable the profiler and
read its JSON traces, then compared traces of the old and new versions on the same 200 photos. The
extra time was in a transpose that the new version no longer fused with the first convolution. I
pinned the previous version, filed an issue upstream with the two traces, and wrote a short guide
on profiling for the team wiki. When the fixed release came out I verified it with the same 200
photos before upgrading. The p99 was back to 80 ms the next day, and two teammates have since used
the guide. I would profile before upgrading, not after.""",
}


def test_distinct_honest_stories_on_one_project_are_not_flagged(semantic: ModuleType) -> None:
    bank = {**_stories(), **HONEST_STORIES}
    assert len(bank) == 13
    pairs = semantic.near_duplicate_pairs(bank)
    assert not pairs, f"distinct stories flagged as one: {pairs}"


def test_the_exemplar_behavioural_banks_are_not_flagged(semantic: ModuleType) -> None:
    for name in ("leadership_examples", "innovation_narratives"):
        document = written.load(SOLUTIONS / "week6" / "portfolio" / f"{name}.md")
        texts = {h: b for h, b in document.sections.items() if ":" in h}
        assert len(texts) >= 3
        assert not semantic.near_duplicate_pairs(texts), name


# -- sections about something else ---------------------------------------------------------------
GARDEN = """In spring I plant tomatoes along the south wall of the garden, where they get sun all
afternoon. Each plant needs a strong cane, water at the roots every evening in dry weather, and a
feed of seaweed once a week when the first flowers open. Pinch out the side shoots as they appear,
tie the main stem to its cane every few days, and by August the vines are heavy with fruit that
ripens on the windowsill if the nights turn cold."""
FOOTBALL = """The home side dominated the first half, keeping the ball for long spells and pinning
the visitors deep in their own half, but they could not turn possession into goals. After the break
the visitors changed shape, pressed higher and scored twice from corners within ten minutes. A late
penalty made it two-all, and the crowd went home arguing about the referee, who had waved away a
clearer appeal earlier in the game."""
TENNIS = """She won the final in three sets after losing the first on a tie-break. Her serve was
broken twice early on, but she adjusted her return position, attacked the second serve and took the
last eight games in a row while the crowd cheered every point."""


#: (document, section, text): text about something else under a section's prompt; the
#: keyword lines are the section's required words added to pass the keyword checks.
OFF_SUBJECT = [
    ("week1/portfolio/efficientnet_blog", "The MBConv block", GARDEN),
    (
        "week1/portfolio/efficientnet_blog",
        "The MBConv block",
        GARDEN + "\n\nNone of this needs an expansion, a depthwise convolution, "
        "squeeze-and-excitation or a residual skip connection.",
    ),
    ("week1/portfolio/efficientnet_blog", "Takeaways", FOOTBALL),
    ("week1/portfolio/benchmark_report", "Trade-offs", FOOTBALL),
    ("week1/portfolio/benchmark_report", "Method", GARDEN),
    ("week6/portfolio/design_image_classification", "Monitoring", TENNIS),
    (
        "week6/portfolio/design_image_classification",
        "Trade-offs",
        TENNIS + "\n\nKeywords: trade-off, latency, cost, accuracy, abstention, review queue.",
    ),
    ("week6/portfolio/tradeoff_analyses", "Cache or not", GARDEN),
    ("week6/portfolio/tradeoff_analyses", "REST vs gRPC", TENNIS),
]


@pytest.mark.parametrize(("document", "section", "text"), OFF_SUBJECT)
def test_a_section_about_something_else_is_flagged(
    semantic: ModuleType, document: str, section: str, text: str
) -> None:
    flagged = semantic.off_topic({section: text}, _prompts(semantic, document))
    assert list(flagged) == [section]
    message = semantic.off_topic_message(flagged)
    assert f"`## {section}` does not read as an answer to its prompt" in message


def test_off_subject_sections_in_an_exemplar_are_named_and_the_others_pass(
    semantic: ModuleType,
) -> None:
    document = "week1/portfolio/efficientnet_blog"
    text = (SOLUTIONS / f"{document}.md").read_text()
    answers = semantic.section_answers(written.parse(text).sections)
    answers["Hook"] = FOOTBALL
    answers["Takeaways"] = GARDEN
    flagged = semantic.off_topic(answers, _prompts(semantic, document))
    assert sorted(flagged) == ["Hook", "Takeaways"]


def test_the_exemplars_pass_the_relevance_judge(semantic: ModuleType) -> None:
    for document in (
        "week1/portfolio/efficientnet_blog",
        "week1/portfolio/benchmark_report",
        "week6/portfolio/design_image_classification",
        "week6/portfolio/tradeoff_analyses",
    ):
        text = (SOLUTIONS / f"{document}.md").read_text()
        answers = semantic.section_answers(written.parse(text).sections)
        prompts = _prompts(semantic, document)
        assert set(prompts) <= set(answers), document
        assert not semantic.off_topic(answers, prompts), document


#: Honest answers written for this test, in styles unlike the exemplars'.
HONEST_SECTIONS = [
    (
        "week1/portfolio/efficientnet_blog",
        "Hook",
        "What if you could make a network more accurate without guessing whether to add layers, "
        "channels or pixels? Our pill classifier has a laptop's budget, and EfficientNet's answer, "
        "turning all three together, got us further than any single knob.",
    ),
    (
        "week1/portfolio/efficientnet_blog",
        "Takeaways",
        "- Scale depth, width and resolution together, not one at a time.\n"
        "- Each step of phi roughly doubles the FLOPs.\n"
        "- Measure latency on your own hardware: fewer FLOPs did not always mean faster.",
    ),
    (
        "week1/portfolio/efficientnet_blog",
        "The MBConv block",
        "Think of MBConv as a funnel turned inside out. A cheap 1x1 convolution first widens the "
        "channels, a depthwise convolution then looks at each channel spatially on its own, a "
        "squeeze-and-excitation gate reweights the channels, a 1x1 projection narrows them again, "
        "and a skip connection adds the input back when the shapes allow it.",
    ),
    (
        "week1/portfolio/efficientnet_blog",
        "Compound scaling",
        "d = 1.2^phi, w = 1.1^phi, r = 1.15^phi, chosen by a small grid search on B0 so that "
        "alpha * beta^2 * gamma^2 is about 2. One step of phi: twice the FLOPs, all three "
        "dimensions grown in proportion.",
    ),
    (
        "week1/portfolio/benchmark_report",
        "Recommendation",
        "Serve ONNX Runtime fp32 by default: 6.7x lower median latency than eager PyTorch for the "
        "same predictions. For the nightly batch, the same model at batch 32. Revisit int8 once "
        "depthwise convolutions get fast int8 kernels on our CPUs.",
    ),
    (
        "week6/portfolio/design_image_classification",
        "Monitoring",
        "I would watch three things. Is the service healthy (error rate, p99 latency, queue "
        "wait)? Is the model still right (accuracy on delayed pharmacist labels, abstention rate)? "
        "Has the input changed (brightness and embedding drift against the training data)? Each "
        "gets an alert with an owner.",
    ),
    (
        "week6/portfolio/tradeoff_analyses",
        "REST vs gRPC",
        "**Options:** REST with JSON, or gRPC with protobuf.\n\n"
        "**Criteria:** latency, ease for the pharmacy app, tooling.\n\n"
        "**Decision:** REST. Serialising a 224x224 image as base64 JSON cost 2 ms against 0.5 ms "
        "for protobuf, small next to 41 ms of inference, and the app team already speaks REST.\n\n"
        "**Revisit when:** internal services call the model at high volume and the 1.5 ms per "
        "request starts to matter.",
    ),
]


@pytest.mark.parametrize(("document", "section", "text"), HONEST_SECTIONS)
def test_an_honest_section_in_another_style_passes(
    semantic: ModuleType, document: str, section: str, text: str
) -> None:
    assert not semantic.off_topic({section: text}, _prompts(semantic, document))


def test_a_section_without_its_guidance_is_not_judged(semantic: ModuleType) -> None:
    """A learner who deleted the template's comments: the bare heading is no prompt to judge by."""
    template = (TEMPLATES / "week1/portfolio/efficientnet_blog.md").read_text()
    bare = re.sub(r"<!--.*?-->", "", template, flags=re.DOTALL)
    assert semantic.template_prompts(bare, guided_only=True) == {}
    assert set(semantic.template_prompts(bare)) >= {"Hook", "Takeaways"}
