"""Judge STAR stories and other behavioural write-ups with plain, documented heuristics.

No NLP library: everything here is a regular expression or a word count, so a learner can read
exactly what the grader looks for and a mentor can predict its verdict.

Format of a story bank (the template ``weeks/week6/portfolio/star_stories.md`` shows it)::

    ## Story 3: Closing the studio-to-field gap
    ### Tags
    ownership, delivering results
    ### Situation
    ...
    ### Task
    ...
    ### Action
    ...
    ### Result
    ...
    ### Reflection
    ...

A story is a level-2 section whose heading starts with "Story". Its parts are level-3 headings
(``### Situation``), or labelled paragraphs (``**Situation:** text`` or ``Situation: text`` at the
start of a line). The other behavioural deliverables use the same part syntax with their own
labels (:func:`split_parts`).

Checks on a story (:func:`story_problems`):

- the four parts are present and non-trivial (:data:`PART_MIN_WORDS`);
- 200-400 words over Situation, Task, Action, Result and Reflection;
- Action is the longest part and speaks in the first person: more "I/me/my" than "we/us/our";
- the Result is quantified (:func:`quantities`): a number with a unit (40 ms, 12%, 3x, 2 days,
  $500, 1,200 images, ...) or a change written "from 0.12 to 0.03" / "0.12 -> 0.03";
- the parts come in the order Situation, Task, Action, Result, Reflection (:func:`part_order`);
- Situation and Task together take two or three sentences (:func:`sentences`);
- the Result's figures are possible (:func:`implausible`, which is
  :func:`grader.writing.figure_problems`): no accuracy, recall, availability or other proportion
  above 100%, no fall of more than 100%, no absurd increase, no negative latency or cost, no
  percentiles out of order;
- a one-line Reflection (5-50 words, one paragraph);
- two or three competency tags, each one of :data:`COMPETENCIES` (synonyms accepted).

The bank as a whole covers every competency at least once (:func:`missing_competencies`) and
tells different stories: two stories that share most of their word 5-grams are one story under
two titles (:func:`near_duplicates`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader import written
from grader.writing import implausible

__all__ = [
    "COMPETENCIES",
    "MAX_SETUP_SENTENCES",
    "MAX_STORY_WORDS",
    "MAX_TAGS",
    "MIN_STORY_WORDS",
    "MIN_TAGS",
    "PART_MIN_WORDS",
    "STAR_LABELS",
    "Story",
    "before_after",
    "competencies_of",
    "first_person",
    "implausible",
    "load",
    "missing_competencies",
    "near_duplicates",
    "parse_stories",
    "part_order",
    "quantities",
    "sentences",
    "split_parts",
    "story_problems",
    "table_rows",
]

MIN_STORY_WORDS = 200
MAX_STORY_WORDS = 400

#: Part name -> accepted labels (a heading or label matches when it starts with one of them).
STAR_LABELS: dict[str, tuple[str, ...]] = {
    "tags": ("tags", "competencies", "competency"),
    "situation": ("situation", "context"),
    "task": ("task", "goal"),
    "action": ("action", "actions"),
    "result": ("result", "results", "outcome"),
    "reflection": ("reflection", "lesson", "what i would do differently"),
}

#: Situation and Task together: at most this many sentences.
MAX_SETUP_SENTENCES = 3
#: Competency tags per story.
MIN_TAGS, MAX_TAGS = 2, 3
_STAR_ORDER = ("situation", "task", "action", "result", "reflection")

#: Minimum words for a part to count as written (not a placeholder).
PART_MIN_WORDS = {"situation": 12, "task": 8, "action": 40, "result": 12}

#: The competencies a story bank must cover -> tag spellings accepted for each (substring match).
COMPETENCIES: dict[str, tuple[str, ...]] = {
    "ownership": ("ownership", "owner", "accountab"),
    "dealing with ambiguity": ("ambigu", "uncertain"),
    "bias for action": ("bias for action", "bias to action", "urgency"),
    "disagreement": ("disagree", "conflict"),
    "failure": ("failure", "failed", "mistake", "setback"),
    "learning": ("learning", "learn", "curiosity", "curious"),
    "customer focus": ("customer", "user focus", "user obsession"),
    "delivering results": ("delivering results", "deliver results", "delivery", "results"),
}

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^#{3,6}[ \t]+(?P<text>.+?)[ \t#]*$")
_LABEL = re.compile(
    r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?(?P<label>[A-Za-z][A-Za-z /&'-]{0,40}?)[ \t]*"
    r"(?::[ \t]*(?:\*\*|__)|(?:\*\*|__)[ \t]*:|:)[ \t]*(?P<rest>.*)$"
)
_UNITS = (
    r"%|percent\b|pp\b|percentage points?\b|x\b|×|times\b|"
    r"ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b|"
    r"days?\b|weeks?\b|months?\b|quarters?\b|years?\b|"
    r"[kKMGT]i?B\b|bytes?\b|QPS\b|qps\b|rps\b|req/s\b|requests?\b|"
    r"users?\b|customers?\b|pharmacists?\b|pharmacies\b|patients?\b|people\b|engineers?\b|"
    r"teams?\b|images?\b|photos?\b|pills?\b|classes\b|labels?\b|samples?\b|"
    r"tests?\b|bugs?\b|failures?\b|regressions?\b|incidents?\b|errors?\b|alerts?\b|pages?\b|tickets?\b|PRs?\b|"
    r"lines?\b|commits?\b|points?\b|pts\b|models?\b|pods?\b|nodes?\b|servers?\b|replicas?\b|"
    r"GPUs?\b|CPUs?\b|cores?\b|dollars?\b|USD\b|EUR\b|calls?\b|steps?\b|epochs?\b"
)
_NUM = r"\d[\d,]*(?:\.\d+)?"
_QUANTITY = re.compile(
    rf"(?:[$€£]\s?{_NUM}(?:\s?[kKM]\b)?)"  # $500, €1.2k
    rf"|(?:(?<![\w.]){_NUM}\s?(?:[kKM]\s?)?(?:{_UNITS}))"  # 40 ms, 12%, 3x, 1.2k images
    rf"|(?:\bfrom\s+[$€£]?{_NUM}\S*(?:\s+[^\s\d]\S*){{0,3}}?\s+to\s+[$€£]?{_NUM})"
    rf"|(?:{_NUM}\S*(?:\s+[^\s\d]\S*)?\s*(?:→|->|=>|⟶)\s*[$€£]?{_NUM})",  # 0.12 -> 0.03
    re.IGNORECASE,
)
_I = re.compile(r"\bI\b|\b(?:me|my|myself|mine)\b", re.IGNORECASE)
_WE = re.compile(r"\b(?:we|us|our|ours|ourselves)\b", re.IGNORECASE)


# -- generic helpers, shared by the behavioural judges ------------------------------------------
def _match_label(text: str, labels: Mapping[str, tuple[str, ...]], exact: bool) -> str | None:
    lowered = text.strip().strip("*_:").strip().lower()
    for name, spellings in labels.items():
        for spelling in spellings:
            if lowered == spelling or (not exact and lowered.startswith(spelling)):
                return name
    return None


def split_parts(body: str, labels: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """The labelled parts of a section body: part name -> text (comments removed).

    A part starts at a level-3+ heading that starts with one of its labels (``### Action``,
    ``### Actions I took``) or at a line labelled exactly with one of them (``**Action:** ...``,
    ``Action: ...``); it runs to the next part or the next level-3+ heading. Text before the first
    part is ignored. When a part appears twice, the texts are joined.
    """
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in _COMMENT.sub("", body).splitlines():
        heading = _HEADING.match(line)
        if heading:
            name = _match_label(heading["text"], labels, exact=False)
            current = parts.setdefault(name, []) if name else None
            continue
        label = _LABEL.match(line)
        if label and (name := _match_label(label["label"], labels, exact=True)):
            current = parts.setdefault(name, [])
            current.append(label["rest"])
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in parts.items()}


def part_order(body: str, labels: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The parts of ``labels`` in the order they first appear in ``body`` (as :func:`split_parts`
    finds them: a level-3+ heading or a labelled line)."""
    order: list[str] = []
    for line in _COMMENT.sub("", body).splitlines():
        heading = _HEADING.match(line)
        if heading:
            name = _match_label(heading["text"], labels, exact=False)
        else:
            label = _LABEL.match(line)
            name = _match_label(label["label"], labels, exact=True) if label else None
        if name and name not in order:
            order.append(name)
    return tuple(order)


