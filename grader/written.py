"""Reading written deliverables (Markdown): sections, words, numbers, diagrams.

A written deliverable starts as a template: headings plus HTML-comment guidance. While the
learner has written (almost) nothing beyond that, :func:`load` raises ``NotImplementedError`` so
the grader reports "not started" rather than a wall of failures. Judges build on
:class:`Document`; the file is only read, never written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

__all__ = [
    "MIN_STARTED_WORDS",
    "FUNCTION_WORDS",
    "Document",
    "function_word_share",
    "load",
    "parse",
    "prose",
    "prose_problem",
    "prose_problems",
    "sentences",
    "table_with_columns",
    "tables",
    "words",
]

MIN_STARTED_WORDS = 25
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-\.%/]*")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HEADING = re.compile(r"^#.*$", re.MULTILINE)
_md = MarkdownIt("commonmark")
_FENCE_BLOCK = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[`~]*\s*$", re.DOTALL | re.MULTILINE)
_TABLE_LINE = re.compile(r"^\s*\|.*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'’”)\]*]*\s+|\n\s*\n|\n\s*(?:[-*+]|\d+[.)])\s+")
_FRAGMENT_SHARE = 0.15
_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
#: English function words: real sentences are full of them, keyword lists have almost none.
FUNCTION_WORDS = frozenset(
    """a an the and or but nor if then so because as of to in on at by for with from into onto
    than that this these those it its is are was were be been being has have had do does did not
    no can could would should will may might must shall which who whom whose what when where while
    why how there their theirs they them we us our i me my you your he him his she her one all
    each every more most less only also too very about after before over under between through
    against without within per same other such both either neither any some""".split()  # noqa: SIM905
)


def words(text: str) -> int:
    """Words of prose in ``text`` (comments excluded)."""
    return len(_WORD.findall(_COMMENT.sub(" ", text)))


@dataclass(frozen=True)
class Document:
    """A parsed Markdown deliverable.

    Attributes:
        path: where it was read from.
        text: the full text.
        title: the first level-1 heading ("" when there is none).
        sections: level-2 sections in order, heading text -> body (comments removed; the body runs
            to the next level-1 or level-2 heading and includes deeper headings).
        fences: fenced code blocks as (info string, content), e.g. ("mermaid", "flowchart LR ...").
    """

    path: Path
    text: str
    title: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    fences: tuple[tuple[str, str], ...] = ()

    def section(self, *names: str) -> str | None:
        """The body of the first section whose heading contains one of ``names`` (any case)."""
        for heading, body in self.sections.items():
            lowered = heading.lower()
            if any(name.lower() in lowered for name in names):
                return body
        return None

    def missing(self, required: dict[str, tuple[str, ...]], min_words: int = 1) -> list[str]:
        """Required sections (name -> accepted heading words) that are absent or too short."""
        absent = []
        for name, synonyms in required.items():
            body = self.section(name, *synonyms)
            if body is None or words(body) < min_words:
                absent.append(name)
        return absent

    def too_short(self, required: dict[str, tuple[tuple[str, ...], int]]) -> list[str]:
        """``"Name (N words, need M)"`` for each required section that is absent or too short.

        ``required`` maps a section name to (accepted heading words, minimum words); the name is
        accepted as a heading word too, and every section needs at least one word.
        """
        short = []
        for name, (synonyms, minimum) in required.items():
            body = self.section(name, *synonyms)
            size, need = words(body or ""), max(minimum, 1)
            if body is None or size < need:
                short.append(f"{name} ({size} words, need {need})")
        return short

    def mermaid(self) -> list[str]:
        """The contents of every ```mermaid fenced block."""
        return [content for info, content in self.fences if info.split()[:1] == ["mermaid"]]

    def numbers(self, text: str | None = None) -> list[float]:
        """Every number written in ``text`` (default: the whole document), commas removed."""
        found = _NUMBER.findall(_COMMENT.sub(" ", self.text if text is None else text))
        return [float(n.replace(",", "")) for n in found]

    @property
    def words(self) -> int:
        return words(self.text)


def prose(text: str) -> str:
    """``text`` without HTML comments, fenced code blocks and table lines: what a reader reads."""
    text = _COMMENT.sub(" ", text)
    text = _FENCE_BLOCK.sub(" ", text)
    return _TABLE_LINE.sub(" ", text)


def sentences(text: str, *, min_words: int = 4) -> list[str]:
    """The sentences of :func:`prose` of ``text`` that have at least ``min_words`` words.

    A sentence ends at ``.``, ``!`` or ``?`` followed by a space, at a blank line, or where a list
    item starts; headings are dropped. ``"alpha, beta, gamma"`` is one (keyword-only) sentence.
    """
    body = _HEADING.sub(" ", prose(text))
    parts = (_ITEM.sub("", " ".join(part.split())) for part in _SENTENCE_END.split(body))
    return [part for part in parts if words(part) >= min_words]


def function_word_share(text: str) -> float:
    """The share of the :func:`prose` words of ``text`` that are :data:`FUNCTION_WORDS`.

    English prose is 35-55% function words ("the", "of", "is" ...); a list of keywords is close to
    0. Returns 0.0 for text without words.
    """
    found = [w.lower().strip(".'’") for w in _WORD.findall(prose(text))]
    return sum(w in FUNCTION_WORDS for w in found) / len(found) if found else 0.0


def prose_problem(
    text: str, *, min_sentences: int = 2, min_share: float = 0.2, max_fragments: float = 0.5
) -> str | None:
    """Why ``text`` is not written as prose (a keyword list, bare fragments), or None if it is.

    Prose here means at least ``min_sentences`` sentences of 4+ words (:func:`sentences`), a
    :func:`function_word_share` of at least ``min_share`` overall, and at most ``max_fragments``
    of the sentences' words in keyword fragments (a sentence under 15% function words, such as
    ``"depth d = alpha^phi, alpha = 1.2, more blocks"``), so a few real sentences around a list
    of keywords do not pass either.
    """
    found = sentences(text)
    if len(found) < min_sentences:
        return (
            f"{len(found)} sentence(s) of 4+ words, need {min_sentences}: write full sentences, "
            "not a list of keywords or fragments"
        )
    share = function_word_share(text)
    if share < min_share:
        return (
            f"only {share:.0%} of its words are the small words of sentences (the, of, is ...), "
            f"prose has {min_share:.0%} or more: it reads as a list of keywords; explain in full "
            "sentences"
        )
    sizes = [(words(sentence), function_word_share(sentence)) for sentence in found]
    fragments = sum(size for size, share in sizes if share < _FRAGMENT_SHARE)
    total = sum(size for size, _ in sizes)
    if fragments > max_fragments * total:
        return (
            f"{fragments} of its {total} words are in keyword fragments (lines with almost no "
            "'the', 'of', 'is' ...): explain in full sentences rather than listing terms"
        )
    return None


def prose_problems(sections: dict[str, str]) -> str | None:
    """Every section (name -> body) that is not prose (:func:`prose_problem`), named in one
    message, or None when all are."""
    found = [
        f"`## {name}`: {problem}"
        for name, body in sections.items()
        if (problem := prose_problem(body)) is not None
    ]
    return "; ".join(found) or None


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """The pipe tables of Markdown ``text`` as ``(header cells, body rows of cells)``, in order.

    A table is a line starting with ``|`` followed by a delimiter row (``|---|:--:|``) and runs to
    the first line that does not start with ``|``; HTML comments (the templates' guidance) are
    removed first, so an example table inside a comment is not one.
    """
    lines = [line.strip() for line in _COMMENT.sub("", text).splitlines()]
    found = []
    for i in range(len(lines) - 1):
        if lines[i].startswith("|") and _TABLE_RULE.match(lines[i + 1]):
            rows = []
            for line in lines[i + 2 :]:
                if not line.startswith("|"):
                    break
                rows.append(_cells(line))
            found.append((_cells(lines[i]), rows))
    return found