_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|Dr|Mr|Mrs|Ms|Prof|No|Fig|St|Inc|Ltd|Jr|Sr)\.",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")


def sentences(text: str) -> int:
    """Sentences in ``text``: prose ended by ``.``, ``!`` or ``?`` (then a space or the end).

    Decimal points (``0.8``) and common abbreviations (``e.g.``, ``vs.``, ``Dr.``) do not end a
    sentence; a last sentence without its full stop still counts.
    """
    text = _ABBREVIATIONS.sub(lambda m: m.group(0)[:-1], _COMMENT.sub(" ", text))
    pieces = _SENTENCE_END.split(text)
    return sum(1 for piece in pieces if written.words(piece))


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    tokens = re.findall(r"[a-z0-9]+", _COMMENT.sub(" ", text).lower())
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def near_duplicates(
    texts: Mapping[str, str], *, n: int = 5, threshold: float = 0.5
) -> list[tuple[str, str, float]]:
    """Pairs of texts that are (nearly) the same: ``(title a, title b, overlap)``, in input order.

    The overlap is the share of word ``n``-grams (lower case, punctuation ignored) of the shorter
    text that the other one also has; a pair at or above ``threshold`` is reported. Two different
    stories share a handful of 5-grams ("I would do it again"); a story copied under a second
    title, with a few words changed, shares most of them.
    """
    grams = {title: _shingles(text, n) for title, text in texts.items()}
    titles = list(grams)
    pairs = []
    for i, a in enumerate(titles):
        for b in titles[i + 1 :]:
            smaller = min(len(grams[a]), len(grams[b]))
            if not smaller:
                continue
            overlap = len(grams[a] & grams[b]) / smaller
            if overlap >= threshold:
                pairs.append((a, b, round(overlap, 3)))
    return pairs


def shared_phrases_lines(pairs: Iterable[tuple[str, str, float]]) -> str:
    """:func:`near_duplicates` pairs as a learner reads them, one line each."""
    return "\n".join(
        f"{a} / {b}: {share:.0%} of their 5-word phrases shared" for a, b, share in pairs
    )


def kind_of(label: str, kinds: Mapping[str, tuple[str, ...]]) -> str | None:
    """The kind (a key of ``kinds``) that a heading or table cell names: the first whose spellings
    start its text before the first colon, in lower case; None when none does."""
    head = label.split(":", 1)[0].strip().lower()
    for kind, spellings in kinds.items():
        if any(head.startswith(s) for s in spellings):
            return kind
    return None


def first_of_each_kind(
    sections: Mapping[str, str], kinds: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, str]]:
    """Kind -> ``(heading, body)`` of the first section whose heading names it (:func:`kind_of`),
    in document order."""
    found: dict[str, tuple[str, str]] = {}
    for heading, body in sections.items():
        kind = kind_of(heading, kinds)
        if kind and kind not in found:
            found[kind] = (heading, body)
    return found


def untitled(headings: Iterable[str]) -> list[str]:
    """The headings with no title after the kind's colon (``## Mentoring:`` or ``## Mentoring``)."""
    return [heading for heading in headings if not heading.partition(":")[2].strip(" *_`")]


def quantities(text: str) -> list[str]:
    """Quantified statements in ``text``: numbers with a unit, money, or from-to changes."""
    return [m.group(0).strip() for m in _QUANTITY.finditer(_COMMENT.sub(" ", text))]