def table_with_columns(
    text: str, columns: Callable[[list[str]], dict[str, int]]
) -> tuple[dict[str, int], list[list[str]]]:
    """The table of ``text`` whose header names the most columns, as ``(columns, body rows)``.

    ``columns(header)`` maps the column names it finds in a header to their cell index; the first
    table with the most wins; ``({}, [])`` when no table names any.
    """
    best: tuple[dict[str, int], list[list[str]]] = ({}, [])
    for header, rows in tables(text):
        found = columns(header)
        if len(found) > len(best[0]):
            best = (found, rows)
    return best


def parse(text: str, path: Path = Path("<text>")) -> Document:
    """Parse Markdown ``text`` into a :class:`Document`."""
    tokens = _md.parse(text)
    lines = text.splitlines()
    title = ""
    headings: list[tuple[int, int, str]] = []  # (level, first body line, heading text)
    fences = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            level = int(token.tag[1])
            content = tokens[i + 1].content.strip()
            if level == 1 and not title:
                title = content
            if level <= 2:
                headings.append((level, token.map[1], content))
        elif token.type == "fence":
            fences.append((token.info.strip(), token.content))
    sections: dict[str, str] = {}
    for index, (level, start, heading) in enumerate(headings):
        if level != 2:
            continue
        end = headings[index + 1][1] - 1 if index + 1 < len(headings) else len(lines)
        body = "\n".join(lines[start:end])
        sections[heading] = _COMMENT.sub("", body).strip()
    return Document(path=path, text=text, title=title, sections=sections, fences=tuple(fences))


def load(path: Path, *, min_words: int = MIN_STARTED_WORDS) -> Document:
    """Read a written deliverable; raise ``NotImplementedError`` while it is still the template.

    Raises:
        FileNotFoundError: with a message naming the file the learner should restore or create.
        NotImplementedError: fewer than ``min_words`` words outside headings and comments.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: restore the template with `git checkout -- {path}`"
        )
    document = parse(path.read_text(encoding="utf-8"), path)
    bodies = document.sections.values() if document.sections else [document.text]
    prose = sum(words(_HEADING.sub("", body)) for body in bodies)
    if prose < min_words:
        raise NotImplementedError(
            f"{path.name} is still the template ({prose} words written under its headings): "
            "fill in each section"
        )
    return document