def before_after(text: str) -> list[str]:
    """Before/after comparisons: "from 120 ms to 45 ms", "0.12 -> 0.03", "before: 12 ... after: 3".

    Returns the matched snippets; each names two numbers.
    """
    text = _COMMENT.sub(" ", text)
    found = [
        m.group(0)
        for m in re.finditer(
            rf"\bfrom\s+[$€£]?{_NUM}\S*(?:\s+\S+){{0,3}}?\s+to\s+[$€£]?{_NUM}"
            rf"|{_NUM}\S*(?:\s+[^\s\d]\S*)?\s*(?:→|->|=>|⟶)\s*[$€£]?{_NUM}",
            text,
            re.IGNORECASE,
        )
    ]
    paired = re.search(
        rf"\bbefore\b[^.\n]*?{_NUM}.*?\bafter\b[^.\n]*?{_NUM}", text, re.IGNORECASE | re.DOTALL
    )
    if paired and len(paired.group(0)) < 400:
        found.append(paired.group(0))
    return found


def first_person(text: str) -> tuple[int, int]:
    """(singular, plural) first-person words: "I/me/my/myself" vs "we/us/our/ours"."""
    return len(_I.findall(text)), len(_WE.findall(text))


def competencies_of(tags: str | Iterable[str]) -> tuple[str, ...]:
    """The competencies (keys of :data:`COMPETENCIES`) named by a tag line or tag list."""
    if isinstance(tags, str):
        tags = re.split(r"[,;|/\n]+", tags)
    found: list[str] = []
    for tag in tags:
        lowered = tag.strip(" \t-*+#`").lower()
        if not lowered:
            continue
        for name, spellings in COMPETENCIES.items():
            if any(spelling in lowered for spelling in spellings) and name not in found:
                found.append(name)
                break
    return tuple(found)


def table_rows(text: str) -> list[dict[str, str]]:
    """Rows of the first Markdown pipe table in ``text`` (:func:`grader.written.tables`), as
    header (lower case) -> cell; a short row's missing cells are empty."""
    for header, rows in written.tables(text)[:1]:
        names = [cell.lower() for cell in header]
        return [
            dict(zip(names, row + [""] * (len(names) - len(row)), strict=False)) for row in rows
        ]
    return []


# -- STAR stories --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Story:
    """One story of a bank: its title, parts (see :data:`STAR_LABELS`) and competencies."""

    title: str
    parts: dict[str, str] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    order: tuple[str, ...] = ()  # the parts in the order they appear

    @property
    def name(self) -> str:
        """The title after the first colon (``"Story 3: Closing the gap"`` -> ``"Closing the
        gap"``); empty when the heading has none."""
        _, colon, name = self.title.partition(":")
        return name.strip(" \t*_`") if colon else ""

    @property
    def text(self) -> str:
        """Situation, Task, Action, Result and Reflection, joined."""
        names = ("situation", "task", "action", "result", "reflection")
        return "\n\n".join(self.parts.get(name, "") for name in names)

    def words(self, part: str | None = None) -> int:
        """Words of one part, or of Situation + Task + Action + Result + Reflection."""
        if part is not None:
            return written.words(self.parts.get(part, ""))
        names = ("situation", "task", "action", "result", "reflection")
        return sum(written.words(self.parts.get(name, "")) for name in names)


def parse_stories(document: written.Document) -> list[Story]:
    """Every ``## Story ...`` section of ``document`` as a :class:`Story`, in order."""
    stories = []
    for heading, body in document.sections.items():
        if not re.match(r"^story\b", heading.strip(), re.IGNORECASE):
            continue
        parts = split_parts(body, STAR_LABELS)
        stories.append(
            Story(
                title=heading,
                parts=parts,
                tags=competencies_of(parts.get("tags", "")),
                order=part_order(body, STAR_LABELS),
            )
        )
    return stories


def story_problems(
    story: Story, *, min_words: int = MIN_STORY_WORDS, max_words: int = MAX_STORY_WORDS
) -> dict[str, str]:
    """What is wrong with one story: check name -> message for the learner (empty: all good).

    Check names: ``parts``, ``order``, ``length``, ``setup``, ``first_person``,
    ``action_longest``, ``quantified``, ``plausible``, ``reflection``, ``tags``.
    """
    problems: dict[str, str] = {}
    thin = [
        f"{part.title()} ({story.words(part)} words, need {need})"
        for part, need in PART_MIN_WORDS.items()
        if story.words(part) < need
    ]
    if thin:
        problems["parts"] = "missing or too short: " + ", ".join(thin)
    expected = [name for name in _STAR_ORDER if name in story.order]
    written_order = [name for name in story.order if name in _STAR_ORDER]
    if story.order and written_order != expected:
        problems["order"] = (
            f"the parts come as {' > '.join(n.title() for n in written_order)}; write them in "
            f"the order {' > '.join(n.title() for n in expected)}"
        )
    total = story.words()
    setup = sentences(story.parts.get("situation", "")) + sentences(story.parts.get("task", ""))
    if setup > MAX_SETUP_SENTENCES:
        problems["setup"] = (
            f"Situation and Task together take {setup} sentences; keep them to two or three and "
            "spend the words on the Action"
        )
    if not min_words <= total <= max_words:
        problems["length"] = f"{total} words; keep each story between {min_words} and {max_words}"
    singular, plural = first_person(story.parts.get("action", ""))
    if singular < 2 or singular <= plural:
        problems["first_person"] = (
            f"the Action says 'I/me/my' {singular} times and 'we/us/our' {plural} times; say what "
            "YOU did, in the first person singular"
        )
    action = story.words("action")
    longest = max(("situation", "task", "result"), key=story.words)
    if action <= story.words(longest):
        problems["action_longest"] = (
            f"the Action ({action} words) should be the longest part, but the {longest.title()} "
            f"has {story.words(longest)}"
        )
    if not quantities(story.parts.get("result", "")):
        problems["quantified"] = (
            "the Result has no number with a unit (e.g. '-40% latency', 'ECE from 0.12 to 0.03', "
            "'2 days saved')"
        )
    impossible = implausible(story.parts.get("result", ""))
    if impossible:
        problems["plausible"] = "the Result states figures that cannot be true: " + "; ".join(
            impossible
        )
    reflection = story.words("reflection")
    paragraphs = [
        p for p in re.split(r"\n[ \t]*\n", story.parts.get("reflection", "")) if p.strip()
    ]
    if not 5 <= reflection <= 50 or len(paragraphs) > 1:
        problems["reflection"] = (
            f"the Reflection has {reflection} words in {len(paragraphs)} paragraph(s); write one "
            "line (5-50 words, one paragraph) on what you would do differently"
        )
    line = story.parts.get("tags", "")
    items = [t for t in re.split(r"[,;|/\n]+", line) if t.strip(" \t-*+#`")]
    unknown = [t.strip(" \t-*+#`") for t in items if not competencies_of(t)]
    if not MIN_TAGS <= len(items) <= MAX_TAGS or unknown or not story.tags:
        problems["tags"] = (
            f"tag each story with {MIN_TAGS} or {MAX_TAGS} competencies (under ### Tags, "
            f"comma-separated) from: {', '.join(COMPETENCIES)}; got {line!r}"
            + (f" ({', '.join(map(repr, unknown))} is none of them)" if unknown else "")
        )
    return problems


def missing_competencies(stories: Iterable[Story]) -> list[str]:
    """Competencies of :data:`COMPETENCIES` that no story is tagged with."""
    covered = {tag for story in stories for tag in story.tags}
    return [name for name in COMPETENCIES if name not in covered]


def load(path: Path) -> written.Document:
    """Read a behavioural write-up; ``NotImplementedError`` while it is still the template.

    Like :func:`grader.written.load`, but heading lines do not count as written words (these
    templates carry many level-3 part headings).
    """
    document = written.load(path)
    prose = written.words(re.sub(r"^\s*#.*$", "", document.text, flags=re.MULTILINE))
    if prose < written.MIN_STARTED_WORDS:
        raise NotImplementedError(
            f"{path.name} is still the template ({prose} words written under its headings): "
            "fill in each section"
        )
    return document
